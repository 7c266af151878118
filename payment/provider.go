package payment

import (
	"context"
	"time"
)

// Provider is a payment platform (ePayBL, pmPayment, ePay21, ...) that hosts the pay page.
// Package payment/xbezahldienste implements it for the XBezahldienste REST API; package
// payment/paymenttest has an in-memory one and the conformance suite that checks this
// contract.
//
// Contract:
//   - Create opens a transaction for req and returns it with Status [StatePending] and a
//     RedirectURL to the pay page. The citizen comes back to req.ReturnURL afterwards, whatever
//     they did. A RequestID that was used before is refused with an error wrapping [ErrExists].
//     Input the provider does not accept is refused with an error wrapping [ErrInvalid] (a
//     [*FieldError] when a field is to blame) before anything is sent.
//   - Status reads the transaction's current state: [StatePending] (not finished), [StatePaid],
//     [StateFailed] or [StateCanceled], with Amount and Currency as the provider holds them.
//     An unknown transaction id gives an error wrapping [ErrNotFound].
//   - Timeouts, network errors and server errors (5xx) wrap [ErrUnavailable]: the outcome is
//     unknown, and the caller may retry. Other refusals wrap [ErrProvider], [ErrInvalid],
//     [ErrExists] or [ErrNotFound].
//   - Results are never pushed: the service asks with Status when the citizen returns and
//     when reconciling.
//   - Both methods honour ctx cancellation. Implementations are safe for concurrent use.
type Provider interface {
	Create(ctx context.Context, req CreateRequest) (Transaction, error)
	Status(ctx context.Context, transactionID string) (Transaction, error)
}

// Refunder is a [Provider] that can pay back (part of) a paid transaction. Not every platform
// can (XBezahldienste defines no refund); check with a type assertion.
//
// Refund pays back amount cents of the paid transaction. Several refunds may add up to what
// was paid, never more; a refund beyond that, of a zero or negative amount, or of a
// transaction that is not paid is refused with an error wrapping [ErrInvalid]. An unknown
// transaction gives [ErrNotFound].
type Refunder interface {
	Refund(ctx context.Context, transactionID string, amount int64) error
}

// Checker is a [Provider] that can tell, without sending anything, whether it would accept a
// request. The [Service] asks it before storing a payment, so that input the provider refuses
// (a purpose with characters it does not allow) stores nothing.
type Checker interface {
	Check(req CreateRequest) error
}

// Pinger is a [Provider] that can tell whether it is ready to take and report payments for
// this service, without naming a transaction (XBezahldienste: GET
// /status/{originatorId}/{endPointId}, the status of the platform's configuration for the
// originator and endpoint). [Service.Reconcile] asks it once per run before asking about
// each payment.
//
// Ping returns nil when the provider is ready; an error wrapping [ErrUnavailable] when it is
// down or does not answer (nothing may be concluded); any other error (wrapping
// [ErrProvider]) when it refuses this service's configuration (unknown originator or
// endpoint, missing authorisation).
type Pinger interface {
	Ping(ctx context.Context) error
}

// CreateRequest asks a provider to open a transaction.
type CreateRequest struct {
	// RequestID is the caller's unique id of this request (≤ 36 characters of [A-Za-z0-9-]).
	RequestID string
	// Amount in cents, 1 to [MaxAmount].
	Amount int64
	// Currency, "EUR".
	Currency string
	// Purpose is the Verwendungszweck. Providers may transliterate it (ä → ae).
	Purpose string
	// Description is shown on the pay page.
	Description string
	// Reference ties the transaction to the application (e.g. the application id).
	Reference string
	// ReturnURL is where the pay page sends the citizen back to.
	ReturnURL string
	// BookingData is handed to the provider for the booking (Haushaltsstelle, Objektnummer,
	// ...); may be nil.
	BookingData map[string]string
}

// Transaction is a provider's view of a payment.
type Transaction struct {
	// ID is the provider's transaction id.
	ID string
	// RequestID is the request id the transaction was created with, if the provider says.
	RequestID string
	// URL is where the transaction can be read, if the provider says.
	URL string
	// RedirectURL is the pay page; only while pending.
	RedirectURL string
	// Reference is the provider's booking reference (Kassenzeichen), if any.
	Reference string
	// Status is [StatePending], [StatePaid], [StateFailed] or [StateCanceled].
	Status State
	// Detail is the provider's free text about the status.
	Detail string
	// Amount in cents and Currency, as the provider holds them.
	Amount   int64
	Currency string
	// Method and MethodDetail: how the citizen paid; only when paid.
	Method       Method
	MethodDetail string
	// PaidAt is when the payment succeeded; only when paid.
	PaidAt time.Time
}
