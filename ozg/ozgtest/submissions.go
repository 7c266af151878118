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
// SubmissionStore contract, and the NumberingStore contract when they implement it. Each
// subtest gets a fresh store.
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
		{"a withdrawal cancels what is undelivered and follows what was delivered", testWithdraw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
	for _, tt := range numberingTests {
		t.Run(tt.name, func(t *testing.T) {
			ns, ok := newStore(t).(ozg.NumberingStore)
			if !ok {
				t.Skip("the store is not an ozg.NumberingStore: Applications draws its reference numbers outside the submit's transaction")
			}
			tt.fn(t, ns)
		})
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
	if e, _ := s.OutboxEntry(ctx, ok.ID); e.State != ozg.DeliveryNotifying || e.Attempts != 0 || e.Receipt == nil || e.Receipt.ID != "fit-123" || !e.Receipt.DeliveredAt.Equal(at) {
		t.Fatalf("delivered entry = %+v, want notifying with the receipt and no attempts", e)
	}
	if a, _ := s.Get(ctx, ok.ApplicationID); a.State != ozg.StateDelivered || a.History[len(a.History)-1].To != ozg.StateDelivered {
		t.Fatalf("application after delivery = %s, want delivered in the same step", a.State)
	}
	if err := s.CompleteDelivery(ctx, ok.ID, ozg.Receipt{ID: "again"}); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("completing twice = %v, want ErrInvalidTransition", err)
	}
	if got, _ := s.ClaimDeliveries(ctx, at, time.Minute, 10); len(got) != 1 || got[0].SubmissionID != ok.ID || got[0].State != ozg.DeliveryNotifying {
		t.Fatalf("claim after delivery = %+v, want the notifying entry", got)
	}
	if err := s.AcknowledgeDelivery(ctx, ok.ID); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.OutboxEntry(ctx, ok.ID); e.State != ozg.DeliveryDelivered {
		t.Fatalf("acknowledged entry = %+v", e)
	}
	if err := s.AcknowledgeDelivery(ctx, ok.ID); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("acknowledging twice = %v, want ErrInvalidTransition", err)
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
	if got, _ := s.FailedDeliveries(ctx, 10); len(got) != 1 || got[0].SubmissionID != bad.ID || got[0].FailedIn != ozg.DeliveryPending {
		t.Fatalf("failed deliveries = %+v", got)
	}
	if err := s.Requeue(ctx, bad.ID, next); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.OutboxEntry(ctx, bad.ID); e.State != ozg.DeliveryPending || e.Attempts != 0 || e.LastError != "" || !e.NextAttempt.Equal(next) {
		t.Fatalf("requeued entry = %+v", e)
	}
	if err := s.Requeue(ctx, bad.ID, next); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("requeueing a pending entry = %v, want ErrInvalidTransition", err)
	}
	if err := s.CompleteDelivery(ctx, uuid.NewString(), ozg.Receipt{}); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("completing an unknown entry = %v, want ErrNotFound", err)
	}
	if _, err := s.OutboxEntry(ctx, uuid.NewString()); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("an unknown entry = %v, want ErrNotFound", err)
	}
}

func withdrawn(t *testing.T, s ozg.Store, id string, at time.Time) {
	t.Helper()
	a, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	v := a.Version
	if err := a.Transition(ozg.StateWithdrawn, at, "withdrawn by the citizen"); err != nil {
		t.Fatal(err)
	}
	if err := s.Withdraw(context.Background(), a); err != nil {
		t.Fatalf("Withdraw: %v", err)
	}
	if a.Version != v+1 {
		t.Fatalf("Withdraw left version %d, want %d", a.Version, v+1)
	}
}

func testWithdraw(t *testing.T, s ozg.Store) {
	ctx := context.Background()
	at := base.Add(time.Minute)
	// Not yet delivered: cancelled, never claimed again.
	_, queued := submitted(t, s, "alice", "w1", base)
	withdrawn(t, s, queued.ApplicationID, at)
	if e, _ := s.OutboxEntry(ctx, queued.ID); e.State != ozg.DeliveryWithdrawn {
		t.Fatalf("withdrawn before delivery: entry %+v, want withdrawn", e)
	}
	if a, _ := s.Get(ctx, queued.ApplicationID); a.State != ozg.StateWithdrawn {
		t.Fatalf("application = %s, want withdrawn", a.State)
	}
	if got, _ := s.ClaimDeliveries(ctx, at, time.Minute, 10); len(got) != 0 {
		t.Fatalf("a cancelled entry was claimed: %+v", got)
	}

	// In flight when withdrawn: the delivery's completion turns into a withdrawal to send.
	_, flying := submitted(t, s, "alice", "w2", base)
	if got, _ := s.ClaimDeliveries(ctx, at, time.Minute, 10); len(got) != 1 {
		t.Fatalf("claim = %+v", got)
	}
	withdrawn(t, s, flying.ApplicationID, at)
	if err := s.CompleteDelivery(ctx, flying.ID, ozg.Receipt{ID: "fv-2", DeliveredAt: at}); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.OutboxEntry(ctx, flying.ID); e.State != ozg.DeliveryWithdrawing || e.Receipt == nil || e.Receipt.ID != "fv-2" {
		t.Fatalf("delivered after withdrawal: entry %+v, want withdrawing with the receipt", e)
	}
	if a, _ := s.Get(ctx, flying.ApplicationID); a.State != ozg.StateWithdrawn {
		t.Fatalf("application = %s, want it to stay withdrawn", a.State)
	}

	// Delivered: the withdrawal is work for the outbox.
	_, done := submitted(t, s, "alice", "w3", base)
	if _, err := s.ClaimDeliveries(ctx, base, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteDelivery(ctx, done.ID, ozg.Receipt{ID: "fv-3", DeliveredAt: base}); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Get(ctx, done.ApplicationID)
	withdrawn(t, s, a.ID, at)
	got, err := s.ClaimDeliveries(ctx, at, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	claimed := map[string]ozg.DeliveryState{}
	for _, e := range got {
		claimed[e.SubmissionID] = e.State
	}
	if claimed[done.ID] != ozg.DeliveryWithdrawing || claimed[flying.ID] != ozg.DeliveryWithdrawing {
		t.Fatalf("claimed %v, want both withdrawals", claimed)
	}
	if err := s.CompleteWithdrawal(ctx, done.ID); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.OutboxEntry(ctx, done.ID); e.State != ozg.DeliveryWithdrawn {
		t.Fatalf("entry after the withdrawal = %+v", e)
	}
	if sub, err := s.SubmissionOf(ctx, done.ApplicationID); err != nil || sub.ID != done.ID {
		t.Fatalf("SubmissionOf = %v, %v", sub, err)
	}
	if _, err := s.SubmissionOf(ctx, uuid.NewString()); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("SubmissionOf an unknown application = %v, want ErrNotFound", err)
	}

	// A stale withdrawal changes nothing.
	_, other := submitted(t, s, "alice", "w4", base)
	stale, _ := s.Get(ctx, other.ApplicationID)
	stale.Version--
	if err := stale.Transition(ozg.StateWithdrawn, at, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Withdraw(ctx, stale); !errors.Is(err, ozg.ErrConflict) {
		t.Fatalf("stale Withdraw = %v, want ErrConflict", err)
	}
	if e, _ := s.OutboxEntry(ctx, other.ID); e.State != ozg.DeliveryPending {
		t.Fatalf("a refused withdrawal changed the entry: %+v", e)
	}
}
