package mailbox

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a [Store] in memory, for tests, examples and single-process portals. Messages
// are indexed per owner in listing order, so listing one owner's newest messages does not
// depend on how many messages other owners have.
type MemoryStore struct {
	mu      sync.RWMutex
	byID    map[string]*Message
	owners  map[string]*ownerIndex
	pending map[string]*Message // notification not done
}

// ownerIndex holds one owner's messages sorted oldest first, by (Created, ID) ascending.
type ownerIndex struct {
	msgs   []*Message
	unread int // unread messages, so the unfiltered count needs no scan
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		byID:    make(map[string]*Message),
		owners:  make(map[string]*ownerIndex),
		pending: make(map[string]*Message),
	}
}

var _ Store = (*MemoryStore)(nil)

func compareMsg(a *Message, created time.Time, id string) int {
	if c := a.Created.Compare(created); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, id)
}

// Create implements [Store].
func (s *MemoryStore) Create(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insertLocked(m)
}

func (s *MemoryStore) insertLocked(m Message) error {
	if _, ok := s.byID[m.ID]; ok {
		return fmt.Errorf("%w: %s", ErrExists, m.ID)
	}
	p := new(Message)
	*p = m.Clone()
	s.byID[p.ID] = p
	ix := s.owners[p.Owner]
	if ix == nil {
		ix = &ownerIndex{}
		s.owners[p.Owner] = ix
	}
	// Messages usually arrive in time order, so the search ends at the tail.
	i, _ := slices.BinarySearchFunc(ix.msgs, p, func(a, b *Message) int { return compareMsg(a, b.Created, b.ID) })
	ix.msgs = slices.Insert(ix.msgs, i, p)
	if p.ReadAt.IsZero() {
		ix.unread++
	}
	if p.Notification.Pending() {
		s.pending[p.ID] = p
	}
	return nil
}

func (s *MemoryStore) lookupLocked(owner, id string) (*Message, error) {
	p, ok := s.byID[id]
	if !ok || p.Owner != owner {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return p, nil
}

// Get implements [Store].
func (s *MemoryStore) Get(ctx context.Context, owner, id string) (Message, error) {
	if err := ctx.Err(); err != nil {
		return Message{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.lookupLocked(owner, id)
	if err != nil {
		return Message{}, err
	}
	return p.Clone(), nil
}

// List implements [Store].
func (s *MemoryStore) List(ctx context.Context, owner string, q Query) ([]Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Limit < 1 || q.Limit > MaxStoreLimit {
		v := &ValidationError{}
		v.add("limit", "invalid", fmt.Sprintf("Die Seitengröße muss zwischen 1 und %d liegen.", MaxStoreLimit),
			fmt.Sprintf("limit %d outside 1..%d", q.Limit, MaxStoreLimit))
		return nil, v
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix := s.owners[owner]
	if ix == nil {
		return []Message{}, nil
	}
	i := len(ix.msgs)
	if q.After != nil {
		i, _ = slices.BinarySearchFunc(ix.msgs, *q.After, func(a *Message, p Position) int { return compareMsg(a, p.Created, p.ID) })
	}
	out := make([]Message, 0, min(q.Limit, i))
	for i--; i >= 0 && len(out) < q.Limit; i-- {
		p := ix.msgs[i]
		if !q.Filter.Match(p) {
			continue
		}
		m := p.Clone()
		m.Body = ""
		out = append(out, m)
	}
	return out, nil
}

// CountUnread implements [Store].
func (s *MemoryStore) CountUnread(ctx context.Context, owner string, f Filter) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix := s.owners[owner]
	if ix == nil {
		return 0, nil
	}
	if f == (Filter{}) {
		return ix.unread, nil
	}
	n := 0
	for _, p := range ix.msgs {
		if p.ReadAt.IsZero() && f.Match(p) {
			n++
		}
	}
	return n, nil
}

// MarkRead implements [Store].
func (s *MemoryStore) MarkRead(ctx context.Context, owner, id string, at time.Time) (Message, error) {
	if err := ctx.Err(); err != nil {
		return Message{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.lookupLocked(owner, id)
	if err != nil {
		return Message{}, err
	}
	if p.ReadAt.IsZero() {
		p.ReadAt = at
		s.owners[owner].unread--
	}
	return p.Clone(), nil
}

// AddReply implements [Store].
func (s *MemoryStore) AddReply(ctx context.Context, reply Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if reply.Kind != KindReply {
		v := &ValidationError{}
		v.add("kind", "invalid", "Eine Antwort muss die Art reply haben.", "a reply must have kind reply")
		return v
	}
	if err := reply.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookupLocked(reply.Owner, reply.InReplyTo)
	if err != nil {
		return err
	}
	if q.Kind != KindQuery || !q.ReplyAllowed {
		return fmt.Errorf("%w: %s is no query open for replies", ErrReplyNotAllowed, q.ID)
	}
	if q.ReplyID != "" {
		return fmt.Errorf("%w: %s", ErrAlreadyReplied, q.ID)
	}
	if err := s.insertLocked(reply); err != nil {
		return err
	}
	q.ReplyID = reply.ID
	return nil
}

// DueNotifications implements [Store].
func (s *MemoryStore) DueNotifications(ctx context.Context, now time.Time, limit int) ([]Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit < 1 {
		return []Message{}, nil
	}
	s.mu.RLock()
	due := make([]*Message, 0, len(s.pending))
	for _, p := range s.pending {
		if !p.Notification.Next.After(now) {
			due = append(due, p)
		}
	}
	slices.SortFunc(due, func(a, b *Message) int {
		if c := a.Notification.Next.Compare(b.Notification.Next); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	out := make([]Message, 0, min(limit, len(due)))
	for _, p := range due[:min(limit, len(due))] {
		out = append(out, p.Clone())
	}
	s.mu.RUnlock()
	return out, nil
}

// SetNotification implements [Store].
func (s *MemoryStore) SetNotification(ctx context.Context, id string, n NotificationState) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.byID[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	p.Notification = n
	if n.Pending() {
		s.pending[id] = p
	} else {
		delete(s.pending, id)
	}
	return nil
}
