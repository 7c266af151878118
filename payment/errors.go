package payment

import (
	"errors"
	"fmt"
)

// Errors of this package and of its providers and stores, for use with errors.Is.
var (
	// ErrNotFound: no such payment or transaction, or it belongs to someone else.
	ErrNotFound = errors.New("payment: not found")
	// ErrExists: a payment with this id or idempotency key, or a provider transaction with
	// this request id, exists already.
	ErrExists = errors.New("payment: already exists")
	// ErrConflict: the payment changed since it was read (a stale version was written).
	ErrConflict = errors.New("payment: changed concurrently")
	// ErrKeyReused: an idempotency key was used again for a different payment (another
	// amount, currency, application or owner).
	ErrKeyReused = errors.New("payment: idempotency key reused for a different payment")
	// ErrInvalid: an input breaks a rule; the error is a [*FieldError] naming the field.
	ErrInvalid = errors.New("payment: invalid input")
	// ErrUnavailable: the provider did not answer in time or answered with a server error.
	// The outcome is unknown; nothing may be concluded about the payment.
	ErrUnavailable = errors.New("payment: provider unavailable")
	// ErrMismatch: the provider reports a transaction that does not match the payment
	// (amount, currency or transaction id differ).
	ErrMismatch = errors.New("payment: provider transaction does not match the payment")
	// ErrProvider: the provider refused the request for a reason that retrying does not fix.
	ErrProvider = errors.New("payment: provider refused")
	// ErrNotPaid: the payment is not paid.
	ErrNotPaid = errors.New("payment: not paid")
)

// FieldError says which input field is wrong and why. It wraps [ErrInvalid].
type FieldError struct {
	// Field names the field, e.g. "purpose" or "items[0].quantity".
	Field string
	// Reason says what is wrong, in English.
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("payment: invalid %s: %s", e.Field, e.Reason) }

// Unwrap returns [ErrInvalid].
func (e *FieldError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
