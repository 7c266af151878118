package payment

import (
	"encoding/json"
	"fmt"
	"time"
)

// Facts are what the back office (Fachverfahren) needs to know of a paid fee, shaped like
// the paymentInformation of the FIT-Connect metadata (schema 1.0.0): its JSON form is that
// object.
type Facts struct {
	// TransactionURL is where the provider's transaction can be read, if known.
	TransactionURL string
	// TransactionID is the provider's transaction id.
	TransactionID string
	// TransactionReference is the provider's booking reference (Kassenzeichen).
	TransactionReference string
	// TransactionTimestamp is when the payment succeeded.
	TransactionTimestamp time.Time
	// PaymentMethod and PaymentMethodDetail: how the citizen paid.
	PaymentMethod       Method
	PaymentMethodDetail string
	// GrossAmount in cents (Bruttobetrag).
	GrossAmount int64
	// Status is the payment's status in FIT-Connect's paymentInformation terms (see
	// [PaymentInformationStatus]): "BOOKED" for a paid fee, which XBezahldienste reports as
	// PAYED.
	Status string
}

// PaymentInformationStatus is the word FIT-Connect's paymentInformation uses for a state:
// INITIAL (pending or created), BOOKED (paid; XBezahldienste says PAYED), FAILED, CANCELED
// (canceled, and expired: the citizen never finished). It is empty for an unknown state.
func PaymentInformationStatus(s State) string {
	switch s {
	case StateCreated, StatePending:
		return "INITIAL"
	case StatePaid:
		return "BOOKED"
	case StateFailed:
		return "FAILED"
	case StateCanceled, StateExpired:
		return "CANCELED"
	}
	return ""
}

// Facts returns the facts of a paid payment; any other gives an error wrapping [ErrNotPaid].
func (p *Payment) Facts() (Facts, error) {
	if p.State != StatePaid {
		return Facts{}, fmt.Errorf("payment: facts of %s (%s): %w", p.ID, p.State, ErrNotPaid)
	}
	m := p.Method
	if !m.Valid() {
		m = MethodOther
	}
	return Facts{
		TransactionURL: p.TransactionURL, TransactionID: p.TransactionID,
		TransactionReference: p.Reference, TransactionTimestamp: p.PaidAt,
		PaymentMethod: m, PaymentMethodDetail: p.MethodDetail, GrossAmount: p.Amount,
		Status: PaymentInformationStatus(p.State),
	}, nil
}

// MarshalJSON writes the FIT-Connect paymentInformation object: f.Status, the gross amount
// as a decimal number of euros, the timestamp in RFC 3339. paymentMethodDetail is left out
// unless it fits FIT-Connect's rule (1 to 36 characters of [A-Za-z0-9_-]). A status that is
// not one of INITIAL, BOOKED, FAILED and CANCELED is an error.
func (f Facts) MarshalJSON() ([]byte, error) {
	switch f.Status {
	case "INITIAL", "BOOKED", "FAILED", "CANCELED":
	default:
		return nil, fmt.Errorf("payment: facts: status %q is not a FIT-Connect paymentInformation status", truncate(f.Status, 16))
	}
	type out struct {
		TransactionURL       string          `json:"transactionUrl,omitempty"`
		TransactionID        string          `json:"transactionId"`
		TransactionReference string          `json:"transactionReference"`
		TransactionTimestamp string          `json:"transactionTimestamp,omitempty"`
		PaymentMethod        Method          `json:"paymentMethod"`
		PaymentMethodDetail  string          `json:"paymentMethodDetail,omitempty"`
		Status               string          `json:"status"`
		GrossAmount          json.RawMessage `json:"grossAmount"`
	}
	o := out{
		TransactionURL: f.TransactionURL, TransactionID: f.TransactionID,
		TransactionReference: f.TransactionReference, PaymentMethod: f.PaymentMethod,
		Status: f.Status, GrossAmount: json.RawMessage(FormatEuro(f.GrossAmount)),
	}
	if !f.TransactionTimestamp.IsZero() {
		o.TransactionTimestamp = f.TransactionTimestamp.UTC().Format(time.RFC3339)
	}
	if d := f.PaymentMethodDetail; d != "" && len(d) <= 36 && wordChars(d) {
		o.PaymentMethodDetail = d
	}
	return json.Marshal(o)
}

func wordChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
