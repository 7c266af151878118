package ozgtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// RunRetentionStoreConformance checks that the stores made by newStore implement
// ozg.RetentionStore and keep its contract. Each subtest gets a fresh store.
func RunRetentionStoreConformance(t *testing.T, newStore NewFullStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s ozg.Store, r ozg.RetentionStore)
	}{
		{"drafts and settled submissions are found by service and class, oldest change first", testRetentionCandidates},
		{"a purge deletes the application, its submission and its outbox entry together", testPurge},
		{"a purge refuses what changed, what the outbox still works on and what is claimed", testPurgeRefused},
		{"applications changed at the same time are walked by id without gaps", testRetentionTies},
		{"a bad batch size or class is refused", testRetentionBadQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			r, ok := s.(ozg.RetentionStore)
			if !ok {
				t.Fatalf("%T does not implement ozg.RetentionStore", s)
			}
			tt.fn(t, s, r)
		})
	}
}

// retentionWorld holds one application of each retention-relevant kind, all of service
// "wohngeld" unless named otherwise, last changed at base+minutes as the names say.
type retentionWorld struct {
	draft0, draftWithdrawn1, delivered2, withdrawn3, pending4, failed5, notifying6, otherService7, draftYoung string
}

func makeRetentionWorld(t *testing.T, s ozg.Store) retentionWorld {
	t.Helper()
	ctx := context.Background()
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
	var w retentionWorld

	d := newApp("alice", at(0))
	mustCreate(t, s, d)
	w.draft0 = d.ID

	dw := newApp("alice", at(-5))
	mustCreate(t, s, dw)
	withdrawn(t, s, dw.ID, at(1))
	w.draftWithdrawn1 = dw.ID

	a, sub := submitted(t, s, "alice", "k2", at(-10))
	if err := s.CompleteDelivery(ctx, sub.ID, ozg.Receipt{ID: "r2", DeliveredAt: at(2)}); err != nil {
		t.Fatal(err)
	}
	if err := s.AcknowledgeDelivery(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	w.delivered2 = a.ID

	a, _ = submitted(t, s, "bob", "k3", at(-10))
	withdrawn(t, s, a.ID, at(3))
	w.withdrawn3 = a.ID

	a, _ = submitted(t, s, "bob", "k4", at(4))
	w.pending4 = a.ID

	a, sub = submitted(t, s, "bob", "k5", at(5))
	if err := s.FailDelivery(ctx, sub.ID, "refused"); err != nil {
		t.Fatal(err)
	}
	w.failed5 = a.ID

	a, sub = submitted(t, s, "carol", "k6", at(-10))
	if err := s.CompleteDelivery(ctx, sub.ID, ozg.Receipt{ID: "r6", DeliveredAt: at(6)}); err != nil {
		t.Fatal(err)
	}
	w.notifying6 = a.ID

	o := newApp("carol", at(7))
	o.ServiceID = "hundesteuer"
	mustCreate(t, s, o)
	w.otherService7 = o.ID

	y := newApp("carol", at(60))
	mustCreate(t, s, y)
	w.draftYoung = y.ID
	return w
}

// walk collects the ids of a whole retention walk in batches of limit.
func walk(t *testing.T, r ozg.RetentionStore, q ozg.RetentionQuery) []string {
	t.Helper()
	var out []string
	for range 100 {
		batch, err := r.RetentionCandidates(context.Background(), q)
		if err != nil {
			t.Fatalf("RetentionCandidates: %v", err)
		}
		for _, c := range batch {
			out = append(out, c.ID)
		}
		if len(batch) < q.Limit {
			return out
		}
		p := batch[len(batch)-1].Position()
		q.After = &p
	}
	t.Fatal("the walk does not end")
	return nil
}

func testRetentionCandidates(t *testing.T, s ozg.Store, r ozg.RetentionStore) {
	w := makeRetentionWorld(t, s)
	before := base.Add(30 * time.Minute)
	drafts := walk(t, r, ozg.RetentionQuery{ServiceID: "wohngeld", Class: ozg.RetentionDrafts, Before: before, Limit: 1})
	if want := []string{w.draft0, w.draftWithdrawn1}; !slices.Equal(drafts, want) {
		t.Errorf("drafts = %v, want %v (never submitted, wohngeld, old enough)", drafts, want)
	}
	subs := walk(t, r, ozg.RetentionQuery{ServiceID: "wohngeld", Class: ozg.RetentionSubmissions, Before: before, Limit: 1})
	if want := []string{w.delivered2, w.withdrawn3}; !slices.Equal(subs, want) {
		t.Errorf("submissions = %v, want %v (delivered and withdrawn, not pending, failed or notifying)", subs, want)
	}
	first, err := r.RetentionCandidates(context.Background(), ozg.RetentionQuery{ServiceID: "wohngeld", Class: ozg.RetentionSubmissions, Before: before, Limit: 10})
	if err != nil || len(first) != 2 {
		t.Fatalf("RetentionCandidates = %+v, %v", first, err)
	}
	c := first[0]
	if c.State != ozg.StateDelivered || c.Delivery != ozg.DeliveryDelivered || c.SubmissionID == "" || c.ServiceID != "wohngeld" ||
		!c.UpdatedAt.Equal(base.Add(2*time.Minute)) || c.Version < 1 {
		t.Errorf("candidate = %+v", c)
	}
	early := walk(t, r, ozg.RetentionQuery{ServiceID: "wohngeld", Class: ozg.RetentionSubmissions, Before: base.Add(3 * time.Minute), Limit: 5})
	if want := []string{w.delivered2}; !slices.Equal(early, want) {
		t.Errorf("changed before base+3m = %v, want %v (the cut-off is exclusive)", early, want)
	}
	other := walk(t, r, ozg.RetentionQuery{ServiceID: "hundesteuer", Class: ozg.RetentionDrafts, Before: before, Limit: 5})
	if want := []string{w.otherService7}; !slices.Equal(other, want) {
		t.Errorf("hundesteuer drafts = %v, want %v", other, want)
	}
}

func testPurge(t *testing.T, s ozg.Store, r ozg.RetentionStore) {
	ctx := context.Background()
	w := makeRetentionWorld(t, s)
	now := base.Add(time.Hour)
	ids := []string{w.delivered2, w.withdrawn3, w.draft0}
	var batch []ozg.RetentionCandidate
	subs := map[string]*ozg.Submission{}
	for _, id := range ids {
		batch = append(batch, ozg.RetentionCandidate{ID: id, Version: mustGet(t, s, id).Version})
		if sub, err := s.SubmissionOf(ctx, id); err == nil {
			subs[id] = sub
		}
	}
	purged, err := r.Purge(ctx, batch, now)
	if err != nil || !slices.Equal(purged, ids) {
		t.Fatalf("Purge = %v, %v; want %v", purged, err, ids)
	}
	for _, id := range ids {
		sub, hasSub := subs[id]
		if _, err := s.Get(ctx, id); !errors.Is(err, ozg.ErrNotFound) {
			t.Errorf("purged application %s: Get err = %v", id, err)
		}
		if _, err := s.SubmissionOf(ctx, id); !errors.Is(err, ozg.ErrNotFound) {
			t.Errorf("purged application %s still has a submission: %v", id, err)
		}
		if hasSub {
			if _, err := s.Submission(ctx, sub.ID); !errors.Is(err, ozg.ErrNotFound) {
				t.Errorf("submission of %s: err = %v", id, err)
			}
			if _, err := s.OutboxEntry(ctx, sub.ID); !errors.Is(err, ozg.ErrNotFound) {
				t.Errorf("outbox entry of %s: err = %v", id, err)
			}
			if _, err := s.SubmissionByKey(ctx, sub.Owner, sub.IdempotencyKey); !errors.Is(err, ozg.ErrNotFound) {
				t.Errorf("submission of %s by key: err = %v", id, err)
			}
		}
	}
	list, _, err := s.ListByOwner(ctx, "alice", ozg.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.ID == w.draft0 || a.ID == w.delivered2 {
			t.Errorf("purged application %s still listed", a.ID)
		}
	}
	if len(list) != 1 || list[0].ID != w.draftWithdrawn1 {
		t.Errorf("alice's applications = %d, want only the withdrawn draft", len(list))
	}
	// What was not purged is untouched.
	if _, err := s.Get(ctx, w.pending4); err != nil {
		t.Errorf("pending application: %v", err)
	}
}

func testPurgeRefused(t *testing.T, s ozg.Store, r ozg.RetentionStore) {
	ctx := context.Background()
	w := makeRetentionWorld(t, s)
	now := base.Add(time.Hour)
	at := func(id string) ozg.RetentionCandidate {
		return ozg.RetentionCandidate{ID: id, Version: mustGet(t, s, id).Version}
	}
	stale := at(w.draft0)
	stale.Version--
	batch := []ozg.RetentionCandidate{
		at(w.pending4), at(w.notifying6), at(w.failed5), stale,
		{ID: "00000000-0000-4000-8000-000000000000", Version: 1},
		at(w.delivered2),
	}
	entries := map[string]ozg.DeliveryState{}
	for _, id := range []string{w.pending4, w.notifying6, w.failed5} {
		sub, err := s.SubmissionOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := s.OutboxEntry(ctx, sub.ID)
		entries[sub.ID] = e.State
	}
	purged, err := r.Purge(ctx, batch, now)
	if err != nil || !slices.Equal(purged, []string{w.delivered2}) {
		t.Fatalf("Purge = %v, %v; want only the delivered application", purged, err)
	}
	for _, id := range []string{w.pending4, w.notifying6, w.failed5, w.draft0} {
		mustGet(t, s, id)
	}
	for sub, state := range entries {
		if e, err := s.OutboxEntry(ctx, sub); err != nil || e.State != state {
			t.Errorf("entry after the purge = %+v, %v; want it unchanged at %s", e, err, state)
		}
	}
	too := make([]ozg.RetentionCandidate, ozg.MaxRetentionBatch+1)
	if _, err := r.Purge(ctx, too, now); !errors.Is(err, ozg.ErrBadPage) {
		t.Errorf("a batch of %d: err = %v, want ErrBadPage", len(too), err)
	}

	// Withdrawn while its delivery was in flight: settled, but claimed until the lease ends.
	app, sub := submitted(t, s, "dave", "k9", base)
	got, err := s.ClaimDeliveries(ctx, base.Add(time.Minute), 10*time.Minute, 10)
	if err != nil || !slices.ContainsFunc(got, func(e ozg.OutboxEntry) bool { return e.SubmissionID == sub.ID }) {
		t.Fatalf("claim = %+v, %v; want the new submission among them", got, err)
	}
	withdrawn(t, s, app.ID, base.Add(2*time.Minute))
	c := at(app.ID)
	if purged, err := r.Purge(ctx, []ozg.RetentionCandidate{c}, base.Add(5*time.Minute)); err != nil || len(purged) != 0 {
		t.Errorf("claimed entry: Purge = %v, %v; want nothing purged", purged, err)
	}
	if purged, err := r.Purge(ctx, []ozg.RetentionCandidate{c}, base.Add(12*time.Minute)); err != nil || len(purged) != 1 {
		t.Errorf("after the lease: Purge = %v, %v; want it purged", purged, err)
	}
}

func testRetentionBadQuery(t *testing.T, s ozg.Store, r ozg.RetentionStore) {
	for _, q := range []ozg.RetentionQuery{
		{ServiceID: "wohngeld", Class: ozg.RetentionDrafts, Before: base, Limit: 0},
		{ServiceID: "wohngeld", Class: ozg.RetentionDrafts, Before: base, Limit: ozg.MaxRetentionBatch + 1},
		{ServiceID: "wohngeld", Class: "everything", Before: base, Limit: 10},
	} {
		if _, err := r.RetentionCandidates(context.Background(), q); !errors.Is(err, ozg.ErrBadPage) {
			t.Errorf("%+v: err = %v, want ErrBadPage", q, err)
		}
	}
}

func testRetentionTies(t *testing.T, s ozg.Store, r ozg.RetentionStore) {
	var want []string
	for range 5 {
		a := newApp("erin", base)
		mustCreate(t, s, a)
		want = append(want, a.ID)
	}
	slices.Sort(want)
	got := walk(t, r, ozg.RetentionQuery{ServiceID: "wohngeld", Class: ozg.RetentionDrafts, Before: base.Add(time.Second), Limit: 2})
	if !slices.Equal(got, want) {
		t.Fatalf("walk = %v, want %v (by id)", got, want)
	}
}
