package ozgtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/ozg"
)

// NewStore returns an empty store for one test. It may register cleanups with t.Cleanup.
type NewStore func(t *testing.T) ozg.ApplicationStore

// RunStoreConformance checks that the stores made by newStore keep the ApplicationStore
// contract. Each subtest gets a fresh store.
func RunStoreConformance(t *testing.T, newStore NewStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s ozg.ApplicationStore)
	}{
		{"a created application reads back equal at version 1", testCreateGet},
		{"a second create with the same id is refused", testCreateDuplicate},
		{"a missing id is not found", testGetMissing},
		{"stored applications are copies", testCopies},
		{"an update at the current version is stored and counts up", testUpdate},
		{"an update at a stale version is refused and changes nothing", testUpdateStale},
		{"an update of a missing application is not found", testUpdateMissing},
		{"an update cannot change owner, service or creation time", testUpdateImmutable},
		{"of two concurrent updates at one version exactly one wins", testConcurrentUpdate},
		{"state transitions and their history are kept", testTransitions},
		{"listing by owner pages newest first and never shows another owner's applications", testListByOwner},
		{"a tampered cursor or a bad limit is refused", testListBadInput},
		{"a deleted application is gone", testDelete},
		{"sequences never repeat, even concurrently", testSequence},
		{"a canceled context is honoured", testCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

// base is a time with microsecond precision, which every SQL store keeps exactly.
var base = time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)

func newApp(owner string, created time.Time) *ozg.Application {
	return &ozg.Application{
		ID:         uuid.NewString(),
		ServiceID:  "wohngeld",
		Owner:      owner,
		Data:       json.RawMessage(`{"name":"Erika Mustermann","members":3}`),
		Provenance: map[string]string{"/name": "prefill:bundid", "/members": "user"},
		State:      ozg.StateDraft,
		CreatedAt:  created,
		UpdatedAt:  created,
	}
}

func mustCreate(t *testing.T, s ozg.ApplicationStore, a *ozg.Application) {
	t.Helper()
	if err := s.Create(context.Background(), a); err != nil {
		t.Fatalf("Create: %v", err)
	}
}

func mustGet(t *testing.T, s ozg.ApplicationStore, id string) *ozg.Application {
	t.Helper()
	a, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return a
}

// equalJSON compares two JSON documents by value, since stores may re-encode them.
func equalJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

// diff names the first field in which got differs from want, or "".
func diff(got, want *ozg.Application) string {
	switch {
	case got.ID != want.ID:
		return fmt.Sprintf("id %q, want %q", got.ID, want.ID)
	case got.ServiceID != want.ServiceID:
		return fmt.Sprintf("serviceId %q, want %q", got.ServiceID, want.ServiceID)
	case got.Owner != want.Owner:
		return fmt.Sprintf("owner %q, want %q", got.Owner, want.Owner)
	case !equalJSON(got.Data, want.Data):
		return fmt.Sprintf("data %s, want %s", got.Data, want.Data)
	case got.State != want.State:
		return fmt.Sprintf("state %s, want %s", got.State, want.State)
	case got.Reference != want.Reference:
		return fmt.Sprintf("reference %q, want %q", got.Reference, want.Reference)
	case got.Version != want.Version:
		return fmt.Sprintf("version %d, want %d", got.Version, want.Version)
	case !got.CreatedAt.Equal(want.CreatedAt):
		return fmt.Sprintf("createdAt %v, want %v", got.CreatedAt, want.CreatedAt)
	case !got.UpdatedAt.Equal(want.UpdatedAt):
		return fmt.Sprintf("updatedAt %v, want %v", got.UpdatedAt, want.UpdatedAt)
	case fmt.Sprint(got.Provenance) != fmt.Sprint(want.Provenance):
		return fmt.Sprintf("provenance %v, want %v", got.Provenance, want.Provenance)
	case len(got.History) != len(want.History):
		return fmt.Sprintf("history of %d entries, want %d", len(got.History), len(want.History))
	}
	for i := range got.History {
		g, w := got.History[i], want.History[i]
		if g.From != w.From || g.To != w.To || !g.At.Equal(w.At) || g.Note != w.Note {
			return fmt.Sprintf("history[%d] %+v, want %+v", i, g, w)
		}
	}
	return ""
}

func testCreateGet(t *testing.T, s ozg.ApplicationStore) {
	a := newApp("alice", base)
	mustCreate(t, s, a)
	if a.Version != 1 {
		t.Fatalf("Create set version %d, want 1", a.Version)
	}
	if d := diff(mustGet(t, s, a.ID), a); d != "" {
		t.Fatal(d)
	}
}

func testCreateDuplicate(t *testing.T, s ozg.ApplicationStore) {
	a := newApp("alice", base)
	mustCreate(t, s, a)
	b := newApp("mallory", base)
	b.ID = a.ID
	if err := s.Create(context.Background(), b); !errors.Is(err, ozg.ErrExists) {
		t.Fatalf("second Create = %v, want ErrExists", err)
	}
	if got := mustGet(t, s, a.ID); got.Owner != "alice" {
		t.Fatalf("the refused create changed the owner to %q", got.Owner)
	}
}

func testGetMissing(t *testing.T, s ozg.ApplicationStore) {
	if _, err := s.Get(context.Background(), uuid.NewString()); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("Get = %v, want ErrNotFound", err)
	}
}

func testCopies(t *testing.T, s ozg.ApplicationStore) {
	a := newApp("alice", base)
	mustCreate(t, s, a)
	a.Data[2] = 'X'
	a.State = ozg.StateDecided
	got := mustGet(t, s, a.ID)
	if got.State != ozg.StateDraft || !json.Valid(got.Data) {
		t.Fatal("changing the created value changed the stored one")
	}
	got.Owner = "mallory"
	got.History = append(got.History, ozg.Transition{From: ozg.StateDraft, To: ozg.StateSubmitted})
	again := mustGet(t, s, a.ID)
	if again.Owner != "alice" || len(again.History) != 0 {
		t.Fatal("changing a read value changed the stored one")
	}
}

func testUpdate(t *testing.T, s ozg.ApplicationStore) {
	a := newApp("alice", base)
	mustCreate(t, s, a)
	a.Data = json.RawMessage(`{"name":"Erika Gabler","members":4}`)
	a.UpdatedAt = base.Add(time.Minute)
	if err := s.Update(context.Background(), a); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if a.Version != 2 {
		t.Fatalf("Update set version %d, want 2", a.Version)
	}
	if d := diff(mustGet(t, s, a.ID), a); d != "" {
		t.Fatal(d)
	}
}

func testUpdateStale(t *testing.T, s ozg.ApplicationStore) {
	a := newApp("alice", base)
	mustCreate(t, s, a)
	first, second := mustGet(t, s, a.ID), mustGet(t, s, a.ID)
	first.Data = json.RawMessage(`{"name":"first"}`)
	if err := s.Update(context.Background(), first); err != nil {
		t.Fatalf("first Update: %v", err)
	}
	second.Data = json.RawMessage(`{"name":"second"}`)
	if err := s.Update(context.Background(), second); !errors.Is(err, ozg.ErrConflict) {
		t.Fatalf("stale Update = %v, want ErrConflict", err)
	}
	if d := diff(mustGet(t, s, a.ID), first); d != "" {
		t.Fatalf("after the refused update: %s", d)
	}
}

func testUpdateMissing(t *testing.T, s ozg.ApplicationStore) {
	a := newApp("alice", base)
	a.Version = 1
	if err := s.Update(context.Background(), a); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("Update = %v, want ErrNotFound", err)
	}
}

func testUpdateImmutable(t *testing.T, s ozg.ApplicationStore) {
	for _, change := range []struct {
		field string
		fn    func(a *ozg.Application)
	}{
		{"owner", func(a *ozg.Application) { a.Owner = "mallory" }},
		{"serviceId", func(a *ozg.Application) { a.ServiceID = "other" }},
		{"createdAt", func(a *ozg.Application) { a.CreatedAt = a.CreatedAt.Add(-time.Hour) }},
	} {
		a := newApp("alice", base)
		mustCreate(t, s, a)
		want := mustGet(t, s, a.ID)
		change.fn(a)
		if err := s.Update(context.Background(), a); !errors.Is(err, ozg.ErrInvalidApplication) {
			t.Errorf("Update changing %s = %v, want ErrInvalidApplication", change.field, err)
		}
		if d := diff(mustGet(t, s, a.ID), want); d != "" {
			t.Errorf("after the refused %s change: %s", change.field, d)
		}
	}
}

func testConcurrentUpdate(t *testing.T, s ozg.ApplicationStore) {
	a := newApp("alice", base)
	mustCreate(t, s, a)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	copies := make([]*ozg.Application, n)
	for i := range copies {
		copies[i] = mustGet(t, s, a.ID) // all read before any writer starts
	}
	for i, c := range copies {
		wg.Go(func() {
			c.Data = json.RawMessage(fmt.Sprintf(`{"writer":%d}`, i))
			errs[i] = s.Update(context.Background(), c)
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, ozg.ErrConflict):
			t.Errorf("a losing update returned %v, want ErrConflict", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent updates won, want exactly 1", wins)
	}
	if v := mustGet(t, s, a.ID).Version; v != 2 {
		t.Fatalf("version after the race = %d, want 2", v)
	}
}

func testTransitions(t *testing.T, s ozg.ApplicationStore) {
	a := newApp("alice", base)
	mustCreate(t, s, a)
	steps := []ozg.State{ozg.StateSubmitted, ozg.StateDelivered, ozg.StateAccepted, ozg.StateDecided}
	for i, to := range steps {
		if err := a.Transition(to, base.Add(time.Duration(i+1)*time.Hour), "step "+string(to)); err != nil {
			t.Fatalf("Transition to %s: %v", to, err)
		}
		if to == ozg.StateSubmitted {
			a.Reference = "WOHNGELD-2026-000001"
		}
		if err := s.Update(context.Background(), a); err != nil {
			t.Fatalf("Update after %s: %v", to, err)
		}
	}
	got := mustGet(t, s, a.ID)
	if d := diff(got, a); d != "" {
		t.Fatal(d)
	}
	if err := got.Transition(ozg.StateDraft, base, ""); !errors.Is(err, ozg.ErrInvalidTransition) {
		t.Fatalf("leaving a decided application = %v, want ErrInvalidTransition", err)
	}
}

func testListByOwner(t *testing.T, s ozg.ApplicationStore) {
	ctx := context.Background()
	var alices []*ozg.Application
	for i := range 7 {
		a := newApp("alice", base.Add(time.Duration(i)*time.Minute))
		mustCreate(t, s, a)
		alices = append(alices, a)
		mustCreate(t, s, newApp("bob", base.Add(time.Duration(i)*time.Minute)))
	}
	// two with the same creation time are ordered by id, descending
	twin := newApp("alice", alices[3].CreatedAt)
	mustCreate(t, s, twin)
	alices = append(alices, twin)

	var got []*ozg.Application
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("listing does not end")
		}
		page, next, err := s.ListByOwner(ctx, "alice", ozg.Page{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatalf("ListByOwner: %v", err)
		}
		if len(page) > 3 {
			t.Fatalf("page of %d, limit 3", len(page))
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(got) != len(alices) {
		t.Fatalf("listed %d of alice's %d applications", len(got), len(alices))
	}
	seen := map[string]bool{}
	for i, a := range got {
		if a.Owner != "alice" {
			t.Fatalf("alice's listing shows %s's application", a.Owner)
		}
		if seen[a.ID] {
			t.Fatalf("application %s listed twice", a.ID)
		}
		seen[a.ID] = true
		if i > 0 {
			prev := got[i-1]
			if prev.CreatedAt.Before(a.CreatedAt) || (prev.CreatedAt.Equal(a.CreatedAt) && prev.ID < a.ID) {
				t.Fatalf("entry %d is newer than entry %d", i, i-1)
			}
		}
	}
	none, next, err := s.ListByOwner(ctx, "nobody", ozg.Page{})
	if err != nil || len(none) != 0 || next != "" {
		t.Fatalf("listing an unknown owner = %d, %q, %v", len(none), next, err)
	}
}

func testListBadInput(t *testing.T, s ozg.ApplicationStore) {
	ctx := context.Background()
	for i := range 3 {
		mustCreate(t, s, newApp("alice", base.Add(time.Duration(i)*time.Second)))
	}
	_, next, err := s.ListByOwner(ctx, "alice", ozg.Page{Limit: 1})
	if err != nil || next == "" {
		t.Fatalf("first page: %q, %v", next, err)
	}
	for _, c := range []string{"not a cursor!", next[:len(next)-2] + "%%", "x"} {
		if _, _, err := s.ListByOwner(ctx, "alice", ozg.Page{Limit: 1, Cursor: c}); !errors.Is(err, ozg.ErrBadCursor) {
			t.Errorf("cursor %q: %v, want ErrBadCursor", c, err)
		}
	}
	for _, limit := range []int{-1, ozg.MaxPageSize + 1} {
		if _, _, err := s.ListByOwner(ctx, "alice", ozg.Page{Limit: limit}); !errors.Is(err, ozg.ErrBadPage) {
			t.Errorf("limit %d: %v, want ErrBadPage", limit, err)
		}
	}
}

func testDelete(t *testing.T, s ozg.ApplicationStore) {
	ctx := context.Background()
	a, keep := newApp("alice", base), newApp("alice", base.Add(time.Second))
	mustCreate(t, s, a)
	mustCreate(t, s, keep)
	if err := s.Delete(ctx, a.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(ctx, a.ID); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, a.ID); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("second Delete = %v, want ErrNotFound", err)
	}
	list, _, err := s.ListByOwner(ctx, "alice", ozg.Page{})
	if err != nil || len(list) != 1 || list[0].ID != keep.ID {
		t.Fatalf("listing after Delete = %v, %v", list, err)
	}
}

func testSequence(t *testing.T, s ozg.ApplicationStore) {
	ctx := context.Background()
	const workers, each = 8, 25
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				n, err := s.NextSequence(ctx, "reference:WOHNGELD:2026")
				if err != nil {
					t.Errorf("NextSequence: %v", err)
					return
				}
				mu.Lock()
				if seen[n] {
					t.Errorf("number %d handed out twice", n)
				}
				seen[n] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for i := int64(1); i <= workers*each; i++ {
		if !seen[i] {
			t.Fatalf("numbers are not 1..%d: %d missing", workers*each, i)
		}
	}
	if n, err := s.NextSequence(ctx, "reference:OTHER:2026"); err != nil || n != 1 {
		t.Fatalf("a new sequence starts at %d, %v; want 1", n, err)
	}
}

func testCanceled(t *testing.T, s ozg.ApplicationStore) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := newApp("alice", base)
	if err := s.Create(ctx, a); err == nil {
		t.Error("Create with a canceled context succeeded")
	}
	if _, err := s.Get(context.Background(), a.ID); !errors.Is(err, ozg.ErrNotFound) {
		t.Errorf("a canceled Create left the application behind: %v", err)
	}
}
