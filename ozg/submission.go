package ozg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ozgkit/ozgkit/identity"
)

// Submission (Einreichung) is a complete application as the back office (Fachverfahren)
// receives it: the form data, the evidence, the payment and what is known of the citizen's
// identity. It is immutable once stored.
type Submission struct {
	// ID is a UUID, distinct from the application's.
	ID            string `json:"id"`
	ApplicationID string `json:"applicationId"`
	ServiceID     string `json:"serviceId"`
	// LeikaKey is the service's Leistungsschlüssel; see Service.LeikaURN for FIT-Connect.
	LeikaKey string `json:"leikaKey"`
	// Reference is the application's reference number (Aktenzeichen).
	Reference string `json:"reference"`
	// Delivery names the delivery target of the service.
	Delivery string `json:"delivery"`
	// Owner is the citizen's subject; IdempotencyKey is unique per owner.
	Owner          string `json:"owner"`
	IdempotencyKey string `json:"idempotencyKey"`
	// Identity holds the facts of the login the citizen submitted with.
	Identity IdentityFacts `json:"identity"`
	// Data is the validated form data.
	Data json.RawMessage `json:"data"`
	// Attachments are the evidence files, each with its SHA-512 as FIT-Connect metadata needs it.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Payment is nil when no fee was paid online.
	Payment     *PaymentFacts `json:"payment,omitempty"`
	SubmittedAt time.Time     `json:"submittedAt"`
}

// IdentityFacts are what the back office learns of the citizen's login.
type IdentityFacts struct {
	Subject string         `json:"subject"`
	Level   identity.Level `json:"level"`
	// Method is the authentication method, e.g. "eID", "ELSTER", "password".
	Method string `json:"method,omitempty"`
	Issuer string `json:"issuer,omitempty"`
}

// Attachment is one evidence file of a submission.
type Attachment struct {
	ID            string `json:"id"`
	RequirementID string `json:"requirementId"`
	// FileName is the sanitised original name, metadata only.
	FileName  string `json:"fileName"`
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
	// SHA512 is the hex SHA-512 of the content.
	SHA512 string `json:"sha512"`
	// BlobKey locates the content in the blob store.
	BlobKey string `json:"blobKey"`
}

// PaymentFacts are what the payment provider reported of the paid fee, as the back office
// and FIT-Connect's metadata (paymentInformation, schema 1.0.0) need them. Deliveries send
// them as reported; none is made up.
type PaymentFacts struct {
	// Status in FIT-Connect's paymentInformation terms: "BOOKED" for a paid fee (XBezahldienste
	// reports it as PAYED; FIT-Connect deliveries accept either), "INITIAL", "FAILED" or
	// "CANCELED". Required.
	Status string `json:"status"`
	// Method is the payment method (Zahlart) as the provider named it: "GIROPAY",
	// "PAYDIRECT", "CREDITCARD", "PAYPAL", "INVOICE" or "OTHER".
	Method string `json:"method"`
	// MethodDetail is the provider's detail of the method, e.g. "Visa"; may be empty.
	MethodDetail string `json:"methodDetail,omitempty"`
	// TransactionID is the provider's transaction id.
	TransactionID string `json:"transactionId"`
	// TransactionURL is where the provider's transaction can be read, if it said.
	TransactionURL string `json:"transactionUrl,omitempty"`
	// Reference is the provider's booking reference (Kassenzeichen, transactionReference).
	Reference string `json:"reference"`
	// Timestamp is when the payment succeeded (transactionTimestamp).
	Timestamp time.Time `json:"timestamp"`
	// GrossAmount in euro cents.
	GrossAmount int64 `json:"grossAmount"`
}

// Receipt is what a delivery target confirms for a delivered submission.
type Receipt struct {
	// ID is the target's id of the delivery, e.g. a FIT-Connect submission id.
	ID          string    `json:"id"`
	DeliveredAt time.Time `json:"deliveredAt"`
}

// Files opens the content of attachments by blob key. An evidence BlobStore is one.
type Files interface {
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// Delivery takes submissions to a back office: FIT-Connect, a signed webhook, a local inbox.
//
// Contract: Deliver returns a Receipt when the target has taken the submission. A failure
// that may pass (network, 5xx, timeout) is returned as is and the outbox tries again later; a
// failure that will not pass (the target refuses the submission) is wrapped with Permanent, and
// the outbox stops trying. Deliver may be called more than once for one submission (after a
// crash between delivery and acknowledgement), so targets should deduplicate by Submission.ID.
type Delivery interface {
	Deliver(ctx context.Context, s *Submission, files Files) (Receipt, error)
}

// ErrPermanent marks a delivery failure that retrying will not cure.
var ErrPermanent = errors.New("ozg: permanent delivery failure")

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }
