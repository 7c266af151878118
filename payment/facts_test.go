package payment_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/ozgkit/ozgkit/internal/vectors"
	"github.com/ozgkit/ozgkit/payment"
)

func paidPayment() *payment.Payment {
	return &payment.Payment{
		ID: "p1", State: payment.StatePaid, Amount: 2550, Currency: "EUR",
		TransactionID: "9f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", Reference: "KZ0000000001",
		TransactionURL: "https://pay.example/paymenttransaction/o/e/9f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
		Method:         payment.MethodCreditCard, MethodDetail: "Visa",
		PaidAt: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC),
	}
}

func TestFactsAreTheFITConnectPaymentInformation(t *testing.T) {
	f, err := paidPayment().Facts()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"transactionUrl":"https://pay.example/paymenttransaction/o/e/9f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b","transactionId":"9f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b","transactionReference":"KZ0000000001","transactionTimestamp":"2026-05-01T10:00:00Z","paymentMethod":"CREDITCARD","paymentMethodDetail":"Visa","status":"BOOKED","grossAmount":25.50}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestFactsOfAnUnpaidPaymentAreRefused(t *testing.T) {
	p := paidPayment()
	p.State = payment.StatePending
	if _, err := p.Facts(); !errors.Is(err, payment.ErrNotPaid) {
		t.Errorf("err = %v, want ErrNotPaid", err)
	}
}

// TestFactsValidateAgainstTheFITConnectMetadataSchema puts the facts into the example
// metadata document of the outside reference and validates it with the schema 1.0.0.
func TestFactsValidateAgainstTheFITConnectMetadataSchema(t *testing.T) {
	dir, ok := vectors.Dir()
	if !ok {
		t.Skip("shared/vectors (the FIT-Connect reference) is not beside the repository; set OZGKIT_VECTORS to its folder")
	}
	dir = filepath.Join(dir, "fitconnect")
	schemaPath := filepath.Join(dir, "metadata.schema.v1.0.0.json")
	example, err := os.ReadFile(filepath.Join(dir, "example-metadata-v1.0.0.json"))
	if err != nil {
		t.Skipf("FIT-Connect reference not present (%v)", err)
	}
	schemaBytes, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Skipf("FIT-Connect schema not present (%v)", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("file:///metadata.schema.json", strings.NewReader(string(schemaBytes))); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("file:///metadata.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(*payment.Payment)
	}{
		{"a card payment", func(*payment.Payment) {}},
		{"a payment with a method detail FIT-Connect does not allow", func(p *payment.Payment) { p.MethodDetail = "Visa Gold (Debit)" }},
		{"a payment of an unknown method without reference", func(p *payment.Payment) { p.Method, p.Reference, p.TransactionURL = "INVOICE", "", "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := paidPayment()
			tc.change(p)
			f, err := p.Facts()
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(example, &doc); err != nil {
				t.Fatal(err)
			}
			fb, _ := json.Marshal(f)
			var pi any
			_ = json.Unmarshal(fb, &pi)
			doc["paymentInformation"] = pi
			if err := schema.Validate(doc); err != nil {
				t.Errorf("metadata with the facts is invalid: %v", err)
			}
		})
	}
}

func TestFactsCarryTheStatusInPaymentInformationTerms(t *testing.T) {
	f, err := paidPayment().Facts()
	if err != nil || f.Status != "BOOKED" {
		t.Fatalf("Facts().Status = %q, %v; want BOOKED (XBezahldienste PAYED)", f.Status, err)
	}
	for state, want := range map[payment.State]string{
		payment.StatePending: "INITIAL", payment.StateCreated: "INITIAL", payment.StatePaid: "BOOKED",
		payment.StateFailed: "FAILED", payment.StateCanceled: "CANCELED", payment.StateExpired: "CANCELED", "odd": "",
	} {
		if got := payment.PaymentInformationStatus(state); got != want {
			t.Errorf("PaymentInformationStatus(%s) = %q, want %q", state, got, want)
		}
	}
	f.Status = "PAYED"
	if _, err := json.Marshal(f); err == nil {
		t.Error("a status outside FIT-Connect's enum was written")
	}
	f.Status = ""
	if _, err := json.Marshal(f); err == nil {
		t.Error("an empty status was written")
	}
}

func TestAnInvoiceKeepsItsMethod(t *testing.T) {
	p := paidPayment()
	p.Method = payment.MethodInvoice
	f, err := p.Facts()
	if err != nil || f.PaymentMethod != payment.MethodInvoice {
		t.Errorf("method %q, %v; want INVOICE", f.PaymentMethod, err)
	}
}
