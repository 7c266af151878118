package ozg

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// OutboxStats is what an operator watches of the outbox: how much work it holds (its depth)
// and how long the longest-waiting due work has waited.
type OutboxStats struct {
	// Pending, Notifying and Withdrawing count the work still to do, by state: deliveries,
	// receipts (Eingangsbestätigungen) and withdrawals.
	Pending, Notifying, Withdrawing int
	// Failed counts the work given up, waiting for a person (Outbox.Failed, Outbox.Requeue).
	Failed int
	// Due counts the work that is due now and not held by a worker's lease.
	Due int
	// OldestDue is when the longest-waiting due work became due; zero when nothing is due.
	OldestDue time.Time
}

// Depth is the work the outbox still has to do, due now or later.
func (s OutboxStats) Depth() int { return s.Pending + s.Notifying + s.Withdrawing }

// OutboxStatsStore is a SubmissionStore that can count its outbox. MemoryStore and the
// stores of ozg/sqlstore implement it.
//
// Contract, checked by ozgtest.RunOutboxStatsConformance: OutboxStats counts the entries in
// each of the states pending, notifying, withdrawing and failed; Due counts the entries in a
// claimable state with NextAttempt at or before now whose lease has ended (those a claim at
// now would return), and OldestDue is the earliest NextAttempt among them, in UTC.
type OutboxStatsStore interface {
	OutboxStats(ctx context.Context, now time.Time) (OutboxStats, error)
}

// Stats counts the outbox's work now. It returns an error wrapping errors.ErrUnsupported when
// the store is not an OutboxStatsStore.
func (o *Outbox) Stats(ctx context.Context) (OutboxStats, error) {
	s, ok := o.store.(OutboxStatsStore)
	if !ok {
		return OutboxStats{}, fmt.Errorf("ozg: outbox stats: the store %T cannot count its outbox: %w", o.store, errors.ErrUnsupported)
	}
	st, err := s.OutboxStats(ctx, o.opts.Clock())
	if err != nil {
		return OutboxStats{}, fmt.Errorf("ozg: outbox stats: %w", err)
	}
	return st, nil
}

// OutboxAttempt is one attempt of the outbox's work, as OutboxOptions.OnAttempt sees it.
type OutboxAttempt struct {
	SubmissionID string
	// Delivery names the delivery target (Service.Delivery).
	Delivery string
	// State is the work attempted: DeliveryPending a delivery, DeliveryNotifying the work
	// after it (the receipt), DeliveryWithdrawing a withdrawal.
	State DeliveryState
	// Attempt counts the attempts in this state, this one included.
	Attempt int
	// Duration is how long the work took.
	Duration time.Duration
	// Err is the work's failure, nil on success.
	Err error
	// GaveUp is set when the failure is final: the work is now failed.
	GaveUp bool
}

// reportAttempt tells OnAttempt, if set, of an attempt of entry e that took d and ended in
// werr.
func (o *Outbox) reportAttempt(ctx context.Context, e OutboxEntry, werr error, d time.Duration) {
	if o.opts.OnAttempt == nil {
		return
	}
	o.opts.OnAttempt(ctx, OutboxAttempt{
		SubmissionID: e.SubmissionID, Delivery: e.Delivery, State: e.State, Attempt: e.Attempts,
		Duration: d, Err: werr, GaveUp: werr != nil && (errors.Is(werr, ErrPermanent) || e.Attempts >= o.opts.MaxAttempts),
	})
}
