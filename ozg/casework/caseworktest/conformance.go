// Package caseworktest checks implementations of casework.Store: RunStoreConformance is the
// store contract as tests, which the memory store and the SQL stores of ozg/sqlstore run.
package caseworktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
)

// NewStore returns a fresh, empty store for one test.
type NewStore func(tb testing.TB) casework.Store

// base is the time the suite's cases are received at, on a microsecond.
var base = time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)

// Submission returns a valid submission for tests: id, application "app-"+id, the given
// service and reference, owner "owner-"+id and key "key-"+id.
func Submission(id, service, reference string) *ozg.Submission {
	return &ozg.Submission{
		ID: id, ApplicationID: "app-" + id, ServiceID: service, LeikaKey: "99107004017000",
		Reference: reference, Delivery: "casework", Owner: "owner-" + id, IdempotencyKey: "key-" + id,
		Identity: ozg.IdentityFacts{Subject: "owner-" + id, Level: identity.LevelSubstantial, Method: "elster"},
		Data:     json.RawMessage(`{"name":"Jürgen Weiß","miete":"650"}`),
		Attachments: []ozg.Attachment{{
			ID: "ev-" + id, RequirementID: "mietvertrag", FileName: "Mietvertrag.pdf", MediaType: "application/pdf",
			Size: 1234, SHA512: fmt.Sprintf("%0128x", 7), BlobKey: "evidence/" + id,
		}},
		Payment:     &ozg.PaymentFacts{Method: "CREDITCARD", Status: "PAYED", TransactionID: "tx-" + id, Reference: "KZ-" + id, Timestamp: base, GrossAmount: 3000},
		SubmittedAt: base.Add(-time.Minute),
	}
}

// NewCase returns the case of Submission(...) received at base + n seconds, in state delivered.
func NewCase(id, service, reference string, n int) *casework.Case {
	return &casework.Case{ID: id, Submission: Submission(id, service, reference), State: ozg.StateDelivered,
		ReceivedAt: base.Add(time.Duration(n) * time.Second)}
}

func received(id string) casework.Event {
	return casework.Event{CaseID: id, At: base, Actor: casework.Actor{Kind: "system"}, Action: casework.ActionReceived}
}

func staffEvent(id string, a casework.Action, n int) casework.Event {
	return casework.Event{CaseID: id, At: base.Add(time.Duration(n) * time.Minute),
		Actor: casework.Actor{Kind: "staff", Subject: "kc-sabine", Name: "Sabine Sachbearbeiterin"}, Action: a, Detail: "Grund: „unvollständig“ – 5 €"}
}

func receive(t *testing.T, s casework.Store, c *casework.Case) *casework.Case {
	t.Helper()
	got, created, err := s.Receive(context.Background(), c, received(c.ID))
	if err != nil {
		t.Fatalf("Receive(%s): %v", c.ID, err)
	}
	if !created {
		t.Fatalf("Receive(%s): not created", c.ID)
	}
	return got
}

func sameCase(t *testing.T, got, want *casework.Case) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("case differs:\n got  %s\n want %s", g, w)
	}
}

// RunStoreConformance runs the store contract against stores from newStore.
func RunStoreConformance(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	t.Run("a received case reads back as it was delivered", func(t *testing.T) {
		s := newStore(t)
		want := NewCase("s1", "wohngeld", "WOHNGELD-2026-000001", 0)
		got := receive(t, s, want)
		sameCase(t, got, want)
		read, err := s.Case(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		sameCase(t, read, want)
		byApp, err := s.ByApplication(ctx, "app-s1")
		if err != nil {
			t.Fatal(err)
		}
		sameCase(t, byApp, want)
		ev, err := s.Events(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		if len(ev) != 1 || ev[0].Seq != 1 || ev[0].Action != casework.ActionReceived || !ev[0].At.Equal(base) || ev[0].CaseID != "s1" {
			t.Fatalf("events after receipt = %+v", ev)
		}
	})
	t.Run("a repeated delivery of one submission is seen once", func(t *testing.T) {
		s := newStore(t)
		receive(t, s, NewCase("s1", "wohngeld", "R-1", 0))
		again := NewCase("s1", "wohngeld", "R-1", 5)
		got, created, err := s.Receive(ctx, again, received("s1"))
		if err != nil || created {
			t.Fatalf("second Receive: created=%v err=%v", created, err)
		}
		if !got.ReceivedAt.Equal(base) {
			t.Fatalf("second Receive returned a case received at %v, want the first (%v)", got.ReceivedAt, base)
		}
		if ev, _ := s.Events(ctx, "s1"); len(ev) != 1 {
			t.Fatalf("%d events after a repeated delivery, want 1", len(ev))
		}
	})
	t.Run("a second submission under the same idempotency key is not stored", func(t *testing.T) {
		s := newStore(t)
		receive(t, s, NewCase("s1", "wohngeld", "R-1", 0))
		other := NewCase("s2", "wohngeld", "R-2", 1)
		other.Submission.Owner, other.Submission.IdempotencyKey = "owner-s1", "key-s1"
		got, created, err := s.Receive(ctx, other, received("s2"))
		if err != nil || created || got.ID != "s1" {
			t.Fatalf("Receive under a used key: case %v created=%v err=%v, want s1 not created", got, created, err)
		}
		if _, err := s.Case(ctx, "s2"); !errors.Is(err, casework.ErrNotFound) {
			t.Fatalf("s2 was stored: %v", err)
		}
	})
	t.Run("concurrent deliveries of one submission store it once", func(t *testing.T) {
		s := newStore(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		created := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, c, err := s.Receive(ctx, NewCase("s1", "wohngeld", "R-1", 0), received("s1"))
				if err != nil {
					t.Error(err)
				}
				if c {
					mu.Lock()
					created++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if created != 1 {
			t.Fatalf("%d of 8 concurrent deliveries created the case, want 1", created)
		}
		if ev, _ := s.Events(ctx, "s1"); len(ev) != 1 {
			t.Fatalf("%d events, want 1", len(ev))
		}
	})
	t.Run("an invalid case is refused and a missing one is not found", func(t *testing.T) {
		s := newStore(t)
		bad := NewCase("s1", "wohngeld", "R-1", 0)
		bad.Submission.IdempotencyKey = ""
		if _, _, err := s.Receive(ctx, bad, received("s1")); !errors.Is(err, casework.ErrInvalid) {
			t.Fatalf("Receive without key: %v, want ErrInvalid", err)
		}
		mismatch := NewCase("s1", "wohngeld", "R-1", 0)
		mismatch.ID = "other"
		if _, _, err := s.Receive(ctx, mismatch, received("other")); !errors.Is(err, casework.ErrInvalid) {
			t.Fatalf("Receive with an id not the submission's: %v, want ErrInvalid", err)
		}
		if _, err := s.Case(ctx, "s1"); !errors.Is(err, casework.ErrNotFound) {
			t.Fatalf("Case(missing) = %v, want ErrNotFound", err)
		}
		if _, err := s.ByApplication(ctx, "app-s1"); !errors.Is(err, casework.ErrNotFound) {
			t.Fatalf("ByApplication(missing) = %v, want ErrNotFound", err)
		}
		if _, err := s.Append(ctx, staffEvent("s1", casework.ActionAccepted, 1), ozg.StateDelivered, ozg.StateAccepted); !errors.Is(err, casework.ErrNotFound) {
			t.Fatalf("Append to a missing case = %v, want ErrNotFound", err)
		}
	})
	t.Run("the inbox lists only assigned services, newest first, filtered and paged", func(t *testing.T) {
		s := newStore(t)
		for i := range 7 {
			svc := "wohngeld"
			if i%3 == 2 {
				svc = "parkausweis"
			}
			receive(t, s, NewCase(fmt.Sprintf("s%d", i), svc, fmt.Sprintf("%s-2026-%06d", map[string]string{"wohngeld": "WOHNGELD", "parkausweis": "PARK"}[svc], i), i))
		}
		if _, err := s.Append(ctx, staffEvent("s4", casework.ActionAccepted, 1), ozg.StateDelivered, ozg.StateAccepted); err != nil {
			t.Fatal(err)
		}
		ids := func(q casework.Query) []string {
			t.Helper()
			var out []string
			for range 10 {
				page, next, err := s.List(ctx, q)
				if err != nil {
					t.Fatalf("List(%+v): %v", q, err)
				}
				if q.Limit > 0 && len(page) > q.Limit {
					t.Fatalf("page of %d, limit %d", len(page), q.Limit)
				}
				for _, c := range page {
					out = append(out, c.ID)
				}
				if next == "" {
					return out
				}
				q.Cursor = next
			}
			t.Fatal("paging does not end")
			return nil
		}
		both := []string{"wohngeld", "parkausweis"}
		for _, tc := range []struct {
			name string
			q    casework.Query
			want string
		}{
			{"no services, no cases", casework.Query{}, "[]"},
			{"one assigned service", casework.Query{Services: []string{"wohngeld"}}, "[s6 s4 s3 s1 s0]"},
			{"two services", casework.Query{Services: both}, "[s6 s5 s4 s3 s2 s1 s0]"},
			{"paged by two", casework.Query{Services: both, Limit: 2}, "[s6 s5 s4 s3 s2 s1 s0]"},
			{"paged by one", casework.Query{Services: both, Limit: 1}, "[s6 s5 s4 s3 s2 s1 s0]"},
			{"one service of two", casework.Query{Services: both, Service: "parkausweis"}, "[s5 s2]"},
			{"a service not assigned", casework.Query{Services: []string{"wohngeld"}, Service: "parkausweis"}, "[]"},
			{"by state", casework.Query{Services: both, State: ozg.StateAccepted}, "[s4]"},
			{"by Aktenzeichen prefix, any case", casework.Query{Services: both, Reference: "park-2026"}, "[s5 s2]"},
			{"by whole Aktenzeichen", casework.Query{Services: both, Reference: "WOHNGELD-2026-000003"}, "[s3]"},
			{"a LIKE pattern is taken literally", casework.Query{Services: both, Reference: "W_HNGELD"}, "[]"},
		} {
			if got := fmt.Sprint(ids(tc.q)); got != tc.want && !(got == "[]" && tc.want == "[]") {
				t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
			}
		}
		if _, _, err := s.List(ctx, casework.Query{Services: both, Cursor: "not-a-cursor"}); !errors.Is(err, casework.ErrBadCursor) {
			t.Errorf("bad cursor: %v, want ErrBadCursor", err)
		}
		if _, _, err := s.List(ctx, casework.Query{Services: both, Limit: casework.MaxPageSize + 1}); !errors.Is(err, casework.ErrInvalid) {
			t.Errorf("limit above the maximum: %v, want ErrInvalid", err)
		}
	})
	t.Run("appending events numbers them and changes the state only from the expected one", func(t *testing.T) {
		s := newStore(t)
		receive(t, s, NewCase("s1", "wohngeld", "R-1", 0))
		e, err := s.Append(ctx, staffEvent("s1", casework.ActionEvidenceOpened, 1), "", "")
		if err != nil || e.Seq != 2 {
			t.Fatalf("Append = %+v, %v; want seq 2", e, err)
		}
		if _, err := s.Append(ctx, staffEvent("s1", casework.ActionAccepted, 2), ozg.StateDelivered, ozg.StateAccepted); err != nil {
			t.Fatal(err)
		}
		_, err = s.Append(ctx, staffEvent("s1", casework.ActionRejected, 3), ozg.StateDelivered, ozg.StateRejected)
		if !errors.Is(err, casework.ErrStateChanged) {
			t.Fatalf("Append from a stale state = %v, want ErrStateChanged", err)
		}
		q := staffEvent("s1", casework.ActionQuery, 4)
		q.Message = "MSG123"
		if _, err := s.Append(ctx, q, "", ""); err != nil {
			t.Fatal(err)
		}
		c, _ := s.Case(ctx, "s1")
		if c.State != ozg.StateAccepted {
			t.Fatalf("state = %s, want accepted", c.State)
		}
		ev, _ := s.Events(ctx, "s1")
		var got []string
		for i, e := range ev {
			if e.Seq != int64(i+1) {
				t.Fatalf("event %d has seq %d", i, e.Seq)
			}
			got = append(got, string(e.Action))
		}
		if fmt.Sprint(got) != "[received evidence-opened accepted query]" {
			t.Fatalf("events = %v", got)
		}
		if ev[2].Detail != "Grund: „unvollständig“ – 5 €" || ev[2].Actor.Name != "Sabine Sachbearbeiterin" || !ev[2].At.Equal(base.Add(2*time.Minute)) {
			t.Fatalf("event read back as %+v", ev[2])
		}
		if ok, err := s.HasMessageEvent(ctx, "s1", "MSG123"); err != nil || !ok {
			t.Fatalf("HasMessageEvent(MSG123) = %v, %v", ok, err)
		}
		if ok, _ := s.HasMessageEvent(ctx, "s1", "OTHER"); ok {
			t.Fatal("HasMessageEvent(OTHER) = true")
		}
		if _, err := s.Append(ctx, casework.Event{CaseID: "s1", At: base, Actor: casework.Actor{Kind: "staff"}, Action: "delete"}, "", ""); !errors.Is(err, casework.ErrInvalid) {
			t.Fatalf("unknown action: %v, want ErrInvalid", err)
		}
	})
	t.Run("of concurrent actions on one state exactly one wins", func(t *testing.T) {
		s := newStore(t)
		receive(t, s, NewCase("s1", "wohngeld", "R-1", 0))
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Append(ctx, staffEvent("s1", casework.ActionAccepted, i), ozg.StateDelivered, ozg.StateAccepted)
				switch {
				case err == nil:
					mu.Lock()
					won++
					mu.Unlock()
				case !errors.Is(err, casework.ErrStateChanged):
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d of 6 concurrent accepts won, want 1", won)
		}
		if ev, _ := s.Events(ctx, "s1"); len(ev) != 2 {
			t.Fatalf("%d events, want 2", len(ev))
		}
	})
	t.Run("returned cases are copies", func(t *testing.T) {
		s := newStore(t)
		receive(t, s, NewCase("s1", "wohngeld", "R-1", 0))
		c, _ := s.Case(ctx, "s1")
		c.State = ozg.StateDecided
		c.Submission.Attachments[0].FileName = "changed"
		again, _ := s.Case(ctx, "s1")
		if again.State != ozg.StateDelivered || again.Submission.Attachments[0].FileName != "Mietvertrag.pdf" {
			t.Fatal("changing a returned case changed the stored one")
		}
	})
	t.Run("a canceled context is honoured", func(t *testing.T) {
		s := newStore(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := s.Receive(cctx, NewCase("s1", "wohngeld", "R-1", 0), received("s1")); err == nil {
			t.Fatal("Receive with a canceled context succeeded")
		}
	})
}
