package ozgtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/ozg"
)

// numberingTests are the checks of ozg.NumberingStore, run by RunSubmissionStoreConformance
// for stores that implement it.
var numberingTests = []struct {
	name string
	fn   func(t *testing.T, s ozg.NumberingStore)
}{
	{"a numbered submit draws the next number of the sequence NextSequence counts", testNumbered},
	{"a refused numbered submit consumes no number and changes nothing", testNumberedRefused},
	{"concurrent numbered submits never share a number and leave no gaps", testNumberedConcurrent},
}

// testNumbering is the numbering the checks use: T-NNNNNN in sequence name.
func testNumbering(name string) ozg.Numbering {
	return ozg.Numbering{Sequence: name, Prefix: "T-", Digits: 6}
}

// draftToSubmit creates a draft of owner and returns it moved to submitted (not yet stored)
// with its submission under key.
func draftToSubmit(t *testing.T, s ozg.Store, owner, key string) (*ozg.Application, *ozg.Submission) {
	t.Helper()
	a := newApp(owner, base)
	mustCreate(t, s, a)
	if err := a.Transition(ozg.StateSubmitted, base, ""); err != nil {
		t.Fatal(err)
	}
	return a, &ozg.Submission{ID: uuid.NewString(), ApplicationID: a.ID, ServiceID: a.ServiceID, Owner: owner,
		IdempotencyKey: key, Delivery: "fachverfahren", SubmittedAt: base, Data: a.Data}
}

func testNumbered(t *testing.T, s ozg.NumberingStore) {
	ctx := context.Background()
	if n, err := s.NextSequence(ctx, "reference:T:2026"); err != nil || n != 1 {
		t.Fatalf("NextSequence = %d, %v; want 1", n, err)
	}
	a, sub := draftToSubmit(t, s, "alice", "k1")
	if err := s.SubmitNumbered(ctx, a, sub, testNumbering("reference:T:2026")); err != nil {
		t.Fatalf("SubmitNumbered: %v", err)
	}
	if a.Reference != "T-000002" || sub.Reference != "T-000002" || a.Version != 2 {
		t.Fatalf("after SubmitNumbered application %q v%d, submission %q; want T-000002 and v2", a.Reference, a.Version, sub.Reference)
	}
	if got := mustGet(t, s, a.ID); got.Reference != "T-000002" || got.State != ozg.StateSubmitted {
		t.Fatalf("stored application %s %q", got.State, got.Reference)
	}
	if got, err := s.Submission(ctx, sub.ID); err != nil || got.Reference != "T-000002" {
		t.Fatalf("stored submission %v, %v; want reference T-000002", got, err)
	}
	if e, err := s.OutboxEntry(ctx, sub.ID); err != nil || e.State != ozg.DeliveryPending {
		t.Fatalf("outbox entry %+v, %v", e, err)
	}
	if n, err := s.NextSequence(ctx, "reference:T:2026"); err != nil || n != 3 {
		t.Fatalf("NextSequence after the submit = %d, %v; want 3", n, err)
	}
	b, subB := draftToSubmit(t, s, "alice", "k2")
	if err := s.SubmitNumbered(ctx, b, subB, testNumbering("reference:U:2026")); err != nil || b.Reference != "T-000001" {
		t.Fatalf("another sequence: %q, %v; want its own number 1", b.Reference, err)
	}
	c, subC := draftToSubmit(t, s, "alice", "k3")
	if err := s.SubmitNumbered(ctx, c, subC, ozg.Numbering{Sequence: "reference:T:2026", Prefix: "T-"}); !errors.Is(err, ozg.ErrInvalidApplication) {
		t.Fatalf("SubmitNumbered without digits = %v, want ErrInvalidApplication", err)
	}
	// A number with more digits than asked keeps them all.
	for range 9 {
		if _, err := s.NextSequence(ctx, "reference:V:2026"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SubmitNumbered(ctx, c, subC, ozg.Numbering{Sequence: "reference:V:2026", Prefix: "V-2026-", Digits: 1}); err != nil || c.Reference != "V-2026-10" {
		t.Fatalf("the tenth number with one digit asked: %q, %v; want V-2026-10", c.Reference, err)
	}
	if got, err := s.Submission(ctx, subC.ID); err != nil || got.Reference != "V-2026-10" || mustGet(t, s, c.ID).Reference != "V-2026-10" {
		t.Fatalf("stored references %v, %v; want V-2026-10 on both", got, err)
	}
}

func testNumberedRefused(t *testing.T, s ozg.NumberingStore) {
	ctx := context.Background()
	num := testNumbering("reference:T:2026")
	a, sub := draftToSubmit(t, s, "alice", "k1")
	if err := s.SubmitNumbered(ctx, a, sub, num); err != nil {
		t.Fatal(err)
	}
	// A stale version.
	b, subB := draftToSubmit(t, s, "alice", "k2")
	fresh := mustGet(t, s, b.ID)
	fresh.Data = []byte(`{"name":"changed"}`)
	if err := s.Update(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if err := s.SubmitNumbered(ctx, b, subB, num); !errors.Is(err, ozg.ErrConflict) {
		t.Fatalf("SubmitNumbered at a stale version = %v, want ErrConflict", err)
	}
	if b.Reference != "" || subB.Reference != "" {
		t.Fatalf("a refused submit left references %q and %q", b.Reference, subB.Reference)
	}
	if _, err := s.Submission(ctx, subB.ID); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("the refused submission was stored: %v", err)
	}
	// A used key.
	c, subC := draftToSubmit(t, s, "alice", "k1")
	want := mustGet(t, s, c.ID)
	if err := s.SubmitNumbered(ctx, c, subC, num); !errors.Is(err, ozg.ErrDuplicateSubmission) {
		t.Fatalf("SubmitNumbered under a used key = %v, want ErrDuplicateSubmission", err)
	}
	if d := diff(mustGet(t, s, c.ID), want); d != "" {
		t.Fatalf("the refused submit changed the application: %s", d)
	}
	// A missing application.
	ghost, subG := draftToSubmit(t, s, "alice", "k4")
	if err := s.Delete(ctx, ghost.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SubmitNumbered(ctx, ghost, subG, num); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("SubmitNumbered of a deleted application = %v, want ErrNotFound", err)
	}
	// None of them took a number.
	d, subD := draftToSubmit(t, s, "alice", "k3")
	if err := s.SubmitNumbered(ctx, d, subD, num); err != nil || d.Reference != "T-000002" {
		t.Fatalf("the submit after three refused ones got %q, %v; want T-000002 (no gap)", d.Reference, err)
	}
}

func testNumberedConcurrent(t *testing.T, s ozg.NumberingStore) {
	ctx := context.Background()
	const workers, each = 8, 10
	num := testNumbering("reference:T:2026")
	var (
		mu   sync.Mutex
		seen = map[string]string{} // reference → application
		wg   sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				a := newApp(fmt.Sprintf("owner-%d", w), base)
				if err := s.Create(ctx, a); err != nil {
					t.Errorf("Create: %v", err)
					return
				}
				if i%3 == 0 { // a stale submit between the good ones must not take a number
					stale := a.Clone()
					stale.Version--
					if err := stale.Transition(ozg.StateSubmitted, base, ""); err != nil {
						t.Error(err)
						return
					}
					sub := &ozg.Submission{ID: uuid.NewString(), ApplicationID: a.ID, Owner: a.Owner, IdempotencyKey: "stale-" + a.ID, Delivery: "x", SubmittedAt: base}
					if err := s.SubmitNumbered(ctx, stale, sub, num); !errors.Is(err, ozg.ErrConflict) {
						t.Errorf("a stale concurrent submit = %v, want ErrConflict", err)
						return
					}
				}
				if err := a.Transition(ozg.StateSubmitted, base, ""); err != nil {
					t.Error(err)
					return
				}
				sub := &ozg.Submission{ID: uuid.NewString(), ApplicationID: a.ID, Owner: a.Owner, IdempotencyKey: "k-" + a.ID, Delivery: "x", SubmittedAt: base}
				if err := s.SubmitNumbered(ctx, a, sub, num); err != nil {
					t.Errorf("SubmitNumbered: %v", err)
					return
				}
				mu.Lock()
				if other, dup := seen[a.Reference]; dup {
					t.Errorf("reference %s given to %s and %s", a.Reference, other, a.ID)
				}
				seen[a.Reference] = a.ID
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for n := 1; n <= workers*each; n++ {
		if _, ok := seen[fmt.Sprintf("T-%06d", n)]; !ok {
			t.Fatalf("the %d submits did not get the numbers 1..%d: %d is missing", workers*each, workers*each, n)
		}
	}
}
