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

// RunLimitedStoreConformance checks that the stores made by newStore keep the contract of
// evidence.LimitedStore. newStore is called once per subtest and returns an empty store; a
// database-backed one should use a pool of several connections, so that concurrent creates
// meet in the database.
func RunLimitedStoreConformance(t *testing.T, newStore func(t *testing.T) evidence.LimitedStore) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ev := func(id, app, req string, size int64) evidence.Evidence {
		return evidence.Evidence{
			ID: id, ApplicationID: app, RequirementID: req, FileName: "Nachweis.pdf",
			MediaType: "application/pdf", Size: size, SHA512: fmt.Sprintf("%0128x", 7),
			ScanState: evidence.ScanClean, BlobKey: "evidence/" + id, CreatedAt: t0, UpdatedAt: t0,
		}
	}
	count := func(t *testing.T, s evidence.Store, app string) int {
		t.Helper()
		list, err := s.List(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	tests := []struct {
		name    string
		limits  evidence.Limits
		stored  []evidence.Evidence
		next    evidence.Evidence
		wantErr error
	}{
		{"a file within every limit is stored",
			evidence.Limits{MaxPerRequirement: 2, MaxFiles: 3, MaxTotalSize: 300},
			[]evidence.Evidence{ev("e1", "app-1", "mietvertrag", 100)}, ev("e2", "app-1", "mietvertrag", 200), nil},
		{"one file too many for the requirement is refused",
			evidence.Limits{MaxPerRequirement: 1, MaxFiles: 10, MaxTotalSize: 1 << 20},
			[]evidence.Evidence{ev("e1", "app-1", "mietvertrag", 100)}, ev("e2", "app-1", "mietvertrag", 100), evidence.ErrTooManyFiles},
		{"one file too many for the application is refused",
			evidence.Limits{MaxPerRequirement: 5, MaxFiles: 2, MaxTotalSize: 1 << 20},
			[]evidence.Evidence{ev("e1", "app-1", "mietvertrag", 1), ev("e2", "app-1", "einkommen", 1)}, ev("e3", "app-1", "ausweis", 1), evidence.ErrTooManyFiles},
		{"a file that takes the application over its total size is refused",
			evidence.Limits{MaxPerRequirement: 5, MaxFiles: 5, MaxTotalSize: 300},
			[]evidence.Evidence{ev("e1", "app-1", "mietvertrag", 200)}, ev("e2", "app-1", "einkommen", 101), evidence.ErrTooLarge},
		{"a file that fills the total size exactly is stored",
			evidence.Limits{MaxPerRequirement: 5, MaxFiles: 5, MaxTotalSize: 300},
			[]evidence.Evidence{ev("e1", "app-1", "mietvertrag", 200)}, ev("e2", "app-1", "einkommen", 100), nil},
		{"other applications' files do not count",
			evidence.Limits{MaxPerRequirement: 1, MaxFiles: 1, MaxTotalSize: 100},
			[]evidence.Evidence{ev("e1", "app-2", "mietvertrag", 100)}, ev("e2", "app-1", "mietvertrag", 100), nil},
		{"zero limits bound nothing",
			evidence.Limits{},
			[]evidence.Evidence{ev("e1", "app-1", "mietvertrag", 1<<40)}, ev("e2", "app-1", "mietvertrag", 1<<40), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			for _, e := range tt.stored {
				if err := s.Create(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			before := count(t, s, tt.next.ApplicationID)
			err := s.CreateWithin(ctx, tt.next, tt.limits)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("CreateWithin = %v, want it stored", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("CreateWithin = %v, want %v", err, tt.wantErr)
			}
			after := count(t, s, tt.next.ApplicationID)
			if tt.wantErr == nil && after != before+1 || tt.wantErr != nil && after != before {
				t.Fatalf("%d evidence before, %d after; err %v", before, after, err)
			}
		})
	}

	t.Run("an id already stored is refused with ErrExists", func(t *testing.T) {
		s := newStore(t)
		e := ev("e1", "app-1", "mietvertrag", 1)
		if err := s.CreateWithin(ctx, e, evidence.Limits{MaxPerRequirement: 5}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateWithin(ctx, e, evidence.Limits{MaxPerRequirement: 5}); !errors.Is(err, evidence.ErrExists) {
			t.Fatalf("second CreateWithin = %v, want ErrExists", err)
		}
	})

	t.Run("concurrent creates for one application never pass a limit together", func(t *testing.T) {
		s := newStore(t)
		for round, l := range []evidence.Limits{
			{MaxPerRequirement: 2, MaxFiles: 50, MaxTotalSize: 1 << 30},
			{MaxPerRequirement: 50, MaxFiles: 3, MaxTotalSize: 1 << 30},
			{MaxPerRequirement: 50, MaxFiles: 50, MaxTotalSize: 400},
		} {
			app := fmt.Sprintf("app-%d", round)
			var wg sync.WaitGroup
			for i := range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := s.CreateWithin(ctx, ev(fmt.Sprintf("%s-e%d", app, i), app, "mietvertrag", 100), l)
					if err != nil && !errors.Is(err, evidence.ErrTooManyFiles) && !errors.Is(err, evidence.ErrTooLarge) {
						t.Errorf("CreateWithin: %v", err)
					}
				}()
			}
			wg.Wait()
			want := min(l.MaxPerRequirement, l.MaxFiles, int(l.MaxTotalSize/100))
			if got := count(t, s, app); got != want {
				t.Fatalf("limits %+v: %d of 10 concurrent creates were stored, want %d", l, got, want)
			}
		}
	})
}
