package ozg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// OutboxWork is an outbox entry together with what an operator needs to find the submission
// it belongs to: the reference number (Aktenzeichen), the service and when it was submitted.
// It carries nothing personal: no form data, no identity facts, no file names.
type OutboxWork struct {
	OutboxEntry
	// Reference is the application's reference number (Aktenzeichen).
	Reference string `json:"reference"`
	// ServiceID is the service the submission is for.
	ServiceID string `json:"serviceId"`
	// SubmittedAt is when the citizen submitted.
	SubmittedAt time.Time `json:"submittedAt"`
}

// FailedStep is the work that was given up: FailedIn for a failed entry (pending when the
// store recorded none), the entry's state otherwise.
func (w OutboxWork) FailedStep() DeliveryState {
	if w.State != DeliveryFailed {
		return w.State
	}
	if w.FailedIn == "" {
		return DeliveryPending
	}
	return w.FailedIn
}

// Entry returns the outbox entry of submission id with its submission's reference and
// service, for inspection. An unknown id, and one that is not a submission id (a UUID) at
// all, gives an error wrapping ErrNotFound; such ids never reach the store.
func (o *Outbox) Entry(ctx context.Context, submissionID string) (OutboxWork, error) {
	if uuid.Validate(submissionID) != nil {
		return OutboxWork{}, fmt.Errorf("%w: outbox entry %.64q", ErrNotFound, submissionID)
	}
	e, err := o.store.OutboxEntry(ctx, submissionID)
	if err != nil {
		return OutboxWork{}, fmt.Errorf("ozg: outbox entry %s: %w", submissionID, err)
	}
	return o.work(ctx, e)
}

// FailedWork is Failed with each entry's submission reference and service: the work given
// up, oldest first, at most n (1 to 1000).
func (o *Outbox) FailedWork(ctx context.Context, n int) ([]OutboxWork, error) {
	entries, err := o.Failed(ctx, n)
	if err != nil {
		return nil, err
	}
	out := make([]OutboxWork, 0, len(entries))
	for _, e := range entries {
		w, err := o.work(ctx, e)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

func (o *Outbox) work(ctx context.Context, e OutboxEntry) (OutboxWork, error) {
	s, err := o.store.Submission(ctx, e.SubmissionID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return OutboxWork{}, fmt.Errorf("ozg: outbox entry %s has no submission: %w", e.SubmissionID, err)
		}
		return OutboxWork{}, fmt.Errorf("ozg: outbox entry %s: submission: %w", e.SubmissionID, err)
	}
	return OutboxWork{OutboxEntry: e, Reference: s.Reference, ServiceID: s.ServiceID, SubmittedAt: s.SubmittedAt}, nil
}
