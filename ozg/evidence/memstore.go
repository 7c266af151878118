package evidence

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a [Store] in memory, for tests, examples and single-process portals that
// can lose their metadata on restart.
type MemoryStore struct {
	mu   sync.RWMutex
	byID map[string]Evidence
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{byID: make(map[string]Evidence)}
}

func compareEvidence(a, b Evidence) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
}

// Create implements [Store].
func (s *MemoryStore) Create(ctx context.Context, e Evidence) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[e.ID]; ok {
		return fmt.Errorf("evidence: create %q: %w", e.ID, ErrExists)
	}
	s.byID[e.ID] = e
	return nil
}

// Get implements [Store].
func (s *MemoryStore) Get(ctx context.Context, id string) (Evidence, error) {
	if err := ctx.Err(); err != nil {
		return Evidence{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.byID[id]
	if !ok {
		return Evidence{}, fmt.Errorf("evidence: get %q: %w", id, ErrNotFound)
	}
	return e, nil
}

// List implements [Store].
func (s *MemoryStore) List(ctx context.Context, applicationID string) ([]Evidence, error) {
	return s.filter(ctx, 0, func(e Evidence) bool { return e.ApplicationID == applicationID })
}

// ListByScanState implements [Store].
func (s *MemoryStore) ListByScanState(ctx context.Context, state ScanState, limit int) ([]Evidence, error) {
	return s.filter(ctx, limit, func(e Evidence) bool { return e.ScanState == state })
}

func (s *MemoryStore) filter(ctx context.Context, limit int, keep func(Evidence) bool) ([]Evidence, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	out := []Evidence{}
	for _, e := range s.byID {
		if keep(e) {
			out = append(out, e)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, compareEvidence)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// UpdateScan implements [Store].
func (s *MemoryStore) UpdateScan(ctx context.Context, id string, state ScanState, detail string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return fmt.Errorf("evidence: update scan %q: %w", id, ErrNotFound)
	}
	e.ScanState, e.ScanDetail, e.UpdatedAt = state, detail, at
	s.byID[id] = e
	return nil
}

// Delete implements [Store].
func (s *MemoryStore) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[id]; !ok {
		return fmt.Errorf("evidence: delete %q: %w", id, ErrNotFound)
	}
	delete(s.byID, id)
	return nil
}

// ListApplications implements [Store].
func (s *MemoryStore) ListApplications(ctx context.Context, createdBefore time.Time, after string, limit int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	s.mu.RLock()
	for _, e := range s.byID {
		if e.CreatedAt.Before(createdBefore) && e.ApplicationID > after {
			seen[e.ApplicationID] = true
		}
	}
	s.mu.RUnlock()
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
