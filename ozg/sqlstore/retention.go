package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

var _ ozg.RetentionStore = (*ApplicationStore)(nil)

// RetentionCandidates implements ozg.RetentionStore. The index (service_id, updated_at, id)
// of migration 0016 serves the walk; the submission and its outbox entry are joined by their
// keys.
func (s *ApplicationStore) RetentionCandidates(ctx context.Context, q ozg.RetentionQuery) ([]ozg.RetentionCandidate, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	where := ` WHERE a.service_id = ? AND a.updated_at < ?`
	args := []any{q.ServiceID, micros(q.Before)}
	if q.After != nil {
		where += ` AND (a.updated_at, a.id) > (?, ?)`
		args = append(args, micros(q.After.UpdatedAt), q.After.ID)
	}
	switch q.Class {
	case ozg.RetentionDrafts:
		where += ` AND s.id IS NULL`
	case ozg.RetentionSubmissions:
		where += ` AND o.state IN ('delivered', 'withdrawn')`
	}
	args = append(args, q.Limit)
	rows, err := s.d.db.QueryContext(ctx, s.d.q(`SELECT a.id, a.service_id, a.state, a.updated_at, a.version,
		COALESCE(s.id, ''), COALESCE(o.state, '')
		FROM applications a
		LEFT JOIN submissions s ON s.application_id = a.id
		LEFT JOIN outbox o ON o.submission_id = s.id`+where+`
		ORDER BY a.updated_at, a.id LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: retention candidates of %s: %w", q.ServiceID, err)
	}
	defer rows.Close()
	out := make([]ozg.RetentionCandidate, 0, min(q.Limit, 64))
	for rows.Next() {
		var (
			c              ozg.RetentionCandidate
			state, deliver string
			updated        int64
		)
		if err := rows.Scan(&c.ID, &c.ServiceID, &state, &updated, &c.Version, &c.SubmissionID, &deliver); err != nil {
			return nil, fmt.Errorf("sqlstore: retention candidates of %s: %w", q.ServiceID, err)
		}
		c.State, c.Delivery, c.UpdatedAt = ozg.State(state), ozg.DeliveryState(deliver), fromMicros(updated)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: retention candidates of %s: %w", q.ServiceID, err)
	}
	return out, nil
}

// Purge implements ozg.RetentionStore in one transaction. On PostgreSQL the application and
// its outbox entry are locked (FOR UPDATE) before they are checked, so a concurrent change
// either commits first and is seen, or waits and then finds nothing; SQLite's transaction
// holds the write lock from its start.
func (s *ApplicationStore) Purge(ctx context.Context, id string, version int64, now time.Time) error {
	lock := ""
	if s.d.dialect == dialectPostgres {
		lock = ` FOR UPDATE`
	}
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: purge %s: %w", id, err)
	}
	defer tx.Rollback()
	var stored int64
	err = tx.QueryRowContext(ctx, s.d.q(`SELECT version FROM applications WHERE id = ?`+lock), id).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: application %s", ozg.ErrNotFound, id)
	case err != nil:
		return fmt.Errorf("sqlstore: purge %s: %w", id, err)
	case stored != version:
		return fmt.Errorf("%w: application %s is at version %d, not %d", ozg.ErrConflict, id, stored, version)
	}
	rows, err := tx.QueryContext(ctx, s.d.q(`SELECT o.submission_id, o.state, o.lease_until FROM outbox o
		JOIN submissions s ON s.id = o.submission_id WHERE s.application_id = ?`+lock), id)
	if err != nil {
		return fmt.Errorf("sqlstore: purge %s: %w", id, err)
	}
	var subs []string
	for rows.Next() {
		var (
			sub, state string
			lease      int64
		)
		if err := rows.Scan(&sub, &state, &lease); err != nil {
			rows.Close()
			return fmt.Errorf("sqlstore: purge %s: %w", id, err)
		}
		if !ozg.DeliveryState(state).Settled() || lease > micros(now) {
			rows.Close()
			return fmt.Errorf("%w: the outbox entry of application %s is %s", ozg.ErrInvalidTransition, id, state)
		}
		subs = append(subs, sub)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: purge %s: %w", id, err)
	}
	for _, sub := range subs {
		if _, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM outbox WHERE submission_id = ?`), sub); err != nil {
			return fmt.Errorf("sqlstore: purge %s: %w", id, err)
		}
	}
	// A submission without an outbox entry cannot be stored (Submit writes both), so every
	// submission of the application was checked above.
	if _, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM submissions WHERE application_id = ?`), id); err != nil {
		return fmt.Errorf("sqlstore: purge %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM applications WHERE id = ?`), id); err != nil {
		return fmt.Errorf("sqlstore: purge %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: purge %s: %w", id, err)
	}
	return nil
}
