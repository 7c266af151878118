package ozg_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// countingStore counts the store calls of the submit path.
type countingStore struct {
	*ozg.MemoryStore
	gets, byKey, submits, numbered, sequences atomic.Int64
	// beforeSubmit, when set, runs once before the next submit reaches the store.
	beforeSubmit func()
}

func (c *countingStore) Get(ctx context.Context, id string) (*ozg.Application, error) {
	c.gets.Add(1)
	return c.MemoryStore.Get(ctx, id)
}

func (c *countingStore) SubmissionByKey(ctx context.Context, owner, key string) (*ozg.Submission, error) {
	c.byKey.Add(1)
	return c.MemoryStore.SubmissionByKey(ctx, owner, key)
}

func (c *countingStore) NextSequence(ctx context.Context, name string) (int64, error) {
	c.sequences.Add(1)
	return c.MemoryStore.NextSequence(ctx, name)
}

func (c *countingStore) Submit(ctx context.Context, app *ozg.Application, sub *ozg.Submission) error {
	c.submits.Add(1)
	return c.MemoryStore.Submit(ctx, app, sub)
}

func (c *countingStore) SubmitNumbered(ctx context.Context, app *ozg.Application, sub *ozg.Submission, num ozg.Numbering) error {
	c.numbered.Add(1)
	if f := c.beforeSubmit; f != nil {
		c.beforeSubmit = nil
		f()
	}
	return c.MemoryStore.SubmitNumbered(ctx, app, sub, num)
}

func (c *countingStore) reset() {
	for _, n := range []*atomic.Int64{&c.gets, &c.byKey, &c.submits, &c.numbered, &c.sequences} {
		n.Store(0)
	}
}

func (c *countingStore) calls() string {
	return fmt.Sprintf("Get %d, SubmissionByKey %d, NextSequence %d, Submit %d, SubmitNumbered %d",
		c.gets.Load(), c.byKey.Load(), c.sequences.Load(), c.submits.Load(), c.numbered.Load())
}

func newCountingLifecycle(t *testing.T, opts *ozg.ApplicationsOptions) (*ozg.Applications, *countingStore) {
	t.Helper()
	c := ozg.NewCatalog(nil)
	if err := c.Register(withoutEvidence(wohngeld(t))); err != nil {
		t.Fatal(err)
	}
	store := &countingStore{MemoryStore: ozg.NewMemoryStore()}
	if opts == nil {
		opts = &ozg.ApplicationsOptions{}
	}
	opts.Clock = func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	return ozg.NewApplications(c, store, opts), store
}

func TestSubmitIsOneReadAndOneTransaction(t *testing.T) {
	ctx := context.Background()
	apps, store := newCountingLifecycle(t, nil)
	a, err := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika"}`))
	if err != nil {
		t.Fatal(err)
	}
	store.reset()
	req := ozg.SubmitRequest{IdempotencyKey: "k1"}
	got, sub, err := apps.Submit(ctx, "alice", a.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Get 1, SubmissionByKey 0, NextSequence 0, Submit 0, SubmitNumbered 1"; store.calls() != want {
		t.Fatalf("a first submit made %s; want %s", store.calls(), want)
	}
	if got.Reference != "WOHNGELD-2026-000001" || sub.Reference != got.Reference {
		t.Fatalf("references %q and %q", got.Reference, sub.Reference)
	}
	store.reset()
	again, sub2, err := apps.Submit(ctx, "alice", a.ID, req)
	if err != nil || sub2.ID != sub.ID || again.Reference != got.Reference {
		t.Fatalf("the repeat = %v, %v", sub2, err)
	}
	if want := "Get 1, SubmissionByKey 1, NextSequence 0, Submit 0, SubmitNumbered 0"; store.calls() != want {
		t.Fatalf("a repeated submit made %s; want %s", store.calls(), want)
	}
}

func TestSubmitRetriesADraftChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	apps, store := newCountingLifecycle(t, nil)
	a, err := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika"}`))
	if err != nil {
		t.Fatal(err)
	}
	// The citizen saves new data in another tab between the submit's check and its write.
	store.beforeSubmit = func() {
		if _, err := apps.SaveData(ctx, "alice", a.ID, a.Version, json.RawMessage(`{"name":"Erika Mustermann"}`)); err != nil {
			t.Error(err)
		}
	}
	got, sub, err := apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if string(sub.Data) != `{"name":"Erika Mustermann"}` || got.Version != 3 {
		t.Fatalf("the submission carries %s at version %d; want the data saved meanwhile, at version 3", sub.Data, got.Version)
	}
	if got.Reference != "WOHNGELD-2026-000001" || store.numbered.Load() != 2 {
		t.Fatalf("reference %q after %d attempts; the refused attempt must not take a number", got.Reference, store.numbered.Load())
	}
}

func TestConcurrentSubmitsGetDistinctConsecutiveReferences(t *testing.T) {
	ctx := context.Background()
	apps, _ := newCountingLifecycle(t, nil)
	const n = 40
	ids := make([]string, n)
	for i := range ids {
		a, err := apps.Create(ctx, "wohngeld", fmt.Sprintf("citizen-%d", i%4), json.RawMessage(`{"name":"Erika"}`))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = a.ID
	}
	var (
		mu   sync.Mutex
		refs = map[string]bool{}
		wg   sync.WaitGroup
	)
	for i, id := range ids {
		wg.Go(func() {
			owner := fmt.Sprintf("citizen-%d", i%4)
			// Each draft twice at once under one key: a repeat racing its first call.
			for range 2 {
				a, _, err := apps.Submit(ctx, owner, id, ozg.SubmitRequest{IdempotencyKey: "k-" + id})
				if err != nil {
					t.Errorf("Submit: %v", err)
					return
				}
				mu.Lock()
				refs[a.Reference] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(refs) != n {
		t.Fatalf("%d submitted drafts got %d references", n, len(refs))
	}
	for i := 1; i <= n; i++ {
		if !refs[fmt.Sprintf("WOHNGELD-2026-%06d", i)] {
			t.Fatalf("reference number %d is missing: numbers are not 1..%d", i, n)
		}
	}
}

// fixedReferences is a ReferenceGenerator of the caller's own.
type fixedReferences struct{ n atomic.Int64 }

func (f *fixedReferences) NewReference(_ context.Context, a *ozg.Application) (string, error) {
	return fmt.Sprintf("AZ-%d", f.n.Add(1)), nil
}

func TestOwnReferenceGeneratorsAreCalledBeforeTheTransaction(t *testing.T) {
	ctx := context.Background()
	refs := &fixedReferences{}
	apps, store := newCountingLifecycle(t, &ozg.ApplicationsOptions{References: refs})
	a, err := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika"}`))
	if err != nil {
		t.Fatal(err)
	}
	store.reset()
	got, sub, err := apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Reference != "AZ-1" || sub.Reference != "AZ-1" {
		t.Fatalf("references %q and %q, want AZ-1", got.Reference, sub.Reference)
	}
	if want := "Get 1, SubmissionByKey 0, NextSequence 0, Submit 1, SubmitNumbered 0"; store.calls() != want {
		t.Fatalf("a submit with references of one's own made %s; want %s", store.calls(), want)
	}
	// Sequence references over another store draw outside the transaction too.
	other := ozg.NewMemoryStore()
	apps2, store2 := newCountingLifecycle(t, &ozg.ApplicationsOptions{References: ozg.NewSequenceReferences(other, nil)})
	b, _ := apps2.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika"}`))
	if _, _, err := apps2.Submit(ctx, "alice", b.ID, ozg.SubmitRequest{IdempotencyKey: "k1"}); err != nil {
		t.Fatal(err)
	}
	if store2.numbered.Load() != 0 || store2.submits.Load() != 1 {
		t.Fatalf("references drawn from another store went into the submit's transaction: %s", store2.calls())
	}
	if n, _ := other.NextSequence(ctx, "reference:WOHNGELD:2026"); n != 2 {
		t.Fatalf("the other store's sequence is at %d, want 2 (one drawn by the submit)", n-1)
	}
}
