package xbezahldienste_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

func validRequest() xbezahldienste.PaymentRequest {
	return xbezahldienste.PaymentRequest{
		RequestID: "r-1", RequestTimestamp: "2026-05-01T10:00:00.000Z", Currency: "EUR",
		GrosAmount: 2550, Purpose: "Gebuehr", RedirectURL: "https://portal.example/back",
		Items: []xbezahldienste.PaymentItem{{ID: "1", Quantity: 2, TotalNetAmount: 2000, TotalTaxAmount: 550, SingleNetAmount: 1000, SingleTaxAmount: 275, TaxRate: 2750}},
		Requestor: &xbezahldienste.Requestor{Name: "Mustermann", FirstName: "Erika", Gender: "F",
			Address: &xbezahldienste.Address{Street: "Hauptstraße", HouseNumber: "1", PostalCode: "12345", City: "Musterstadt", Country: "DE"}},
	}
}

func TestValidateNamesTheBrokenRule(t *testing.T) {
	if err := func() *xbezahldienste.PaymentRequest { r := validRequest(); return &r }().Validate(); err != nil {
		t.Fatalf("valid request refused: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*xbezahldienste.PaymentRequest)
		field  string
	}{
		{"a purpose of 28 characters", func(r *xbezahldienste.PaymentRequest) { r.Purpose = strings.Repeat("a", 28) }, "purpose"},
		{"an untransliterated umlaut", func(r *xbezahldienste.PaymentRequest) { r.Purpose = "Gebühr" }, "purpose"},
		{"a timestamp in local time", func(r *xbezahldienste.PaymentRequest) { r.RequestTimestamp = "2026-05-01T12:00:00.000+02:00" }, "requestTimestamp"},
		{"a currency of four letters", func(r *xbezahldienste.PaymentRequest) { r.Currency = "EURO" }, "currency"},
		{"items that do not add up", func(r *xbezahldienste.PaymentRequest) { r.GrosAmount = 2551 }, "grosAmount"},
		{"a negative amount", func(r *xbezahldienste.PaymentRequest) { r.GrosAmount = -1 }, "grosAmount"},
		{"an item without id", func(r *xbezahldienste.PaymentRequest) { r.Items[0].ID = "" }, "items[0].id"},
		{"a quantity of zero", func(r *xbezahldienste.PaymentRequest) { r.Items[0].Quantity = 0 }, "items[0].quantity"},
		{"a quantity above 999999", func(r *xbezahldienste.PaymentRequest) { r.Items[0].Quantity = 1000000 }, "items[0].quantity"},
		{"a tax rate above 100", func(r *xbezahldienste.PaymentRequest) { r.Items[0].TaxRate = 10001 }, "items[0].taxRate"},
		{"a total that is not quantity times single", func(r *xbezahldienste.PaymentRequest) {
			r.Items[0].SingleNetAmount = 999
		}, "items[0].totalNetAmount"},
		{"more than 100 items", func(r *xbezahldienste.PaymentRequest) {
			r.Items = make([]xbezahldienste.PaymentItem, 101)
		}, "items"},
		{"a gender other than M, F or D", func(r *xbezahldienste.PaymentRequest) { r.Requestor.Gender = "X" }, "requestor.gender"},
		{"a country that is no ISO code", func(r *xbezahldienste.PaymentRequest) { r.Requestor.Address.Country = "Deutschland" }, "requestor.address.country"},
		{"a name of 101 characters", func(r *xbezahldienste.PaymentRequest) { r.Requestor.Name = strings.Repeat("ß", 101) }, "requestor.name"},
		{"a redirect URL without host", func(r *xbezahldienste.PaymentRequest) { r.RedirectURL = "https:///back" }, "redirectUrl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := validRequest()
			tc.change(&r)
			err := r.Validate()
			var fe *payment.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, payment.ErrInvalid) {
				t.Errorf("err = %v, want first a FieldError for %s", err, tc.field)
			}
		})
	}
}

func TestAmountsThatDoNotAddUpAreCalculationErrors(t *testing.T) {
	r := validRequest()
	r.GrosAmount = 2551
	err := r.Validate()
	if !errors.Is(err, xbezahldienste.ErrCalculation) || !errors.Is(err, payment.ErrInvalid) {
		t.Errorf("err = %v, want ErrCalculation and ErrInvalid", err)
	}
	r = validRequest()
	r.Purpose = ""
	if err := r.Validate(); errors.Is(err, xbezahldienste.ErrCalculation) {
		t.Errorf("a missing purpose is a calculation error: %v", err)
	}
}
