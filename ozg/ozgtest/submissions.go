package ozgtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

// NewFullStore returns an empty ozg.Store for one test.
type NewFullStore func(t *testing.T) ozg.Store

// RunSubmissionStoreConformance checks that the stores made by newStore keep the
// SubmissionStore contract. Each subtest gets a fresh store.
func RunSubmissionStoreConformance(t *testing.T, newStore NewFullStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s ozg.Store)
	}{
		{"a submit stores application, submission and outbox entry together", testSubmit},
		{"a second submit under one key changes nothing", testSubmitDuplicateKey},
		{"a submit on a stale application version leaves nothing behind", testSubmitStale},
		{"claims hand out due entries once until their lease ends", testClaim},
		{"concurrent claims never hand out one entry twice", testConcurrentClaims},
		{"delivered, retried and failed entries follow their rules", testDeliveryOutcomes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

// submitted creates a draft for owner and submits it under key at time at.
func submitted(t *testing.T, s ozg.Store, owner, key string, at time.Time) (*ozg.Application, *ozg.Submission) {
	t.Helper()
	a := newApp(owner, at)
	mustCreate(t, s, a)
	if err := a.Transition(ozg.StateSubmitted, at, ""); err != nil {
		t.Fatal(err)
	}
	a.Reference = "WOHNGELD-2026-" + uuid.NewString()[:8]
	sub := &ozg.Submission{
		ID: uuid.NewString(), ApplicationID: a.ID, ServiceID: a.ServiceID, LeikaKey: "99107004017000",
		Reference: a.Reference, Delivery: "fachverfahren", Owner: owner, IdempotencyKey: key,
		Identity: ozg.IdentityFacts{Subject: owner, Level: identity.LevelHigh, Method: "eID"},
		Data:     a.Data,
		Attachments: []ozg.Attachment{{ID: uuid.NewString(), RequirementID: "mietvertrag", FileName: "mietvertrag.pdf",
			MediaType: "application/pdf", Size: 1234, SHA512: "ab12", BlobKey: "ev/ab/12"}},
		Payment:     &ozg.PaymentFacts{Method: "CREDITCARD", Status: "PAYED", TransactionID: "tx-1", Reference: "KZ-1", Timestamp: at, GrossAmount: 1550},
		SubmittedAt: at,
	}
	if err := s.Submit(context.Background(), a, sub); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return a, sub
}

func testSubmit(t *testing.T, s ozg.Store) {
	ctx := context.Background()
	a, sub := submitted(t, s, "alice", "key-1", base)
	if a.Version != 2 {
		t.Fatalf("Submit left the version at %d, want 2", a.Version)
	}
	stored := mustGet(t, s, a.ID)
	if stored.State != ozg.StateSubmitted || stored.Reference != a.Reference || stored.Version != 2 {
		t.Fatalf("stored application %s %q v%d", stored.State, stored.Reference, stored.Version)
	}
	got, err := s.Submission(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reference != sub.Reference || got.Owner != "alice" || !equalJSON(got.Data, sub.Data) ||
		len(got.Attachments) != 1 || got.Attachments[0] != sub.Attachments[0] ||
		got.Payment == nil || got.Payment.GrossAmount != 1550 || !got.Payment.Timestamp.Equal(base) ||
		got.Identity != sub.Identity || !got.SubmittedAt.Equal(base) {
		t.Fatalf("stored submission %+v, want %+v", got, sub)
	}
	byKey, err := s.SubmissionByKey(ctx, "alice", "key-1")
	if err != nil || byKey.ID != sub.ID {
		t.Fatalf("SubmissionByKey = %v, %v", byKey, err)
	}
	if _, err := s.SubmissionByKey(ctx, "mallory", "key-1"); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("another owner's key = %v, want ErrNotFound", err)
	}
	if _, err := s.Submission(ctx, uuid.NewString()); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("missing submission = %v, want ErrNotFound", err)
	}
	e, err := s.OutboxEntry(ctx, sub.ID)
	if err != nil || e.State != ozg.DeliveryPending || e.Delivery != "fachverfahren" || e.Attempts != 0 || !e.NextAttempt.Equal(base) {
		t.Fatalf("outbox entry %+v, %v", e, err)
	}
}

func testSubmitDuplicateKey(t *testing.T, s ozg.Store) {
	ctx := context.Background()
	_, first := submitted(t, s, "alice", "key-1", base)
	b := newApp("alice", base)
	mustCreate(t, s, b)
	want := mustGet(t, s, b.ID)
	if err := b.Transition(ozg.StateSubmitted, base, ""); err != nil {
		t.Fatal(err)
	}
	sub := &ozg.Submission{ID: uuid.NewString(), ApplicationID: b.ID, Owner: "alice", IdempotencyKey: "key-1", Delivery: "x", SubmittedAt: base, Data: b.Data}
	if err := s.Submit(ctx, b, sub); !errors.Is(err, ozg.ErrDuplicateSubmission) {
		t.Fatalf("Submit under a used key = %v, want ErrDuplicateSubmission", err)
	}
	if d := diff(mustGet(t, s, b.ID), want); d != "" {
		t.Fatalf("the refused submit changed the application: %s", d)
	}
	if _, err := s.Submission(ctx, sub.ID); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("the refused submission was stored: %v", err)
	}
	if got, _ := s.SubmissionByKey(ctx, "alice", "key-1"); got == nil || got.ID != first.ID {
		t.Fatal("the key no longer leads to the first submission")
	}
	// Another owner may use the same key.
	submitted(t, s, "bob", "key-1", base)
}

func testSubmitStale(t *testing.T, s ozg.Store) {
	ctx := context.Background()
	a := newApp("alice", base)
	mustCreate(t, s, a)
	stale := mustGet(t, s, a.ID)
	a.Data = []byte(`{"name":"changed"}`)
	if err := s.Update(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := stale.Transition(ozg.StateSubmitted, base, ""); err != nil {
		t.Fatal(err)
	}
	sub := &ozg.Submission{ID: uuid.NewString(), ApplicationID: a.ID, Owner: "alice", IdempotencyKey: "k", Delivery: "x", SubmittedAt: base, Data: stale.Data}
	if err := s.Submit(ctx, stale, sub); !errors.Is(err, ozg.ErrConflict) {
		t.Fatalf("Submit at a stale version = %v, want ErrConflict", err)
	}
	if _, err := s.Submission(ctx, sub.ID); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("the refused submission was stored: %v", err)
	}
	if _, err := s.OutboxEntry(ctx, sub.ID); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("the refused submission was queued: %v", err)
	}
	if _, err := s.SubmissionByKey(ctx, "alice", "k"); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("the refused submission took the key: %v", err)
	}
	if got := mustGet(t, s, a.ID); got.State != ozg.StateDraft {
		t.Fatalf("the refused submit moved the application to %s", got.State)
	}
}

func testClaim(t *testing.T, s ozg.Store) {
	ctx := context.Background()
	_, early := submitted(t, s, "alice", "k1", base)
	_, late := submitted(t, s, "alice", "k2", base.Add(time.Hour))
	got, err := s.ClaimDeliveries(ctx, base.Add(time.Minute), time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].SubmissionID != early.ID || got[0].Attempts != 1 {
		t.Fatalf("first claim = %+v, %v; want only the due entry", got, err)
	}
	if again, _ := s.ClaimDeliveries(ctx, base.Add(90*time.Second), time.Minute, 10); len(again) != 0 {
		t.Fatalf("a leased entry was claimed again: %+v", again)
	}
	got, err = s.ClaimDeliveries(ctx, base.Add(2*time.Hour), time.Minute, 1)
	if err != nil || len(got) != 1 || got[0].SubmissionID != early.ID || got[0].Attempts != 2 {
		t.Fatalf("claim after the lease = %+v, %v; want the oldest due entry again", got, err)
	}
	got, err = s.ClaimDeliveries(ctx, base.Add(2*time.Hour), time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].SubmissionID != late.ID {
		t.Fatalf("next claim = %+v, %v; want the later entry", got, err)
	}
}

func testConcurrentClaims(t *testing.T, s ozg.Store) {
	ctx := context.Background()
	const entries, workers = 20, 4
	for i := range entries {
		submitted(t, s, fmt.Sprintf("owner-%d", i), "k", base)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				got, err := s.ClaimDeliveries(ctx, base.Add(time.Minute), time.Hour, 3)
				if err != nil {
					t.Errorf("ClaimDeliveries: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, e := range got {
					seen[e.SubmissionID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != entries {
		t.Fatalf("%d of %d entries claimed", len(seen), entries)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("entry %s claimed %d times", id, n)
		}
	}
}

func testDeliveryOutcomes(t *testing.T, s ozg.Store) {
	ctx := context.Background()
	_, ok := submitted(t, s, "alice", "k1", base)
	_, flaky := submitted(t, s, "alice", "k2", base)
	_, bad := submitted(t, s, "alice", "k3", base)
	if _, err := s.ClaimDeliveries(ctx, base, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	at := base.Add(time.Second)
	if err := s.CompleteDelivery(ctx, ok.ID, ozg.Receipt{ID: "fit-123", DeliveredAt: at}); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.OutboxEntry(ctx, ok.ID); e.State != ozg.DeliveryDelivered || e.Receipt == nil || e.Receipt.ID != "fit-123" || !e.Receipt.DeliveredAt.Equal(at) {
		t.Fatalf("delivered entry = %+v", e)
	}
	if err := s.CompleteDelivery(ctx, ok.ID, ozg.Receipt{ID: "again"}); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("completing twice = %v, want ErrInvalidTransition", err)
	}
	if err := s.FailDelivery(ctx, bad.ID, "target refused"); err != nil {
		t.Fatal(err)
	}
	next := base.Add(10 * time.Minute)
	if err := s.RetryDelivery(ctx, flaky.ID, "503 from target", next); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.OutboxEntry(ctx, flaky.ID); e.State != ozg.DeliveryPending || e.LastError != "503 from target" || !e.NextAttempt.Equal(next) {
		t.Fatalf("retried entry = %+v", e)
	}
	if got, _ := s.ClaimDeliveries(ctx, next.Add(-time.Second), time.Minute, 10); len(got) != 0 {
		t.Fatalf("an entry was claimed before its next attempt: %+v", got)
	}
	if got, _ := s.ClaimDeliveries(ctx, next, time.Minute, 10); len(got) != 1 || got[0].SubmissionID != flaky.ID || got[0].Attempts != 2 {
		t.Fatalf("claim at the next attempt = %+v", got)
	}
	if e, _ := s.OutboxEntry(ctx, bad.ID); e.State != ozg.DeliveryFailed || e.LastError != "target refused" {
		t.Fatalf("failed entry = %+v", e)
	}
	if err := s.RetryDelivery(ctx, bad.ID, "x", next); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("retrying a failed entry = %v, want ErrInvalidTransition", err)
	}
	if err := s.CompleteDelivery(ctx, uuid.NewString(), ozg.Receipt{}); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("completing an unknown entry = %v, want ErrNotFound", err)
	}
	if _, err := s.OutboxEntry(ctx, uuid.NewString()); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("an unknown entry = %v, want ErrNotFound", err)
	}
}
