package xbezahldienste

import (
	"bytes"
	"fmt"

	"github.com/ozgkit/ozgkit/payment"
)

// Status is a transaction's status as the platform writes it.
type Status string

// The statuses of XBezahldienste.
const (
	StatusInitial  Status = "INITIAL"  // created, the citizen has not finished
	StatusPayed    Status = "PAYED"    // paid (sic)
	StatusFailed   Status = "FAILED"   // aborted by the platform, e.g. a declined card
	StatusCanceled Status = "CANCELED" // canceled by the citizen
)

// State maps s to the payment state; ok is false for an unknown status.
func (s Status) State() (st payment.State, ok bool) {
	switch s {
	case StatusInitial:
		return payment.StatePending, true
	case StatusPayed:
		return payment.StatePaid, true
	case StatusFailed:
		return payment.StateFailed, true
	case StatusCanceled:
		return payment.StateCanceled, true
	}
	return "", false
}

// Functional codes of the platform's error documents.
const (
	CodePaymentExists                  = "PAYMENT_EXISTS"
	CodeValidationError                = "VALIDATION_ERROR"
	CodeCalculationError               = "CALCULATION_ERROR"
	CodeBookingDataMissing             = "BOOKING_DATA_MISSING"
	CodeForbidden                      = "FORBIDDEN"
	CodeUnspecified                    = "UNSPECIFIED"
	CodeNoValidOriginatorOrEndpoint    = "NO_VALID_ORIGINATOR_OR_ENDPOINT"
	CodeNoValidOriginatorOrDestination = "NO_VALID_ORIGINATOR_OR_DESTINATION"
)

// Decimal is a decimal amount with two places, kept as an integer count of hundredths
// (cents for amounts). It is written to JSON as a number with two decimals ("25.50") and read
// without floating point; see payment.ParseEuro.
type Decimal int64

// MarshalJSON implements json.Marshaler.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(payment.FormatEuro(int64(d))), nil }

// UnmarshalJSON implements json.Unmarshaler. It accepts a JSON number (and, leniently, a
// number in a JSON string) with at most two significant decimals, 0 to 999999.99.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	v, err := payment.ParseEuro(string(b))
	if err != nil {
		return fmt.Errorf("xbezahldienste: %w", err)
	}
	*d = Decimal(v)
	return nil
}

// PaymentRequest asks the platform to open a transaction.
type PaymentRequest struct {
	RequestID        string        `json:"requestId"`
	RequestTimestamp string        `json:"requestTimestamp"`
	Currency         string        `json:"currency"`
	GrosAmount       Decimal       `json:"grosAmount"`
	Purpose          string        `json:"purpose"`
	Description      string        `json:"description,omitempty"`
	RedirectURL      string        `json:"redirectUrl"`
	Items            []PaymentItem `json:"items,omitempty"`
	Requestor        *Requestor    `json:"requestor,omitempty"`
}

// PaymentItem is one position of the payment.
type PaymentItem struct {
	ID              string            `json:"id"`
	Reference       string            `json:"reference,omitempty"`
	Description     string            `json:"description,omitempty"`
	TaxRate         Decimal           `json:"taxRate"`
	Quantity        int64             `json:"quantity"`
	TotalNetAmount  Decimal           `json:"totalNetAmount"`
	TotalTaxAmount  Decimal           `json:"totalTaxAmount"`
	SingleNetAmount Decimal           `json:"singleNetAmount"`
	SingleTaxAmount Decimal           `json:"singleTaxAmount"`
	BookingData     map[string]string `json:"bookingData,omitempty"`
}

// Requestor is who pays. Send it only where the platform needs it.
type Requestor struct {
	Name             string   `json:"name,omitempty"` // family name
	FirstName        string   `json:"firstName,omitempty"`
	Gender           string   `json:"gender,omitempty"` // "M", "F" or "D"
	IsOrganization   bool     `json:"isOrganization"`
	OrganizationName string   `json:"organizationName,omitempty"`
	Address          *Address `json:"address,omitempty"`
}

// Address of a [Requestor].
type Address struct {
	Street      string   `json:"street,omitempty"`
	HouseNumber string   `json:"houseNumber,omitempty"`
	AddressLine []string `json:"addressLine,omitempty"`
	PostalCode  string   `json:"postalCode,omitempty"`
	City        string   `json:"city,omitempty"`
	Country     string   `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// PaymentInformation is the platform's side of a transaction.
type PaymentInformation struct {
	TransactionURL         string `json:"transactionUrl,omitempty"`
	TransactionRedirectURL string `json:"transactionRedirectUrl,omitempty"`
	TransactionID          string `json:"transactionId"`
	TransactionReference   string `json:"transactionReference,omitempty"`
	TransactionTimestamp   string `json:"transactionTimestamp,omitempty"`
	PaymentMethod          string `json:"paymentMethod,omitempty"`
	PaymentMethodDetail    string `json:"paymentMethodDetail,omitempty"`
	Status                 Status `json:"status"`
	StatusDetail           string `json:"statusDetail,omitempty"`
}

// PaymentTransaction is the platform's answer to create and status.
type PaymentTransaction struct {
	PaymentInformation *PaymentInformation `json:"paymentInformation"`
	PaymentRequest     *PaymentRequest     `json:"paymentRequest"`
}

// Problem is the platform's error document (RFC 7807 with a functionalCode and the
// functionalText that says, for people, what was wrong, e.g. which bookingData is missing).
type Problem struct {
	Type           string `json:"type,omitempty"`
	Status         int    `json:"status,omitempty"`
	Title          string `json:"title,omitempty"`
	Detail         string `json:"detail,omitempty"`
	FunctionalCode string `json:"functionalCode,omitempty"`
	// FunctionalText is the functional description of the error (at most 2000 characters).
	FunctionalText string `json:"functionalText,omitempty"`
}
