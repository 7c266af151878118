package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

var _ ozg.OutboxStatsStore = (*ApplicationStore)(nil)

// OutboxStats implements ozg.OutboxStatsStore with one query over the outbox's state index.
func (s *ApplicationStore) OutboxStats(ctx context.Context, now time.Time) (ozg.OutboxStats, error) {
	rows, err := s.d.db.QueryContext(ctx, s.d.q(`SELECT state, COUNT(*),
		SUM(CASE WHEN next_attempt <= ? AND lease_until <= ? THEN 1 ELSE 0 END),
		MIN(CASE WHEN next_attempt <= ? AND lease_until <= ? THEN next_attempt END)
		FROM outbox WHERE state IN ('pending', 'notifying', 'withdrawing', 'failed') GROUP BY state`),
		micros(now), micros(now), micros(now), micros(now))
	if err != nil {
		return ozg.OutboxStats{}, fmt.Errorf("sqlstore: outbox stats: %w", err)
	}
	defer rows.Close()
	var st ozg.OutboxStats
	for rows.Next() {
		var (
			state      string
			count, due int64
			oldest     sql.NullInt64
		)
		if err := rows.Scan(&state, &count, &due, &oldest); err != nil {
			return ozg.OutboxStats{}, fmt.Errorf("sqlstore: outbox stats: %w", err)
		}
		switch ozg.DeliveryState(state) {
		case ozg.DeliveryPending:
			st.Pending = int(count)
		case ozg.DeliveryNotifying:
			st.Notifying = int(count)
		case ozg.DeliveryWithdrawing:
			st.Withdrawing = int(count)
		case ozg.DeliveryFailed:
			st.Failed = int(count)
			continue // not work for the outbox, so never due
		}
		st.Due += int(due)
		if oldest.Valid {
			if t := fromMicros(oldest.Int64); st.OldestDue.IsZero() || t.Before(st.OldestDue) {
				st.OldestDue = t
			}
		}
	}
	if err := rows.Err(); err != nil {
		return ozg.OutboxStats{}, fmt.Errorf("sqlstore: outbox stats: %w", err)
	}
	return st, nil
}
