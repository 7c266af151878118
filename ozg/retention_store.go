package ozg

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// RetentionClass selects the applications a retention walk visits.
type RetentionClass string

const (
	// RetentionDrafts: applications without a submission (drafts, and drafts withdrawn).
	RetentionDrafts RetentionClass = "drafts"
	// RetentionSubmissions: applications whose submission's outbox entry is settled:
	// delivered or withdrawn.
	RetentionSubmissions RetentionClass = "submissions"
)

// MaxRetentionBatch is the largest RetentionQuery.Limit a RetentionStore must accept.
const MaxRetentionBatch = 1000

// RetentionQuery asks for one batch of a retention walk.
type RetentionQuery struct {
	// ServiceID is the service whose applications are walked.
	ServiceID string
	// Class is which applications.
	Class RetentionClass
	// Before: only applications last changed (UpdatedAt) before this time.
	Before time.Time
	// After, when not nil, skips every application up to and including this position in
	// the walk's order, so the walk continues where the last batch ended.
	After *RetentionPosition
	// Limit is the most applications to return: 1 to MaxRetentionBatch.
	Limit int
}

// RetentionPosition is a place in a retention walk: applications in order of UpdatedAt, then
// ID, ascending.
type RetentionPosition struct {
	UpdatedAt time.Time
	ID        string
}

// RetentionCandidate is an application a retention walk found, without personal data.
type RetentionCandidate struct {
	ID        string
	ServiceID string
	State     State
	UpdatedAt time.Time
	// Version is the application's version when it was found; Purge deletes it only at
	// this version.
	Version int64
	// SubmissionID is "" for an application never submitted.
	SubmissionID string
	// Delivery is the state of the submission's outbox entry ("" without a submission).
	Delivery DeliveryState
}

// Position returns the candidate's place in the walk.
func (c RetentionCandidate) Position() RetentionPosition {
	return RetentionPosition{UpdatedAt: c.UpdatedAt, ID: c.ID}
}

// RetentionStore is a Store that can find and delete applications for retention
// (Löschfristen). It is separate from Store so that stores written before it keep compiling;
// MemoryStore and ozg/sqlstore's store implement it, and ozgtest.RunRetentionStoreConformance
// checks the contract:
//   - RetentionCandidates returns up to q.Limit applications of q.ServiceID last changed
//     before q.Before, oldest change first (UpdatedAt ascending, then ID ascending), after
//     q.After when set. Class RetentionDrafts returns applications without a submission;
//     RetentionSubmissions those whose outbox entry is delivered or withdrawn, never one that
//     is pending, notifying, withdrawing or failed. A Limit outside 1..MaxRetentionBatch or
//     an unknown class is an error wrapping ErrBadPage.
//   - Purge deletes, in one transaction, every application of batch (at most
//     MaxRetentionBatch; only ID and Version are read) that is still at the candidate's
//     Version and whose outbox entry, if it has one, is delivered or withdrawn with no claim
//     (lease) running past now, together with its submission and outbox entry, and returns
//     the ids it deleted in batch order. An application that is gone, changed since it was
//     found, or whose entry the outbox still works on (pending, notifying, withdrawing) or
//     gave up on (failed) is left alone and not returned. On error nothing is deleted.
//     Evidence and Postfach messages are not the store's; the caller deletes them.
type RetentionStore interface {
	RetentionCandidates(ctx context.Context, q RetentionQuery) ([]RetentionCandidate, error)
	Purge(ctx context.Context, batch []RetentionCandidate, now time.Time) ([]string, error)
}

var _ RetentionStore = (*MemoryStore)(nil)

// Settled reports whether an outbox entry in state s is done for good without a failure:
// delivered or withdrawn.
func (s DeliveryState) Settled() bool { return s == DeliveryDelivered || s == DeliveryWithdrawn }

// Check returns an error wrapping ErrBadPage when q cannot be answered.
func (q RetentionQuery) Check() error {
	if q.Limit < 1 || q.Limit > MaxRetentionBatch {
		return fmt.Errorf("%w: retention batch of %d is not between 1 and %d", ErrBadPage, q.Limit, MaxRetentionBatch)
	}
	if q.Class != RetentionDrafts && q.Class != RetentionSubmissions {
		return fmt.Errorf("%w: unknown retention class %q", ErrBadPage, q.Class)
	}
	return nil
}

func compareRetention(a, b RetentionPosition) int {
	return cmp.Or(a.UpdatedAt.Compare(b.UpdatedAt), cmp.Compare(a.ID, b.ID))
}

// RetentionCandidates implements RetentionStore.
func (m *MemoryStore) RetentionCandidates(ctx context.Context, q RetentionQuery) ([]RetentionCandidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Check(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	subOf := make(map[string]string, len(m.subs))
	for id, s := range m.subs {
		subOf[s.ApplicationID] = id
	}
	var out []RetentionCandidate
	for _, a := range m.apps {
		if a.ServiceID != q.ServiceID || !a.UpdatedAt.Before(q.Before) {
			continue
		}
		c := RetentionCandidate{ID: a.ID, ServiceID: a.ServiceID, State: a.State, UpdatedAt: a.UpdatedAt, Version: a.Version}
		if q.After != nil && compareRetention(c.Position(), *q.After) <= 0 {
			continue
		}
		if sid, ok := subOf[a.ID]; ok {
			c.SubmissionID, c.Delivery = sid, m.outbox[sid].State
		}
		switch q.Class {
		case RetentionDrafts:
			if c.SubmissionID != "" {
				continue
			}
		case RetentionSubmissions:
			if c.SubmissionID == "" || !c.Delivery.Settled() {
				continue
			}
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b RetentionCandidate) int { return compareRetention(a.Position(), b.Position()) })
	return out[:min(q.Limit, len(out))], nil
}

// Purge implements RetentionStore.
func (m *MemoryStore) Purge(ctx context.Context, batch []RetentionCandidate, now time.Time) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(batch) > MaxRetentionBatch {
		return nil, fmt.Errorf("%w: purge of %d is more than %d", ErrBadPage, len(batch), MaxRetentionBatch)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	subOf := make(map[string]string, len(m.subs))
	for id, s := range m.subs {
		subOf[s.ApplicationID] = id
	}
	var purged []string
	for _, c := range batch {
		a, ok := m.apps[c.ID]
		if !ok || a.Version != c.Version {
			continue
		}
		if subID, ok := subOf[c.ID]; ok {
			e := m.outbox[subID]
			if !e.State.Settled() || e.leaseUntil.After(now) {
				continue
			}
			s := m.subs[subID]
			delete(m.outbox, subID)
			delete(m.subByKey, subKey(s.Owner, s.IdempotencyKey))
			delete(m.subs, subID)
		}
		delete(m.apps, c.ID)
		m.byOwner[a.Owner] = slices.DeleteFunc(m.byOwner[a.Owner], func(x *Application) bool { return x.ID == c.ID })
		if len(m.byOwner[a.Owner]) == 0 {
			delete(m.byOwner, a.Owner)
		}
		purged = append(purged, c.ID)
	}
	return purged, nil
}
