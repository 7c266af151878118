package ozg

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemoryStore is an ApplicationStore in memory, for tests and the examples' defaults. What it
// holds is gone when the process ends.
type MemoryStore struct {
	mu      sync.RWMutex
	apps    map[string]*Application
	byOwner map[string][]*Application // sorted newest first
	seqs    map[string]int64

	subs     map[string]*Submission
	subByKey map[string]string // owner + "\x00" + idempotency key → submission id
	outbox   map[string]*memEntry
}

type memEntry struct {
	OutboxEntry
	leaseUntil time.Time
}

var _ NumberingStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		apps: map[string]*Application{}, byOwner: map[string][]*Application{}, seqs: map[string]int64{},
		subs: map[string]*Submission{}, subByKey: map[string]string{}, outbox: map[string]*memEntry{},
	}
}

// newerFirst orders applications newest first, then by id descending.
func newerFirst(a, b *Application) int {
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// Create implements ApplicationStore.
func (m *MemoryStore) Create(ctx context.Context, a *Application) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a.ID == "" || a.Owner == "" {
		return fmt.Errorf("%w: id and owner are required", ErrInvalidApplication)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.apps[a.ID]; ok {
		return fmt.Errorf("%w: application %s", ErrExists, a.ID)
	}
	c := a.Clone()
	c.Version = 1
	m.apps[a.ID] = c
	list := m.byOwner[a.Owner]
	i, _ := slices.BinarySearchFunc(list, c, newerFirst)
	m.byOwner[a.Owner] = slices.Insert(list, i, c)
	a.Version = 1
	return nil
}

// Get implements ApplicationStore.
func (m *MemoryStore) Get(ctx context.Context, id string) (*Application, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.apps[id]
	if !ok {
		return nil, fmt.Errorf("%w: application %s", ErrNotFound, id)
	}
	return a.Clone(), nil
}

// Update implements ApplicationStore.
func (m *MemoryStore) Update(ctx context.Context, a *Application) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	stored, err := m.checkUpdate(a)
	if err != nil {
		return err
	}
	m.applyUpdate(stored, a)
	return nil
}

// checkUpdate returns the stored application a may replace, or why not. m.mu is held.
func (m *MemoryStore) checkUpdate(a *Application) (*Application, error) {
	stored, ok := m.apps[a.ID]
	if !ok {
		return nil, fmt.Errorf("%w: application %s", ErrNotFound, a.ID)
	}
	if stored.Version != a.Version {
		return nil, fmt.Errorf("%w: application %s is at version %d, the update was based on %d", ErrConflict, a.ID, stored.Version, a.Version)
	}
	if err := CheckImmutable(stored, a); err != nil {
		return nil, err
	}
	return stored, nil
}

// applyUpdate replaces stored by a copy of a at the next version. m.mu is held.
func (m *MemoryStore) applyUpdate(stored, a *Application) {
	c := a.Clone()
	c.Version = a.Version + 1
	*stored = *c // the owner index points at stored, so update it in place
	a.Version = c.Version
}

// ListByOwner implements ApplicationStore.
func (m *MemoryStore) ListByOwner(ctx context.Context, owner string, page Page) ([]*Application, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	page, err := page.Normalize()
	if err != nil {
		return nil, "", err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	list := m.byOwner[owner]
	start := 0
	if page.Cursor != "" {
		at, id, err := DecodeCursor(page.Cursor)
		if err != nil {
			return nil, "", err
		}
		// the first entry after the cursor's position in newest-first order
		start, _ = slices.BinarySearchFunc(list, &Application{CreatedAt: at, ID: id}, newerFirst)
		if start < len(list) && list[start].ID == id && list[start].CreatedAt.Equal(at) {
			start++
		}
	}
	end := min(start+page.Limit, len(list))
	out := make([]*Application, 0, end-start)
	for _, a := range list[start:end] {
		out = append(out, a.Clone())
	}
	next := ""
	if end < len(list) && len(out) > 0 {
		last := out[len(out)-1]
		next = EncodeCursor(last.CreatedAt, last.ID)
	}
	return out, next, nil
}

// Delete implements ApplicationStore.
func (m *MemoryStore) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[id]
	if !ok {
		return fmt.Errorf("%w: application %s", ErrNotFound, id)
	}
	delete(m.apps, id)
	m.byOwner[a.Owner] = slices.DeleteFunc(m.byOwner[a.Owner], func(x *Application) bool { return x.ID == id })
	if len(m.byOwner[a.Owner]) == 0 {
		delete(m.byOwner, a.Owner)
	}
	return nil
}

// NextSequence implements ApplicationStore.
func (m *MemoryStore) NextSequence(ctx context.Context, name string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seqs[name]++
	return m.seqs[name], nil
}
