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

func TestOutboxReportsEveryAttemptAndCountsItsWork(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := ozg.NewCatalog(nil)
	if err := c.Register(withoutEvidence(wohngeld(t))); err != nil {
		t.Fatal(err)
	}
	store := ozg.NewMemoryStore()
	apps := ozg.NewApplications(c, store, &ozg.ApplicationsOptions{Clock: clock})
	target := &flakyTarget{failures: 1}
	var (
		mu       sync.Mutex
		attempts []ozg.OutboxAttempt
	)
	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"fachverfahren": target}, nil, &ozg.OutboxOptions{
		Clock: clock, MinBackoff: time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnAttempt: func(_ context.Context, a ozg.OutboxAttempt) {
			mu.Lock()
			attempts = append(attempts, a)
			mu.Unlock()
		},
	})
	submit := func(key string) *ozg.Submission {
		a, err := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika"}`))
		if err != nil {
			t.Fatal(err)
		}
		_, sub, err := apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	sub := submit("k1")
	if st, err := outbox.Stats(ctx); err != nil || st.Pending != 1 || st.Due != 1 || !st.OldestDue.Equal(now) {
		t.Fatalf("Stats after a submit = %+v, %v; want one pending entry due since %v", st, err, now)
	}
	for range 3 {
		if _, err := outbox.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Minute)
	}
	target.permanent = true
	refused := submit("k2")
	if _, err := outbox.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}

	want := []struct {
		id      string
		state   ozg.DeliveryState
		attempt int
		failed  bool
		gaveUp  bool
	}{
		{sub.ID, ozg.DeliveryPending, 1, true, false},
		{sub.ID, ozg.DeliveryPending, 2, false, false},
		{sub.ID, ozg.DeliveryNotifying, 1, false, false},
		{refused.ID, ozg.DeliveryPending, 1, true, true},
	}
	if len(attempts) != len(want) {
		t.Fatalf("OnAttempt saw %d attempts, want %d: %+v", len(attempts), len(want), attempts)
	}
	for i, w := range want {
		a := attempts[i]
		if a.SubmissionID != w.id || a.Delivery != "fachverfahren" || a.State != w.state || a.Attempt != w.attempt ||
			(a.Err != nil) != w.failed || a.GaveUp != w.gaveUp || a.Duration < 0 {
			t.Errorf("attempt %d = %+v, want %+v", i, a, w)
		}
	}
	if st, err := outbox.Stats(ctx); err != nil || st.Depth() != 0 || st.Failed != 1 || st.Due != 0 || !st.OldestDue.IsZero() {
		t.Fatalf("Stats at the end = %+v, %v; want nothing left but one failed entry", st, err)
	}
}

// storeWithoutStats hides MemoryStore's OutboxStats.
type storeWithoutStats struct{ ozg.Store }

func TestOutboxStatsNeedsAStoreThatCounts(t *testing.T) {
	outbox := ozg.NewOutbox(storeWithoutStats{ozg.NewMemoryStore()}, nil, nil, nil)
	if _, err := outbox.Stats(context.Background()); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Stats over a store that cannot count = %v, want errors.ErrUnsupported", err)
	}
}
