package xbezahldienste_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

const paidAnswer = `{"paymentInformation":{"transactionUrl":"https://pay.example/paymenttransaction/o/e/tx-4711",
"transactionId":"tx-4711","transactionReference":"KZ-0815","transactionTimestamp":"2026-05-01T10:00:00.123Z",
"paymentMethod":"PAYPAL","paymentMethodDetail":"PayPal Express","status":"PAYED","statusDetail":"ok"},
"paymentRequest":{"requestId":"r-1","requestTimestamp":"2026-05-01T09:59:00.000Z","currency":"EUR","grosAmount":25.5,
"purpose":"Gebuehr","redirectUrl":"https://portal.example/back"}}`

func TestParseTransactionReadsAPaidAnswer(t *testing.T) {
	tx, err := xbezahldienste.ParseTransaction([]byte(paidAnswer))
	if err != nil {
		t.Fatal(err)
	}
	got := tx.Transaction()
	if got.ID != "tx-4711" || got.Status != payment.StatePaid || got.Amount != 2550 || got.Currency != "EUR" ||
		got.Method != payment.MethodPayPal || got.MethodDetail != "PayPal Express" || got.Reference != "KZ-0815" ||
		got.PaidAt.Format("15:04:05.000") != "10:00:00.123" || got.RequestID != "r-1" {
		t.Errorf("got %+v", got)
	}
}

func TestParseTransactionMapsEveryStatus(t *testing.T) {
	for status, want := range map[string]payment.State{
		"INITIAL": payment.StatePending, "PAYED": payment.StatePaid, "FAILED": payment.StateFailed, "CANCELED": payment.StateCanceled,
	} {
		tx, err := xbezahldienste.ParseTransaction([]byte(strings.Replace(paidAnswer, `"PAYED"`, `"`+status+`"`, 1)))
		if err != nil {
			t.Fatal(err)
		}
		got := tx.Transaction()
		if got.Status != want {
			t.Errorf("%s → %s, want %s", status, got.Status, want)
		}
		if want != payment.StatePaid && (got.Method != "" || !got.PaidAt.IsZero()) {
			t.Errorf("%s reports method %q, paid at %v", status, got.Method, got.PaidAt)
		}
	}
}

func TestParseTransactionKeepsAnUnknownMethodAsOther(t *testing.T) {
	tx, err := xbezahldienste.ParseTransaction([]byte(strings.Replace(strings.Replace(paidAnswer, `"PAYPAL"`, `"SEPA_DIRECT_DEBIT"`, 1), `"paymentMethodDetail":"PayPal Express",`, "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := tx.Transaction(); got.Method != payment.MethodOther || got.MethodDetail != "SEPA_DIRECT_DEBIT" {
		t.Errorf("method %q detail %q, want OTHER SEPA_DIRECT_DEBIT", got.Method, got.MethodDetail)
	}
}

func TestParseTransactionRefusesBadAnswers(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not JSON", `<html>`},
		{"an empty object", `{}`},
		{"no paymentRequest", `{"paymentInformation":{"transactionId":"t","status":"INITIAL"}}`},
		{"an unknown status", strings.Replace(paidAnswer, `"PAYED"`, `"PAID"`, 1)},
		{"the FIT-Connect status BOOKED", strings.Replace(paidAnswer, `"PAYED"`, `"BOOKED"`, 1)},
		{"an empty transaction id", strings.Replace(paidAnswer, `"transactionId":"tx-4711"`, `"transactionId":""`, 1)},
		{"a transaction id with a slash", strings.Replace(paidAnswer, `"transactionId":"tx-4711"`, `"transactionId":"../admin"`, 1)},
		{"a transaction id longer than 44", strings.Replace(paidAnswer, `"transactionId":"tx-4711"`, `"transactionId":"`+strings.Repeat("a", 45)+`"`, 1)},
		{"an amount with an exponent", strings.Replace(paidAnswer, `25.5`, `2.55e1`, 1)},
		{"a negative amount", strings.Replace(paidAnswer, `25.5`, `-25.5`, 1)},
		{"an amount of fractions of a cent", strings.Replace(paidAnswer, `25.5`, `25.501`, 1)},
		{"a missing currency", strings.Replace(paidAnswer, `"currency":"EUR",`, ``, 1)},
		{"an unreadable timestamp", strings.Replace(paidAnswer, `2026-05-01T10:00:00.123Z`, `gestern`, 1)},
		{"trailing data", paidAnswer + `{}`},
		{"an answer above the size limit", `{"paymentInformation":{"statusDetail":"` + strings.Repeat("x", xbezahldienste.MaxResponseSize) + `"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := xbezahldienste.ParseTransaction([]byte(tc.in)); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestErrorsMapToPaymentSentinels(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		want   error
	}{
		{500, "UNSPECIFIED", payment.ErrUnavailable},
		{502, "", payment.ErrUnavailable},
		{429, "", payment.ErrUnavailable},
		{409, "PAYMENT_EXISTS", payment.ErrExists},
		{400, "VALIDATION_ERROR", payment.ErrInvalid},
		{400, "CALCULATION_ERROR", payment.ErrInvalid},
		{400, "BOOKING_DATA_MISSING", payment.ErrInvalid},
		{404, "", payment.ErrNotFound},
		{404, "NO_VALID_ORIGINATOR_OR_ENDPOINT", payment.ErrProvider},
		{403, "FORBIDDEN", payment.ErrProvider},
		{401, "", payment.ErrProvider},
	} {
		e := &xbezahldienste.Error{StatusCode: tc.status, Problem: xbezahldienste.Problem{FunctionalCode: tc.code}}
		if !errors.Is(e, tc.want) {
			t.Errorf("%d %s: not %v", tc.status, tc.code, tc.want)
		}
	}
}

func TestDecimalRoundTrips(t *testing.T) {
	for _, cents := range []int64{0, 1, 10, 2550, 99999900} {
		b, _ := json.Marshal(xbezahldienste.Decimal(cents))
		var d xbezahldienste.Decimal
		if err := json.Unmarshal(b, &d); err != nil || int64(d) != cents {
			t.Errorf("%d → %s → %d, %v", cents, b, d, err)
		}
	}
}

// FuzzParseTransaction feeds arbitrary platform answers to the parser: it must never panic,
// and what it accepts must convert to a transaction with a known status and bounded fields.
func FuzzParseTransaction(f *testing.F) {
	f.Add([]byte(paidAnswer))
	f.Add([]byte(strings.Replace(paidAnswer, `"PAYED"`, `"INITIAL"`, 1)))
	f.Add([]byte(`{"paymentInformation":{},"paymentRequest":{}}`))
	f.Add([]byte(`{"paymentInformation":{"transactionId":"t","status":"FAILED"},"paymentRequest":{"currency":"EUR","grosAmount":"1.00"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := xbezahldienste.ParseTransaction(b)
		if err != nil {
			return
		}
		got := tx.Transaction()
		if !got.Status.Valid() || got.ID == "" || len(got.ID) > xbezahldienste.MaxTransactionIDLength {
			t.Fatalf("accepted %q as %+v", b, got)
		}
		if got.Amount < 0 || got.Amount > payment.MaxAmount {
			t.Fatalf("amount %d out of range", got.Amount)
		}
		if len(got.Detail) > 260 || len(got.Reference) > 260 || len(got.MethodDetail) > 260 {
			t.Fatalf("free text not bounded: %d %d %d", len(got.Detail), len(got.Reference), len(got.MethodDetail))
		}
		if got.Status != payment.StatePaid && got.Method != "" {
			t.Fatalf("method %q on a %s transaction", got.Method, got.Status)
		}
	})
}

func TestParseTransactionDropsControlCharactersFromProviderText(t *testing.T) {
	answer := strings.Replace(paidAnswer, `"PayPal Express"`, `"PayPal\u0000 Ex\u001bpress"`, 1)
	tx, err := xbezahldienste.ParseTransaction([]byte(answer))
	if err != nil {
		t.Fatal(err)
	}
	if got := tx.Transaction().MethodDetail; got != "PayPal Express" {
		t.Fatalf("method detail %q still holds control characters", got)
	}
}
