package ozgtest

import (
	"context"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// RunOutboxStatsConformance checks that the stores made by newStore count their outbox as
// the ozg.OutboxStatsStore contract says. The stores must implement ozg.OutboxStatsStore.
func RunOutboxStatsConformance(t *testing.T, newStore NewFullStore) {
	t.Helper()
	t.Run("the counts follow the entries through their states", func(t *testing.T) {
		s := newStore(t)
		counter, ok := s.(ozg.OutboxStatsStore)
		if !ok {
			t.Fatalf("%T is not an ozg.OutboxStatsStore", s)
		}
		ctx := context.Background()
		stats := func(at time.Time) ozg.OutboxStats {
			t.Helper()
			st, err := counter.OutboxStats(ctx, at)
			if err != nil {
				t.Fatalf("OutboxStats: %v", err)
			}
			return st
		}
		if st := stats(base); st != (ozg.OutboxStats{}) {
			t.Fatalf("an empty outbox counts %+v", st)
		}
		_, first := submitted(t, s, "alice", "k1", base)
		_, second := submitted(t, s, "bob", "k2", base.Add(time.Second))
		submitted(t, s, "carol", "k3", base.Add(time.Hour))
		now := base.Add(10 * time.Second)
		if st := stats(now); st.Pending != 3 || st.Due != 2 || !st.OldestDue.Equal(base) || st.OldestDue.Location() != time.UTC || st.Depth() != 3 {
			t.Fatalf("three pending entries, two due = %+v (oldest due %v), want oldest due %v in UTC", st, st.OldestDue, base)
		}
		claimed, err := s.ClaimDeliveries(ctx, now, time.Minute, 1)
		if err != nil || len(claimed) != 1 || claimed[0].SubmissionID != first.ID {
			t.Fatalf("claim = %+v, %v", claimed, err)
		}
		if st := stats(now); st.Pending != 3 || st.Due != 1 || !st.OldestDue.Equal(base.Add(time.Second)) {
			t.Fatalf("with the oldest entry leased = %+v, want 1 due since %v", st, base.Add(time.Second))
		}
		if st := stats(now.Add(2 * time.Minute)); st.Due != 2 || !st.OldestDue.Equal(base) {
			t.Fatalf("after the lease ended = %+v, want the leased entry due again", st)
		}
		if err := s.CompleteDelivery(ctx, first.ID, ozg.Receipt{ID: "r-1", DeliveredAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := s.FailDelivery(ctx, second.ID, "refused"); err != nil {
			t.Fatal(err)
		}
		later := base.Add(2 * time.Hour)
		if st := stats(later); st.Pending != 1 || st.Notifying != 1 || st.Withdrawing != 0 || st.Failed != 1 || st.Due != 2 || !st.OldestDue.Equal(base) {
			t.Fatalf("after a delivery and a failure = %+v, want 1 pending, 1 notifying, 1 failed, 2 due since %v (the failed entry is never due)", st, base)
		}
		if err := s.Requeue(ctx, second.ID, later); err != nil {
			t.Fatal(err)
		}
		if st := stats(later); st.Failed != 0 || st.Pending != 2 || st.Due != 3 {
			t.Fatalf("after the requeue = %+v, want 2 pending, 3 due, none failed", st)
		}
	})
}
