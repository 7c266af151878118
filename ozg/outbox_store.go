package ozg

import (
	"context"
	"errors"
	"time"
)

// ErrDuplicateSubmission: the owner already submitted under that idempotency key.
var ErrDuplicateSubmission = errors.New("ozg: duplicate submission")

// DeliveryState is the state of an outbox entry. An entry is work for the outbox while it is
// pending, notifying or withdrawing; delivered, withdrawn and failed are final.
//
//	pending ──deliver──▶ notifying ──receipt sent──▶ delivered
//	   │                     │                          │
//	   │ withdrawn           └──────── withdrawn ───────┴──▶ withdrawing ──withdrawal delivered──▶ withdrawn
//	   ▼
//	withdrawn (cancelled before delivery; a delivery in flight then becomes withdrawing)
//
// Any claimable state may end in failed when its work fails for good.
type DeliveryState string

// The states of an outbox entry.
const (
	// DeliveryPending: the submission is still to be delivered.
	DeliveryPending DeliveryState = "pending"
	// DeliveryNotifying: delivered; the application is at "delivered", and the outbox's
	// OnDelivered work (the citizen's receipt) is still to be done.
	DeliveryNotifying DeliveryState = "notifying"
	// DeliveryDelivered: delivered and acknowledged to the citizen.
	DeliveryDelivered DeliveryState = "delivered"
	// DeliveryWithdrawing: the citizen withdrew an application that reached (or may have
	// reached) the authority; the withdrawal is still to be delivered.
	DeliveryWithdrawing DeliveryState = "withdrawing"
	// DeliveryWithdrawn: withdrawn before delivery (nothing is sent), or the withdrawal was
	// delivered.
	DeliveryWithdrawn DeliveryState = "withdrawn"
	// DeliveryFailed: given up; a person must see to it.
	DeliveryFailed DeliveryState = "failed"
)

// Claimable reports whether entries in state s are work for the outbox.
func (s DeliveryState) Claimable() bool {
	return s == DeliveryPending || s == DeliveryNotifying || s == DeliveryWithdrawing
}

// OutboxEntry is the delivery of one submission.
type OutboxEntry struct {
	SubmissionID string        `json:"submissionId"`
	Delivery     string        `json:"delivery"`
	State        DeliveryState `json:"state"`
	// Attempts counts the claims in the current state so far.
	Attempts int `json:"attempts"`
	// NextAttempt is when the entry is due (again).
	NextAttempt time.Time `json:"nextAttempt"`
	// LastError is the last failure's message, without personal data.
	LastError string   `json:"lastError,omitempty"`
	Receipt   *Receipt `json:"receipt,omitempty"`
	// FailedIn is, for a failed entry, the state whose work failed; Requeue returns it there.
	FailedIn DeliveryState `json:"failedIn,omitempty"`
}

// SubmissionStore keeps submissions and the outbox that delivers them. It works on the same
// data as the ApplicationStore it is paired with (see Store), so that a submission, its
// application's state and its outbox entry always change together.
//
// Contract, checked by ozgtest.RunSubmissionStoreConformance:
//   - Submit stores, in one transaction, the application app (an update at app.Version, with
//     the rules of ApplicationStore.Update), the submission sub, and a pending outbox entry for
//     it due at sub.SubmittedAt. When sub.Owner already has a submission under
//     sub.IdempotencyKey it changes nothing and returns an error wrapping ErrDuplicateSubmission.
//     Any failure leaves nothing behind; on success app.Version is counted up.
//   - Submission and SubmissionByKey return a stored submission or ErrNotFound;
//     SubmissionOf returns the submission of an application or ErrNotFound.
//   - ClaimDeliveries returns up to n entries in a claimable state (pending, notifying,
//     withdrawing) due at now, oldest due first, counts up their Attempts and hides them from
//     other claims until now+lease. Entries claimed by one caller are never returned to a
//     concurrent caller (FOR UPDATE SKIP LOCKED on PostgreSQL).
//   - CompleteDelivery records the target's receipt in one transaction with its consequences:
//     a pending entry becomes notifying and its application moves from submitted to delivered
//     (with a history entry); an entry withdrawn while its delivery was in flight becomes
//     withdrawing (the authority has it and must hear of the withdrawal). Attempts restart at
//     0 and the entry is due at once.
//   - AcknowledgeDelivery moves a notifying entry to delivered; CompleteWithdrawal moves a
//     withdrawing entry to withdrawn.
//   - RetryDelivery records a failure of a claimable entry and makes it due at next;
//     FailDelivery marks it failed for good.
//   - Withdraw stores the application app (an update at app.Version, already moved to
//     withdrawn by the caller) and, in the same transaction, settles its outbox entry if it has
//     one: pending becomes withdrawn (nothing will be delivered; a delivery already in flight
//     turns it into withdrawing when it completes), notifying and delivered become
//     withdrawing (due at once, Attempts 0). On success app.Version is counted up.
//   - Requeue makes a failed entry due again at now with Attempts 0, in the state whose work
//     failed (FailedIn), and clears the failure.
//   - Each method that changes an entry returns ErrNotFound for an unknown entry and
//     ErrInvalidTransition for one whose state does not allow the change.
//   - OutboxEntry returns one entry or ErrNotFound; FailedDeliveries lists failed entries,
//     oldest due first, at most n.
type SubmissionStore interface {
	Submit(ctx context.Context, app *Application, sub *Submission) error
	Submission(ctx context.Context, id string) (*Submission, error)
	SubmissionByKey(ctx context.Context, owner, key string) (*Submission, error)
	SubmissionOf(ctx context.Context, applicationID string) (*Submission, error)
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, n int) ([]OutboxEntry, error)
	CompleteDelivery(ctx context.Context, submissionID string, r Receipt) error
	AcknowledgeDelivery(ctx context.Context, submissionID string) error
	CompleteWithdrawal(ctx context.Context, submissionID string) error
	RetryDelivery(ctx context.Context, submissionID, lastError string, next time.Time) error
	FailDelivery(ctx context.Context, submissionID, lastError string) error
	Withdraw(ctx context.Context, app *Application) error
	Requeue(ctx context.Context, submissionID string, now time.Time) error
	OutboxEntry(ctx context.Context, submissionID string) (OutboxEntry, error)
	FailedDeliveries(ctx context.Context, n int) ([]OutboxEntry, error)
}

// NumberingStore is a Store that draws a submission's reference number (Aktenzeichen) inside
// the submit's transaction, so that a submit is one write transaction. MemoryStore and the
// stores of ozg/sqlstore are NumberingStores; Applications uses it when its references come
// from the store's own sequences (the default), and falls back to NextSequence and Submit
// otherwise.
//
// Contract, checked by ozgtest.RunSubmissionStoreConformance when the store implements it:
//   - SubmitNumbered does what Submit does, and in the same transaction draws the next number
//     of the sequence num.Sequence (the one NextSequence counts: the two never hand out the
//     same number), sets app.Reference and sub.Reference to num.Reference(number) and stores
//     them with the application and the submission. A numbering that fails num.Check is
//     refused with ErrInvalidApplication.
//   - A submit that fails (stale version, duplicate key, a reference already taken, any error)
//     stores nothing and consumes no number: numbers drawn by SubmitNumbered alone have no
//     gaps. On failure app.Reference and sub.Reference are left as they were.
//   - Concurrent SubmitNumbered calls, from any number of processes, never get the same
//     number.
//
// Gaps are still possible when references are drawn outside the transaction (a
// ReferenceGenerator of the caller's own, or NextSequence called and its submit then
// refused): references then never repeat, but they need not be consecutive.
type NumberingStore interface {
	Store
	SubmitNumbered(ctx context.Context, app *Application, sub *Submission, num Numbering) error
}

// Store is everything the lifecycle keeps, on one backend so that writes that belong together
// share a transaction. MemoryStore and the stores of ozg/sqlstore are Stores.
type Store interface {
	ApplicationStore
	SubmissionStore
}

// deliveredNote is the history note of the move to delivered.
func deliveredNote(r Receipt) string { return "delivered: " + r.ID }
