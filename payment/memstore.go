package payment

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
)

// MemoryStore is a [Store] in memory, for tests, examples and single-process development.
type MemoryStore struct {
	mu    sync.Mutex
	byID  map[string]*Payment
	byKey map[string]string
}

// NewMemoryStore returns an empty [MemoryStore].
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{byID: map[string]*Payment{}, byKey: map[string]string{}}
}

var _ Store = (*MemoryStore)(nil)

// Create implements [Store].
func (m *MemoryStore) Create(ctx context.Context, p *Payment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.ID == "" || p.Key == "" {
		return invalid("id", "payment id and key must not be empty")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byID[p.ID]; ok {
		return fmt.Errorf("payment: create %s: %w", p.ID, ErrExists)
	}
	if _, ok := m.byKey[p.Key]; ok {
		return fmt.Errorf("payment: create %s: key: %w", p.ID, ErrExists)
	}
	p.Version = 1
	m.byID[p.ID] = p.Clone()
	m.byKey[p.Key] = p.ID
	return nil
}

// Get implements [Store].
func (m *MemoryStore) Get(ctx context.Context, id string) (*Payment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.byID[id]
	if !ok {
		return nil, fmt.Errorf("payment: get %q: %w", truncate(id, 64), ErrNotFound)
	}
	return p.Clone(), nil
}

// GetByKey implements [Store].
func (m *MemoryStore) GetByKey(ctx context.Context, key string) (*Payment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.byKey[key]
	if !ok {
		return nil, fmt.Errorf("payment: get by key: %w", ErrNotFound)
	}
	return m.byID[id].Clone(), nil
}

// Update implements [Store].
func (m *MemoryStore) Update(ctx context.Context, p *Payment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.byID[p.ID]
	if !ok {
		return fmt.Errorf("payment: update %q: %w", truncate(p.ID, 64), ErrNotFound)
	}
	if err := checkImmutable(old, p); err != nil {
		return err
	}
	if old.Version != p.Version {
		return fmt.Errorf("payment: update %s: version %d, stored %d: %w", p.ID, p.Version, old.Version, ErrConflict)
	}
	c := p.Clone()
	c.Version++
	m.byID[p.ID] = c
	p.Version = c.Version
	return nil
}

// checkImmutable refuses an update that changes what a payment is.
func checkImmutable(old, p *Payment) error {
	switch {
	case old.Key != p.Key:
		return invalid("key", "must not change")
	case old.ApplicationID != p.ApplicationID:
		return invalid("applicationId", "must not change")
	case old.Owner != p.Owner:
		return invalid("owner", "must not change")
	case old.Amount != p.Amount:
		return invalid("amount", "must not change")
	case old.Currency != p.Currency:
		return invalid("currency", "must not change")
	}
	return nil
}

// ListByApplication implements [Store].
func (m *MemoryStore) ListByApplication(ctx context.Context, applicationID string) ([]*Payment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	var out []*Payment
	for _, p := range m.byID {
		if p.ApplicationID == applicationID {
			out = append(out, p.Clone())
		}
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b *Payment) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// ListByState implements [Store].
func (m *MemoryStore) ListByState(ctx context.Context, state State, limit int) ([]*Payment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	m.mu.Lock()
	var out []*Payment
	for _, p := range m.byID {
		if p.State == state {
			out = append(out, p.Clone())
		}
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b *Payment) int {
		return cmp.Or(a.UpdatedAt.Compare(b.UpdatedAt), cmp.Compare(a.ID, b.ID))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
