package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/mailbox/mailboxtest"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
	"github.com/ozgkit/ozgkit/payment"
)

// TestIDsOrderBytewiseLikeGo checks that ids are ordered as Go orders strings (bytewise), as
// the in-memory stores do, whatever the database's locale: upper case before lower case, '-'
// before digits, '_' after upper case.
func TestIDsOrderBytewiseLikeGo(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(tc.name, func(t *testing.T) {
			db := tc.open(t)
			ctx := context.Background()
			ids := []string{"a", "B", "_", "-", "1", "Z", "z"}
			want := slices.Clone(ids)
			slices.Sort(want)

			t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			for _, id := range ids {
				err := db.Evidence().Create(ctx, evidence.Evidence{ID: id, ApplicationID: "app" + id, ScanState: evidence.ScanPending, CreatedAt: t0, UpdatedAt: t0})
				if err != nil {
					t.Fatal(err)
				}
			}
			apps, err := db.Evidence().ListApplications(ctx, t0.Add(time.Second), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			for i := range apps {
				apps[i] = apps[i][len("app"):]
			}
			if fmt.Sprint(apps) != fmt.Sprint(want) {
				t.Errorf("evidence applications in order %v, want %v", apps, want)
			}

			for _, id := range ids {
				p := &payment.Payment{ID: id, Key: "k" + id, ApplicationID: "app", Owner: "o", Amount: 1, Currency: "EUR",
					State: payment.StatePending, CreatedAt: t0, UpdatedAt: t0}
				if err := db.Payments().Create(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			ps, err := db.Payments().ListByApplication(ctx, "app")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("payments in order %v, want %v", got, want)
			}

			for _, id := range ids {
				m := mailboxtest.Fixture("m"+id, "alice", 0)
				if err := db.Mailbox().Create(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			ms, err := db.Mailbox().List(ctx, "alice", mailbox.Query{Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			ms2, err := db.Mailbox().List(ctx, "alice", mailbox.Query{Limit: 10, After: &mailbox.Position{Created: ms[2].Created, ID: ms[2].ID}})
			if err != nil {
				t.Fatal(err)
			}
			got = got[:0]
			for _, m := range append(ms, ms2...) {
				got = append(got, m.ID[1:])
			}
			slices.Reverse(want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("messages in order %v, want %v", got, want)
			}
		})
	}
}
