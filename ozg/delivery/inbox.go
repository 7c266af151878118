package delivery

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// Inbox is a local delivery target that keeps submissions in memory, for a case-worker view in
// the examples and for tests. Repeated deliveries of one submission are kept once. The
// attachments stay in the portal's blob store; the submission names their keys.
type Inbox struct {
	mu        sync.RWMutex
	subs      map[string]*ozg.Submission
	withdrawn map[string]time.Time
	now       func() time.Time
}

// NewInbox returns an empty inbox.
func NewInbox() *Inbox {
	return &Inbox{subs: map[string]*ozg.Submission{}, withdrawn: map[string]time.Time{}, now: time.Now}
}

var _ ozg.Withdrawer = (*Inbox)(nil)

// Withdraw implements ozg.Withdrawer: the submission is marked withdrawn (a repeat is
// harmless). A submission the inbox never received is a permanent failure.
func (in *Inbox) Withdraw(ctx context.Context, s *ozg.Submission, _ ozg.Receipt) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.subs[s.ID]; !ok {
		return ozg.Permanent(fmt.Errorf("delivery: inbox has no submission %s to withdraw", s.ID))
	}
	if _, ok := in.withdrawn[s.ID]; !ok {
		in.withdrawn[s.ID] = in.now().UTC()
	}
	return nil
}

// Withdrawn reports whether submission id was withdrawn, and when.
func (in *Inbox) Withdrawn(id string) (time.Time, bool) {
	in.mu.RLock()
	defer in.mu.RUnlock()
	t, ok := in.withdrawn[id]
	return t, ok
}

// Deliver implements ozg.Delivery.
func (in *Inbox) Deliver(ctx context.Context, s *ozg.Submission, _ ozg.Files) (ozg.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return ozg.Receipt{}, err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.subs[s.ID]; !ok {
		c := *s
		in.subs[s.ID] = &c
	}
	return ozg.Receipt{ID: "inbox:" + s.ID, DeliveredAt: in.now().UTC()}, nil
}

// Submissions returns the received submissions, newest first.
func (in *Inbox) Submissions() []*ozg.Submission {
	in.mu.RLock()
	out := make([]*ozg.Submission, 0, len(in.subs))
	for _, s := range in.subs {
		c := *s
		out = append(out, &c)
	}
	in.mu.RUnlock()
	slices.SortFunc(out, func(a, b *ozg.Submission) int {
		if c := b.SubmittedAt.Compare(a.SubmittedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// Submission returns one received submission.
func (in *Inbox) Submission(id string) (*ozg.Submission, bool) {
	in.mu.RLock()
	defer in.mu.RUnlock()
	s, ok := in.subs[id]
	if !ok {
		return nil, false
	}
	c := *s
	return &c, true
}
