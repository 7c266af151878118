package ozg

import (
	"context"
	"errors"
	"time"
)

// ErrDuplicateSubmission: the owner already submitted under that idempotency key.
var ErrDuplicateSubmission = errors.New("ozg: duplicate submission")

// DeliveryState is the state of an outbox entry.
type DeliveryState string

// The states of an outbox entry.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed" // permanently; needs a person
)

// OutboxEntry is the delivery of one submission.
type OutboxEntry struct {
	SubmissionID string        `json:"submissionId"`
	Delivery     string        `json:"delivery"`
	State        DeliveryState `json:"state"`
	// Attempts counts the claims so far.
	Attempts int `json:"attempts"`
	// NextAttempt is when the entry is due (again).
	NextAttempt time.Time `json:"nextAttempt"`
	// LastError is the last failure's message, without personal data.
	LastError string   `json:"lastError,omitempty"`
	Receipt   *Receipt `json:"receipt,omitempty"`
}

// SubmissionStore keeps submissions and the outbox that delivers them. It works on the same
// data as the ApplicationStore it is paired with (see Store).
//
// Contract, checked by ozgtest.RunSubmissionStoreConformance:
//   - Submit stores, in one transaction, the application app (an update at app.Version, with
//     the rules of ApplicationStore.Update), the submission sub, and a pending outbox entry for
//     it due at sub.SubmittedAt. When sub.Owner already has a submission under
//     sub.IdempotencyKey it changes nothing and returns an error wrapping ErrDuplicateSubmission.
//     Any failure leaves nothing behind; on success app.Version is counted up.
//   - Submission and SubmissionByKey return a stored submission or ErrNotFound.
//   - ClaimDeliveries returns up to n pending entries due at now (oldest due first), counts up
//     their Attempts and hides them from other claims until now+lease. Entries claimed by one
//     caller are never returned to a concurrent caller (FOR UPDATE SKIP LOCKED on PostgreSQL).
//   - CompleteDelivery marks a pending entry delivered with its receipt; RetryDelivery records
//     a failure and makes the entry due at next; FailDelivery marks it failed for good. Each
//     returns ErrNotFound for an unknown entry and ErrInvalidTransition for one that is no
//     longer pending.
//   - OutboxEntry returns one entry or ErrNotFound.
type SubmissionStore interface {
	Submit(ctx context.Context, app *Application, sub *Submission) error
	Submission(ctx context.Context, id string) (*Submission, error)
	SubmissionByKey(ctx context.Context, owner, key string) (*Submission, error)
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, n int) ([]OutboxEntry, error)
	CompleteDelivery(ctx context.Context, submissionID string, r Receipt) error
	RetryDelivery(ctx context.Context, submissionID, lastError string, next time.Time) error
	FailDelivery(ctx context.Context, submissionID, lastError string) error
	OutboxEntry(ctx context.Context, submissionID string) (OutboxEntry, error)
}

// Store is everything the lifecycle keeps, on one backend so that writes that belong together
// share a transaction. MemoryStore and the stores of ozg/sqlstore are Stores.
type Store interface {
	ApplicationStore
	SubmissionStore
}
