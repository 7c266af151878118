package payment

import "time"

// Payment is one attempt to pay the fee (Gebühr) of one application (Antrag).
type Payment struct {
	// ID identifies the payment; chosen by the [Service] (a UUID).
	ID string
	// Key is the idempotency key the payment was started with: starting again with the same
	// key gives this payment.
	Key string
	// ApplicationID is the application the fee belongs to.
	ApplicationID string
	// Owner is the subject of the citizen who started the payment; only they may return to it.
	Owner string
	// Amount is the fee in cents (Euro-Cent), 1 to [MaxAmount].
	Amount int64
	// Currency is the ISO 4217 code; always "EUR".
	Currency string
	// Purpose is the Verwendungszweck shown on the citizen's bank statement.
	Purpose string
	// Description is shown on the pay page.
	Description string
	// State is where the payment stands.
	State State

	// RequestID is the id the payment was last sent to the provider under.
	RequestID string
	// TransactionID is the provider's id of the transaction; empty while created.
	TransactionID string
	// TransactionURL is where the provider's transaction can be read, if it says so.
	TransactionURL string
	// Reference is the provider's reference for the booking (Kassenzeichen), if any.
	Reference string
	// RedirectURL is the provider's pay page the citizen is sent to; empty once final.
	RedirectURL string
	// Method is how the citizen paid; set once paid.
	Method Method
	// MethodDetail is the provider's free text about the method, e.g. "Visa".
	MethodDetail string
	// Detail is the last status detail the provider or the service recorded, for operators.
	Detail string

	// CreatedAt is when the payment was stored; UpdatedAt when it last changed.
	CreatedAt, UpdatedAt time.Time
	// PaidAt is when the provider says the payment succeeded (transactionTimestamp).
	PaidAt time.Time
	// Version counts the stored changes; stores use it to refuse stale writes.
	Version int64
}

// Clone returns a copy of p.
func (p *Payment) Clone() *Payment {
	c := *p
	return &c
}
