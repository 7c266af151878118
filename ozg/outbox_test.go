package ozg_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// flakyTarget fails the first failures deliveries, then succeeds; permanent makes it refuse.
type flakyTarget struct {
	mu        sync.Mutex
	failures  int
	permanent bool
	calls     int
}

func (f *flakyTarget) Deliver(_ context.Context, s *ozg.Submission, _ ozg.Files) (ozg.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	switch {
	case f.permanent:
		return ozg.Receipt{}, ozg.Permanent(errors.New("schema rejected"))
	case f.calls <= f.failures:
		return ozg.Receipt{}, errors.New("503 Service Unavailable")
	}
	return ozg.Receipt{ID: "fv-" + s.Reference}, nil
}

func TestOutboxDeliversWithRetriesAndReportsBack(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := ozg.NewCatalog(nil)
	if err := c.Register(withoutEvidence(wohngeld(t))); err != nil {
		t.Fatal(err)
	}
	store := ozg.NewMemoryStore()
	apps := ozg.NewApplications(c, store, &ozg.ApplicationsOptions{Clock: clock})
	target := &flakyTarget{failures: 2}
	var delivered []string
	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"fachverfahren": target}, nil, &ozg.OutboxOptions{
		Clock: clock, MinBackoff: time.Minute, MaxBackoff: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnDelivered: func(ctx context.Context, s *ozg.Submission, r ozg.Receipt) error {
			delivered = append(delivered, r.ID)
			if len(delivered) == 1 {
				return errors.New("mailbox unavailable") // the receipt is retried, the delivery is not
			}
			return nil
		},
	})

	a, _ := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika"}`))
	_, sub, err := apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 3; round++ {
		n, err := outbox.RunOnce(ctx)
		if err != nil || n != 1 {
			t.Fatalf("round %d: claimed %d, %v", round, n, err)
		}
		if round < 3 {
			if n, _ := outbox.RunOnce(ctx); n != 0 {
				t.Fatalf("round %d: a failed delivery was retried before its backoff", round)
			}
		}
		e, _ := store.OutboxEntry(ctx, sub.ID)
		if round < 3 && (e.State != ozg.DeliveryPending || e.LastError == "" || !e.NextAttempt.After(now)) {
			t.Fatalf("round %d: entry %+v, want pending with a later attempt", round, e)
		}
		now = e.NextAttempt
	}
	// The delivery moved the application at once; the receipt is the next piece of work.
	e, _ := store.OutboxEntry(ctx, sub.ID)
	if e.State != ozg.DeliveryNotifying || e.Receipt.ID != "fv-WOHNGELD-2026-000001" {
		t.Fatalf("entry after delivery = %+v", e)
	}
	if got, _ := apps.Get(ctx, "alice", a.ID); got.State != ozg.StateDelivered || len(delivered) != 0 {
		t.Fatalf("application %s, hook calls %v", got.State, delivered)
	}
	if n, err := outbox.RunOnce(ctx); n != 1 || err != nil { // the hook fails once
		t.Fatalf("receipt round = %d, %v", n, err)
	}
	e, _ = store.OutboxEntry(ctx, sub.ID)
	if e.State != ozg.DeliveryNotifying || e.LastError != "mailbox unavailable" {
		t.Fatalf("entry after a failed receipt = %+v", e)
	}
	now = e.NextAttempt
	if n, err := outbox.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("receipt retry = %d, %v", n, err)
	}
	if e, _ = store.OutboxEntry(ctx, sub.ID); e.State != ozg.DeliveryDelivered || len(delivered) != 2 || target.calls != 3 {
		t.Fatalf("entry %+v, hook calls %v, deliveries %d", e, delivered, target.calls)
	}
}

func TestOutboxGivesUpOnPermanentFailuresAndUnknownTargets(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	c := ozg.NewCatalog(nil)
	s := withoutEvidence(wohngeld(t))
	other := withoutEvidence(wohngeld(t))
	other.ID, other.Delivery = "wohngeld-2", "nirgendwo"
	for _, svc := range []*ozg.Service{s, other} {
		if err := c.Register(svc); err != nil {
			t.Fatal(err)
		}
	}
	store := ozg.NewMemoryStore()
	apps := ozg.NewApplications(c, store, &ozg.ApplicationsOptions{Clock: func() time.Time { return now }})
	var mu sync.Mutex // the outbox works on entries concurrently
	var failed []string
	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"fachverfahren": &flakyTarget{permanent: true}}, nil, &ozg.OutboxOptions{
		Clock: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnFailed: func(_ context.Context, s *ozg.Submission, err error) {
			mu.Lock()
			defer mu.Unlock()
			failed = append(failed, s.ServiceID)
		},
	})
	var subs []*ozg.Submission
	for i, svc := range []string{"wohngeld", "wohngeld-2"} {
		a, _ := apps.Create(ctx, svc, "alice", json.RawMessage(`{"name":"Erika"}`))
		_, sub, err := apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: string(rune('a' + i))})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	if n, err := outbox.RunOnce(ctx); n != 2 || err != nil {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	for _, sub := range subs {
		if e, _ := store.OutboxEntry(ctx, sub.ID); e.State != ozg.DeliveryFailed || e.LastError == "" {
			t.Errorf("entry %+v, want failed with its reason", e)
		}
	}
	if len(failed) != 2 {
		t.Fatalf("OnFailed called for %v", failed)
	}
}
