package ozg

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

func subKey(owner, key string) string { return owner + "\x00" + key }

func cloneSubmission(s *Submission) *Submission {
	c := *s
	c.Data = slices.Clone(s.Data)
	c.Attachments = slices.Clone(s.Attachments)
	if s.Payment != nil {
		p := *s.Payment
		c.Payment = &p
	}
	return &c
}

// Submit implements SubmissionStore.
func (m *MemoryStore) Submit(ctx context.Context, app *Application, sub *Submission) error {
	return m.submit(ctx, app, sub, nil)
}

// SubmitNumbered implements NumberingStore: the number is drawn under the same lock as the
// submit, and only when the submit succeeds.
func (m *MemoryStore) SubmitNumbered(ctx context.Context, app *Application, sub *Submission, num Numbering) error {
	if err := num.Check(); err != nil {
		return err
	}
	return m.submit(ctx, app, sub, &num)
}

func (m *MemoryStore) submit(ctx context.Context, app *Application, sub *Submission, num *Numbering) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if sub.ID == "" || sub.Owner == "" || sub.IdempotencyKey == "" {
		return fmt.Errorf("%w: submission id, owner and idempotency key are required", ErrInvalidApplication)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if id, dup := m.subByKey[subKey(sub.Owner, sub.IdempotencyKey)]; dup {
		return fmt.Errorf("%w: key %q was used for submission %s", ErrDuplicateSubmission, sub.IdempotencyKey, id)
	}
	if _, dup := m.subs[sub.ID]; dup {
		return fmt.Errorf("%w: submission %s", ErrExists, sub.ID)
	}
	stored, err := m.checkUpdate(app)
	if err != nil {
		return err
	}
	if num != nil {
		m.seqs[num.Sequence]++
		ref := num.Reference(m.seqs[num.Sequence])
		app.Reference, sub.Reference = ref, ref
	}
	m.applyUpdate(stored, app)
	m.subs[sub.ID] = cloneSubmission(sub)
	m.subByKey[subKey(sub.Owner, sub.IdempotencyKey)] = sub.ID
	m.outbox[sub.ID] = &memEntry{OutboxEntry: OutboxEntry{
		SubmissionID: sub.ID, Delivery: sub.Delivery, State: DeliveryPending, NextAttempt: sub.SubmittedAt.UTC(),
	}}
	return nil
}

// Submission implements SubmissionStore.
func (m *MemoryStore) Submission(ctx context.Context, id string) (*Submission, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.subs[id]
	if !ok {
		return nil, fmt.Errorf("%w: submission %s", ErrNotFound, id)
	}
	return cloneSubmission(s), nil
}

// SubmissionByKey implements SubmissionStore.
func (m *MemoryStore) SubmissionByKey(ctx context.Context, owner, key string) (*Submission, error) {
	m.mu.RLock()
	id, ok := m.subByKey[subKey(owner, key)]
	m.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: no submission of this owner under key %q", ErrNotFound, key)
	}
	return m.Submission(ctx, id)
}

// ClaimDeliveries implements SubmissionStore.
func (m *MemoryStore) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, n int) ([]OutboxEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var due []*memEntry
	for _, e := range m.outbox {
		if e.State.Claimable() && !e.NextAttempt.After(now) && !e.leaseUntil.After(now) {
			due = append(due, e)
		}
	}
	slices.SortFunc(due, func(a, b *memEntry) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return strings.Compare(a.SubmissionID, b.SubmissionID)
	})
	out := make([]OutboxEntry, 0, min(n, len(due)))
	for _, e := range due[:min(n, len(due))] {
		e.Attempts++
		e.leaseUntil = now.Add(lease)
		out = append(out, e.OutboxEntry)
	}
	return out, nil
}

// entry returns entry id when its state is one of states, or why not. m.mu is held.
func (m *MemoryStore) entry(id string, states ...DeliveryState) (*memEntry, error) {
	e, ok := m.outbox[id]
	if !ok {
		return nil, fmt.Errorf("%w: outbox entry %s", ErrNotFound, id)
	}
	if !slices.Contains(states, e.State) {
		return nil, fmt.Errorf("%w: outbox entry %s is %s", ErrInvalidTransition, id, e.State)
	}
	return e, nil
}

func (m *MemoryStore) changeEntry(ctx context.Context, id string, fn func(e *memEntry) error, states ...DeliveryState) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.entry(id, states...)
	if err != nil {
		return err
	}
	return fn(e)
}

var claimable = []DeliveryState{DeliveryPending, DeliveryNotifying, DeliveryWithdrawing}

// restart puts e into state, due at once with no attempts.
func (e *memEntry) restart(state DeliveryState) {
	e.State, e.Attempts, e.LastError, e.leaseUntil = state, 0, "", time.Time{}
}

// CompleteDelivery implements SubmissionStore.
func (m *MemoryStore) CompleteDelivery(ctx context.Context, id string, r Receipt) error {
	return m.changeEntry(ctx, id, func(e *memEntry) error {
		e.Receipt = &r
		if e.State == DeliveryWithdrawn {
			e.restart(DeliveryWithdrawing)
			return nil
		}
		if sub, ok := m.subs[id]; ok {
			if a, ok := m.apps[sub.ApplicationID]; ok && a.State == StateSubmitted {
				next := a.Clone()
				if err := next.Transition(StateDelivered, r.DeliveredAt, deliveredNote(r)); err != nil {
					return err
				}
				next.Version = a.Version
				m.applyUpdate(a, next)
			}
		}
		e.restart(DeliveryNotifying)
		return nil
	}, DeliveryPending, DeliveryWithdrawn)
}

// AcknowledgeDelivery implements SubmissionStore.
func (m *MemoryStore) AcknowledgeDelivery(ctx context.Context, id string) error {
	return m.changeEntry(ctx, id, func(e *memEntry) error { e.restart(DeliveryDelivered); return nil }, DeliveryNotifying)
}

// CompleteWithdrawal implements SubmissionStore.
func (m *MemoryStore) CompleteWithdrawal(ctx context.Context, id string) error {
	return m.changeEntry(ctx, id, func(e *memEntry) error { e.restart(DeliveryWithdrawn); return nil }, DeliveryWithdrawing)
}

// RetryDelivery implements SubmissionStore.
func (m *MemoryStore) RetryDelivery(ctx context.Context, id, lastError string, next time.Time) error {
	return m.changeEntry(ctx, id, func(e *memEntry) error {
		e.LastError, e.NextAttempt, e.leaseUntil = lastError, next.UTC(), time.Time{}
		return nil
	}, claimable...)
}

// FailDelivery implements SubmissionStore.
func (m *MemoryStore) FailDelivery(ctx context.Context, id, lastError string) error {
	return m.changeEntry(ctx, id, func(e *memEntry) error {
		e.FailedIn, e.State, e.LastError = e.State, DeliveryFailed, lastError
		return nil
	}, claimable...)
}

// Requeue implements SubmissionStore.
func (m *MemoryStore) Requeue(ctx context.Context, id string, now time.Time) error {
	return m.changeEntry(ctx, id, func(e *memEntry) error {
		state := e.FailedIn
		if !state.Claimable() {
			state = DeliveryPending
		}
		e.restart(state)
		e.FailedIn, e.NextAttempt = "", now.UTC()
		return nil
	}, DeliveryFailed)
}

// Withdraw implements SubmissionStore.
func (m *MemoryStore) Withdraw(ctx context.Context, app *Application) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	stored, err := m.checkUpdate(app)
	if err != nil {
		return err
	}
	for id, sub := range m.subs {
		if sub.ApplicationID != app.ID {
			continue
		}
		e := m.outbox[id]
		switch e.State {
		case DeliveryPending:
			e.State = DeliveryWithdrawn
		case DeliveryNotifying, DeliveryDelivered:
			e.restart(DeliveryWithdrawing)
			e.NextAttempt = app.UpdatedAt.UTC()
		}
	}
	m.applyUpdate(stored, app)
	return nil
}

// SubmissionOf implements SubmissionStore.
func (m *MemoryStore) SubmissionOf(ctx context.Context, applicationID string) (*Submission, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, s := range m.subs {
		if s.ApplicationID == applicationID {
			return cloneSubmission(s), nil
		}
	}
	return nil, fmt.Errorf("%w: submission of application %s", ErrNotFound, applicationID)
}

// FailedDeliveries implements SubmissionStore.
func (m *MemoryStore) FailedDeliveries(ctx context.Context, n int) ([]OutboxEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []OutboxEntry
	for _, e := range m.outbox {
		if e.State == DeliveryFailed {
			out = append(out, e.copy())
		}
	}
	slices.SortFunc(out, func(a, b OutboxEntry) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return strings.Compare(a.SubmissionID, b.SubmissionID)
	})
	return out[:min(n, len(out))], nil
}

func (e *memEntry) copy() OutboxEntry {
	out := e.OutboxEntry
	if e.Receipt != nil {
		r := *e.Receipt
		out.Receipt = &r
	}
	return out
}

// OutboxEntry implements SubmissionStore.
func (m *MemoryStore) OutboxEntry(ctx context.Context, id string) (OutboxEntry, error) {
	if err := ctx.Err(); err != nil {
		return OutboxEntry{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.outbox[id]
	if !ok {
		return OutboxEntry{}, fmt.Errorf("%w: outbox entry %s", ErrNotFound, id)
	}
	return e.copy(), nil
}
