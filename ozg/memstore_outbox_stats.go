package ozg

import (
	"context"
	"time"
)

var _ OutboxStatsStore = (*MemoryStore)(nil)

// OutboxStats implements OutboxStatsStore.
func (m *MemoryStore) OutboxStats(ctx context.Context, now time.Time) (OutboxStats, error) {
	if err := ctx.Err(); err != nil {
		return OutboxStats{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var s OutboxStats
	for _, e := range m.outbox {
		switch e.State {
		case DeliveryPending:
			s.Pending++
		case DeliveryNotifying:
			s.Notifying++
		case DeliveryWithdrawing:
			s.Withdrawing++
		case DeliveryFailed:
			s.Failed++
		}
		if e.State.Claimable() && !e.NextAttempt.After(now) && !e.leaseUntil.After(now) {
			s.Due++
			if s.OldestDue.IsZero() || e.NextAttempt.Before(s.OldestDue) {
				s.OldestDue = e.NextAttempt.UTC()
			}
		}
	}
	return s, nil
}
