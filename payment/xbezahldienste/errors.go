package xbezahldienste

import (
	"fmt"
	"net/http"

	"github.com/ozgkit/ozgkit/payment"
)

// Error is a refusal by the platform: its HTTP status and problem document. It wraps the
// sentinel of package payment that fits (see [Error.Unwrap]).
type Error struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Problem is the platform's problem document, as far as it sent one.
	Problem
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("xbezahldienste: HTTP %d", e.StatusCode)
	if e.FunctionalCode != "" {
		msg += " " + e.FunctionalCode
	}
	if e.Title != "" {
		msg += ": " + e.Title
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.FunctionalText != "" && e.FunctionalText != e.Detail {
		msg += ": " + e.FunctionalText
	}
	return msg
}

// Unwrap maps the error to package payment's sentinels: server errors (5xx) and 429 to
// payment.ErrUnavailable; PAYMENT_EXISTS to payment.ErrExists; VALIDATION_ERROR,
// CALCULATION_ERROR and BOOKING_DATA_MISSING to payment.ErrInvalid; 404 (other than
// NO_VALID_ORIGINATOR_...) to payment.ErrNotFound; everything else to payment.ErrProvider.
func (e *Error) Unwrap() error {
	switch {
	case e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests:
		return payment.ErrUnavailable
	case e.FunctionalCode == CodePaymentExists:
		return payment.ErrExists
	case e.FunctionalCode == CodeValidationError || e.FunctionalCode == CodeCalculationError || e.FunctionalCode == CodeBookingDataMissing:
		return payment.ErrInvalid
	case e.StatusCode == http.StatusNotFound && e.FunctionalCode != CodeNoValidOriginatorOrEndpoint &&
		e.FunctionalCode != CodeNoValidOriginatorOrDestination:
		return payment.ErrNotFound
	}
	return payment.ErrProvider
}
