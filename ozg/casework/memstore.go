package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// MemoryStore is a Store in memory, for tests and trials. Its cases are lost on restart; use
// the stores of ozg/sqlstore in production.
type MemoryStore struct {
	mu     sync.RWMutex
	cases  map[string]*Case
	keys   map[string]string // owner + "\x00" + idempotency key -> case id
	apps   map[string]string // application id -> case id
	events map[string][]Event
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{cases: map[string]*Case{}, keys: map[string]string{}, apps: map[string]string{}, events: map[string][]Event{}}
}

var _ Store = (*MemoryStore)(nil)

// Receive implements Store.
func (m *MemoryStore) Receive(ctx context.Context, c *Case, first Event) (*Case, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := CheckCase(c); err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := c.Submission.Owner + "\x00" + c.Submission.IdempotencyKey
	if old, ok := m.cases[c.ID]; ok {
		return old.Clone(), false, nil
	}
	if id, ok := m.keys[key]; ok {
		return m.cases[id].Clone(), false, nil
	}
	stored := c.Clone()
	stored.ReceivedAt = stored.ReceivedAt.UTC()
	m.cases[c.ID] = stored
	m.keys[key] = c.ID
	m.apps[c.Submission.ApplicationID] = c.ID
	first.CaseID, first.Seq, first.At = c.ID, 1, first.At.UTC()
	m.events[c.ID] = []Event{first}
	return stored.Clone(), true, nil
}

// CheckCase is what every store checks on Receive; stores outside the package call it too.
func CheckCase(c *Case) error {
	switch {
	case c == nil || c.Submission == nil:
		return fmt.Errorf("%w: no submission", ErrInvalid)
	case !ValidID(c.ID) || c.ID != c.Submission.ID:
		return fmt.Errorf("%w: case id %q must be the submission's id", ErrInvalid, c.ID)
	case c.Submission.Owner == "" || c.Submission.IdempotencyKey == "" || c.Submission.ApplicationID == "" || c.Submission.ServiceID == "":
		return fmt.Errorf("%w: submission %s lacks owner, idempotency key, application or service", ErrInvalid, c.ID)
	case !c.State.Valid():
		return fmt.Errorf("%w: state %q", ErrInvalid, c.State)
	}
	return nil
}

// Case implements Store.
func (m *MemoryStore) Case(ctx context.Context, id string) (*Case, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.cases[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	return c.Clone(), nil
}

// ByApplication implements Store.
func (m *MemoryStore) ByApplication(ctx context.Context, applicationID string) (*Case, error) {
	m.mu.RLock()
	id, ok := m.apps[applicationID]
	m.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: application %q", ErrNotFound, applicationID)
	}
	return m.Case(ctx, id)
}

// List implements Store.
func (m *MemoryStore) List(ctx context.Context, q Query) ([]*Case, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, "", err
	}
	var after *Case
	if q.Cursor != "" {
		at, id, err := ozg.DecodeCursor(q.Cursor)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %v", ErrBadCursor, err)
		}
		after = &Case{ID: id, ReceivedAt: at}
	}
	ref := strings.ToUpper(q.Reference)
	m.mu.RLock()
	var out []*Case
	for _, c := range m.cases {
		s := c.Submission
		switch {
		case !slices.Contains(q.Services, s.ServiceID),
			q.Service != "" && s.ServiceID != q.Service,
			q.State != "" && c.State != q.State,
			ref != "" && !strings.HasPrefix(strings.ToUpper(s.Reference), ref),
			after != nil && compareCases(c, after) >= 0:
			continue
		}
		out = append(out, c.Clone())
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b *Case) int { return -compareCases(a, b) })
	next := ""
	if len(out) > q.Limit {
		out = out[:q.Limit]
		last := out[len(out)-1]
		next = ozg.EncodeCursor(last.ReceivedAt, last.ID)
	}
	return out, next, nil
}

// compareCases orders cases oldest first: by ReceivedAt (to the microsecond), then ID. A
// listing runs the other way, so "after the cursor" means "compares below it".
func compareCases(a, b *Case) int {
	if c := a.ReceivedAt.Truncate(time.Microsecond).Compare(b.ReceivedAt.Truncate(time.Microsecond)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Append implements Store.
func (m *MemoryStore) Append(ctx context.Context, e Event, from, to ozg.State) (Event, error) {
	if err := ctx.Err(); err != nil {
		return Event{}, err
	}
	if err := CheckEvent(e, to); err != nil {
		return Event{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cases[e.CaseID]
	if !ok {
		return Event{}, fmt.Errorf("%w: %q", ErrNotFound, e.CaseID)
	}
	if to != "" {
		if c.State != from {
			return Event{}, fmt.Errorf("%w: case %s is %s, not %s", ErrStateChanged, c.ID, c.State, from)
		}
		c.State = to
	}
	e.Seq = int64(len(m.events[e.CaseID]) + 1)
	e.At = e.At.UTC()
	m.events[e.CaseID] = append(m.events[e.CaseID], e)
	return e, nil
}

// CheckEvent is what every store checks on Append.
func CheckEvent(e Event, to ozg.State) error {
	switch {
	case !e.Action.Valid():
		return fmt.Errorf("%w: unknown action %q", ErrInvalid, e.Action)
	case e.Actor.Kind != "staff" && e.Actor.Kind != "citizen" && e.Actor.Kind != "system":
		return fmt.Errorf("%w: actor kind %q", ErrInvalid, e.Actor.Kind)
	case len(e.Detail) > 4*MaxTextLength:
		return fmt.Errorf("%w: event detail of %d bytes", ErrInvalid, len(e.Detail))
	case to != "" && !to.Valid():
		return fmt.Errorf("%w: state %q", ErrInvalid, to)
	case e.At.IsZero():
		return fmt.Errorf("%w: event without time", ErrInvalid)
	}
	return nil
}

// Events implements Store.
func (m *MemoryStore) Events(ctx context.Context, caseID string) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if _, ok := m.cases[caseID]; !ok {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, caseID)
	}
	ev := m.events[caseID]
	return slices.Clone(ev[:min(len(ev), MaxEvents)]), nil
}

// HasMessageEvent implements Store.
func (m *MemoryStore) HasMessageEvent(ctx context.Context, caseID, messageID string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.ContainsFunc(m.events[caseID], func(e Event) bool { return e.Message == messageID }), nil
}
