package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/mailbox/mailboxtest"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
	"github.com/ozgkit/ozgkit/payment"
)

func TestQueueStatsCountWhatWaits(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(tc.name, func(t *testing.T) {
			db := tc.open(t)
			ctx := context.Background()
			if st, err := db.QueueStats(ctx); err != nil || st != (sqlstore.QueueStats{}) {
				t.Fatalf("an empty database = %+v, %v", st, err)
			}
			t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			for i, state := range []evidence.ScanState{evidence.ScanPending, evidence.ScanPending, evidence.ScanClean, evidence.ScanInfected} {
				id := string(rune('a' + i))
				if err := db.Evidence().Create(ctx, evidence.Evidence{ID: id, ApplicationID: "app", ScanState: state, CreatedAt: t0, UpdatedAt: t0}); err != nil {
					t.Fatal(err)
				}
			}
			for i, st := range []payment.State{payment.StateCreated, payment.StatePending, payment.StatePaid, payment.StateExpired, payment.StateFailed} {
				id := string(rune('a' + i))
				p := &payment.Payment{ID: id, Key: "k" + id, ApplicationID: "app", Owner: "o", Amount: 1, Currency: "EUR",
					State: st, CreatedAt: t0, UpdatedAt: t0}
				if err := db.Payments().Create(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range []string{"m1", "m2", "m3", "m4"} {
				if err := db.Mailbox().Create(ctx, mailboxtest.Fixture(id, "alice", 0)); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Mailbox().SetNotification(ctx, "m3", mailbox.NotificationState{Attempts: 1, Done: t0}); err != nil {
				t.Fatal(err)
			}
			if err := db.Mailbox().SetNotification(ctx, "m4", mailbox.NotificationState{Attempts: 8, Done: t0, GaveUp: true}); err != nil {
				t.Fatal(err)
			}
			want := sqlstore.QueueStats{ScanPending: 2, NotificationsPending: 2, NotificationsFailed: 1, PaymentsOpen: 2}
			if st, err := db.QueueStats(ctx); err != nil || st != want {
				t.Fatalf("QueueStats = %+v, %v; want %+v", st, err, want)
			}
		})
	}
}
