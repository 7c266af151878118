package sqlstore

import (
	"context"
	"fmt"
	"strings"
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

// inList returns "(?, ?, ...)" for n values and the values as arguments.
func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return `(?` + strings.Repeat(", ?", len(ids)-1) + `)`, args
}

// Purge implements ozg.RetentionStore in one transaction of five statements, whatever the
// batch's size. On PostgreSQL the applications and their outbox entries are locked (FOR
// UPDATE) before they are checked, so a concurrent change either commits first and is seen,
// or waits and then finds nothing; SQLite's transaction holds the write lock from its start.
func (s *ApplicationStore) Purge(ctx context.Context, batch []ozg.RetentionCandidate, now time.Time) ([]string, error) {
	if len(batch) > ozg.MaxRetentionBatch {
		return nil, fmt.Errorf("%w: purge of %d is more than %d", ozg.ErrBadPage, len(batch), ozg.MaxRetentionBatch)
	}
	if len(batch) == 0 {
		return nil, ctx.Err()
	}
	lock := ""
	if s.d.dialect == dialectPostgres {
		lock = ` FOR UPDATE`
	}
	ids := make([]string, len(batch))
	for i, c := range batch {
		ids[i] = c.ID
	}
	list, args := inList(ids)
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: purge: %w", err)
	}
	defer tx.Rollback()
	fail := func(err error) ([]string, error) { return nil, fmt.Errorf("sqlstore: purge: %w", err) }

	versions := make(map[string]int64, len(batch))
	rows, err := tx.QueryContext(ctx, s.d.q(`SELECT id, version FROM applications WHERE id IN `+list+lock), args...)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var (
			id string
			v  int64
		)
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return fail(err)
		}
		versions[id] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	busy := map[string]bool{}
	rows, err = tx.QueryContext(ctx, s.d.q(`SELECT s.application_id, o.state, o.lease_until FROM outbox o
		JOIN submissions s ON s.id = o.submission_id WHERE s.application_id IN `+list+lock), args...)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var (
			app, state string
			lease      int64
		)
		if err := rows.Scan(&app, &state, &lease); err != nil {
			rows.Close()
			return fail(err)
		}
		if !ozg.DeliveryState(state).Settled() || lease > micros(now) {
			busy[app] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	var purge []string
	for _, c := range batch {
		if v, ok := versions[c.ID]; ok && v == c.Version && !busy[c.ID] {
			purge = append(purge, c.ID)
			delete(versions, c.ID) // a candidate listed twice is purged once
		}
	}
	if len(purge) == 0 {
		return nil, nil
	}
	// Submit writes a submission and its outbox entry together, so every submission of these
	// applications was checked above.
	list, args = inList(purge)
	for _, stmt := range []string{
		`DELETE FROM outbox WHERE submission_id IN (SELECT id FROM submissions WHERE application_id IN ` + list + `)`,
		`DELETE FROM submissions WHERE application_id IN ` + list,
		`DELETE FROM applications WHERE id IN ` + list,
	} {
		if _, err := tx.ExecContext(ctx, s.d.q(stmt), args...); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return purge, nil
}
