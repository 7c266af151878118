package ozg_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

func TestFailedWorkIsInspectedAndRequeuedUntilDelivered(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := ozg.NewCatalog(nil)
	if err := c.Register(withoutEvidence(wohngeld(t))); err != nil {
		t.Fatal(err)
	}
	store := ozg.NewMemoryStore()
	apps := ozg.NewApplications(c, store, &ozg.ApplicationsOptions{Clock: clock})
	target := &flakyTarget{permanent: true}
	receipts := 0
	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"fachverfahren": target}, nil, &ozg.OutboxOptions{
		Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnDelivered: func(context.Context, *ozg.Submission, ozg.Receipt) error {
			receipts++
			if receipts == 1 {
				return ozg.Permanent(errors.New("mailbox refused the receipt"))
			}
			return nil
		},
	})
	a, _ := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika Mustermann"}`))
	_, sub, err := apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := outbox.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}

	failed, err := outbox.FailedWork(ctx, 10)
	if err != nil || len(failed) != 1 {
		t.Fatalf("FailedWork = %+v, %v", failed, err)
	}
	w := failed[0]
	if w.SubmissionID != sub.ID || w.Reference != sub.Reference || w.ServiceID != "wohngeld" || w.Delivery != "fachverfahren" ||
		w.State != ozg.DeliveryFailed || w.FailedStep() != ozg.DeliveryPending || w.Attempts != 1 || !strings.Contains(w.LastError, "schema rejected") ||
		!w.SubmittedAt.Equal(sub.SubmittedAt) {
		t.Fatalf("failed work = %+v", w)
	}
	if b, _ := json.Marshal(w); strings.Contains(string(b), "Erika") || strings.Contains(string(b), "alice") {
		t.Fatalf("the inspected work carries personal data: %s", b)
	}
	if got, err := outbox.Entry(ctx, sub.ID); err != nil || got != w {
		t.Fatalf("Entry = %+v, %v; want %+v", got, err, w)
	}

	// Requeued, the delivery is due at once with its attempts counted from zero; the target
	// still refuses, so it fails again, then accepts.
	if err := outbox.Requeue(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := outbox.Entry(ctx, sub.ID); got.State != ozg.DeliveryPending || got.Attempts != 0 || got.LastError != "" || got.FailedStep() != ozg.DeliveryPending {
		t.Fatalf("requeued entry = %+v", got)
	}
	if err := outbox.Requeue(ctx, sub.ID); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("a second requeue = %v, want ErrInvalidTransition", err)
	}
	target.permanent = false
	if n, err := outbox.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("delivery after requeue = %d, %v", n, err)
	}
	// The receipt fails for good: the failed step is the receipt, and requeueing repeats only it.
	if n, err := outbox.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("receipt = %d, %v", n, err)
	}
	if got, _ := outbox.Entry(ctx, sub.ID); got.State != ozg.DeliveryFailed || got.FailedStep() != ozg.DeliveryNotifying || got.Receipt == nil {
		t.Fatalf("entry after the failed receipt = %+v", got)
	}
	if err := outbox.Requeue(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := outbox.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("receipt after requeue = %d, %v", n, err)
	}
	if got, _ := outbox.Entry(ctx, sub.ID); got.State != ozg.DeliveryDelivered || target.calls != 2 || receipts != 2 {
		t.Fatalf("entry %+v after %d deliveries and %d receipts", got, target.calls, receipts)
	}
	if failed, err := outbox.FailedWork(ctx, 10); err != nil || len(failed) != 0 {
		t.Fatalf("FailedWork at the end = %+v, %v", failed, err)
	}
}

func TestInspectingAnUnknownEntryIsNotFound(t *testing.T) {
	outbox := ozg.NewOutbox(ozg.NewMemoryStore(), nil, nil, nil)
	for _, id := range []string{"", "nope", "'; DROP TABLE outbox; --", "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"} {
		if _, err := outbox.Entry(context.Background(), id); !errors.Is(err, ozg.ErrNotFound) {
			t.Errorf("Entry(%q) = %v, want ErrNotFound", id, err)
		}
	}
	for _, n := range []int{0, -1, 1001} {
		if _, err := outbox.FailedWork(context.Background(), n); err == nil {
			t.Errorf("FailedWork(%d) gave no error", n)
		}
	}
}
