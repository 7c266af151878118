package evidencetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// RunStoreConformance checks that the stores made by newStore keep the contract of
// evidence.Store. newStore is called once per subtest and returns an empty store.
func RunStoreConformance(t *testing.T, newStore func(t *testing.T) evidence.Store) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ev := func(id, app string, created time.Time) evidence.Evidence {
		return evidence.Evidence{
			ID: id, ApplicationID: app, RequirementID: "mietvertrag", FileName: "Mietvertrag.pdf",
			MediaType: "application/pdf", Size: 1234, SHA512: fmt.Sprintf("%0128x", 42),
			ScanState: evidence.ScanPending, BlobKey: "evidence/" + id, CreatedAt: created, UpdatedAt: created,
		}
	}
	same := func(t *testing.T, got, want evidence.Evidence) {
		t.Helper()
		if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Fatalf("times = %v/%v, want %v/%v", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
		}
		got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if got != want {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
	}
	ids := func(list []evidence.Evidence) []string {
		out := []string{}
		for _, e := range list {
			out = append(out, e.ID)
		}
		return out
	}
	equal := func(t *testing.T, got, want []string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	}

	t.Run("a created evidence reads back field for field", func(t *testing.T) {
		s := newStore(t)
		e := ev("e1", "app-1", t0)
		if err := s.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "e1")
		if err != nil {
			t.Fatal(err)
		}
		same(t, got, e)
	})

	t.Run("creating an existing id wraps ErrExists and changes nothing", func(t *testing.T) {
		s := newStore(t)
		e := ev("e1", "app-1", t0)
		_ = s.Create(ctx, e)
		other := ev("e1", "app-2", t0.Add(time.Hour))
		if err := s.Create(ctx, other); !errors.Is(err, evidence.ErrExists) {
			t.Fatalf("err = %v, want ErrExists", err)
		}
		got, _ := s.Get(ctx, "e1")
		same(t, got, e)
	})

	t.Run("missing ids wrap ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, evidence.ErrNotFound) {
			t.Fatalf("Get err = %v", err)
		}
		if err := s.UpdateScan(ctx, "nope", evidence.ScanClean, "", t0); !errors.Is(err, evidence.ErrNotFound) {
			t.Fatalf("UpdateScan err = %v", err)
		}
		if err := s.Delete(ctx, "nope"); !errors.Is(err, evidence.ErrNotFound) {
			t.Fatalf("Delete err = %v", err)
		}
	})

	t.Run("list returns one application's evidence oldest first", func(t *testing.T) {
		s := newStore(t)
		for _, e := range []evidence.Evidence{
			ev("c", "app-1", t0.Add(2*time.Minute)), ev("a", "app-1", t0.Add(time.Minute)),
			ev("b", "app-1", t0.Add(time.Minute)), ev("x", "app-2", t0),
		} {
			if err := s.Create(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.List(ctx, "app-1")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, ids(list), []string{"a", "b", "c"})
		none, err := s.List(ctx, "app-3")
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("List of an application without evidence = %v, %v; want an empty slice", none, err)
		}
	})

	t.Run("update scan changes only the scan fields", func(t *testing.T) {
		s := newStore(t)
		e := ev("e1", "app-1", t0)
		_ = s.Create(ctx, e)
		at := t0.Add(time.Minute)
		if err := s.UpdateScan(ctx, "e1", evidence.ScanInfected, "Eicar-Signature", at); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Get(ctx, "e1")
		e.ScanState, e.ScanDetail, e.UpdatedAt = evidence.ScanInfected, "Eicar-Signature", at
		same(t, got, e)
	})

	t.Run("delete removes the evidence", func(t *testing.T) {
		s := newStore(t)
		_ = s.Create(ctx, ev("e1", "app-1", t0))
		if err := s.Delete(ctx, "e1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "e1"); !errors.Is(err, evidence.ErrNotFound) {
			t.Fatalf("Get after Delete err = %v", err)
		}
		if list, _ := s.List(ctx, "app-1"); len(list) != 0 {
			t.Fatalf("List after Delete = %v", list)
		}
	})

	t.Run("list by scan state is oldest first and limited", func(t *testing.T) {
		s := newStore(t)
		for i := range 5 {
			_ = s.Create(ctx, ev(fmt.Sprintf("p%d", i), "app-1", t0.Add(time.Duration(5-i)*time.Minute)))
		}
		_ = s.UpdateScan(ctx, "p0", evidence.ScanClean, "", t0)
		list, err := s.ListByScanState(ctx, evidence.ScanPending, 3)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, ids(list), []string{"p4", "p3", "p2"})
		clean, _ := s.ListByScanState(ctx, evidence.ScanClean, 10)
		equal(t, ids(clean), []string{"p0"})
	})

	t.Run("list applications pages through old evidence's applications", func(t *testing.T) {
		s := newStore(t)
		_ = s.Create(ctx, ev("1", "app-c", t0))
		_ = s.Create(ctx, ev("2", "app-a", t0))
		_ = s.Create(ctx, ev("3", "app-a", t0.Add(time.Minute)))
		_ = s.Create(ctx, ev("4", "app-b", t0.Add(time.Hour))) // not old enough
		_ = s.Create(ctx, ev("5", "app-d", t0))
		cut := t0.Add(30 * time.Minute)
		first, err := s.ListApplications(ctx, cut, "", 2)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, first, []string{"app-a", "app-c"})
		rest, _ := s.ListApplications(ctx, cut, "app-c", 2)
		equal(t, rest, []string{"app-d"})
	})

	t.Run("returned values are copies", func(t *testing.T) {
		s := newStore(t)
		_ = s.Create(ctx, ev("e1", "app-1", t0))
		got, _ := s.Get(ctx, "e1")
		got.FileName = "changed.pdf"
		list, _ := s.List(ctx, "app-1")
		list[0].Size = 1
		again, _ := s.Get(ctx, "e1")
		if again.FileName != "Mietvertrag.pdf" || again.Size != 1234 {
			t.Fatalf("store changed through a returned value: %+v", again)
		}
	})

	t.Run("a canceled context is refused", func(t *testing.T) {
		s := newStore(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Create(cctx, ev("e1", "app-1", t0)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Create err = %v, want context.Canceled", err)
		}
		if _, err := s.Get(ctx, "e1"); !errors.Is(err, evidence.ErrNotFound) {
			t.Fatalf("a canceled Create stored the evidence: %v", err)
		}
	})

	t.Run("concurrent use is safe", func(t *testing.T) {
		s := newStore(t)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("c%d", i)
				if err := s.Create(ctx, ev(id, "app-1", t0)); err != nil {
					t.Error(err)
				}
				_, _ = s.List(ctx, "app-1")
				if err := s.UpdateScan(ctx, id, evidence.ScanClean, "", t0); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		list, _ := s.ListByScanState(ctx, evidence.ScanClean, 100)
		if len(list) != 8 {
			t.Fatalf("%d clean, want 8", len(list))
		}
	})
}
