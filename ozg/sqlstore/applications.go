package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// ApplicationStore is an ozg.Store on a DB: applications, submissions and their outbox.
type ApplicationStore struct{ d *DB }

var _ ozg.NumberingStore = (*ApplicationStore)(nil)

// Applications returns the application store of the database, which also keeps submissions
// and the outbox (ozg.Store), so that a submit is one transaction.
func (d *DB) Applications() *ApplicationStore { return &ApplicationStore{d: d} }

const appColumns = `id, service_id, owner, data, state, history, reference, version, created_at, updated_at, provenance`

// The queries of the submit path, prepared once on SQLite (see DB.prepareHot).
const (
	queryGetApplication    = `SELECT ` + appColumns + ` FROM applications WHERE id = ?`
	queryUpdateApplication = `UPDATE applications
		SET data = ?, state = ?, history = ?, reference = ?, version = ?, updated_at = ?, provenance = ?
		WHERE id = ? AND version = ? AND owner = ? AND service_id = ? AND created_at = ?`
	queryNextSequence = `INSERT INTO sequences (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value`
	queryInsertSubmission = `INSERT INTO submissions (id, application_id, owner, idempotency_key, body, submitted_at)
		VALUES (?, ?, ?, ?, ?, ?)`
	queryInsertOutbox = `INSERT INTO outbox (submission_id, delivery, state, attempts, next_attempt, lease_until, last_error)
		VALUES (?, ?, ?, 0, ?, 0, '')`
	// queryInsertSubmissionQueued is both inserts in one statement, for PostgreSQL: one round
	// trip fewer per submit. The outbox's foreign key is checked at the end of the statement,
	// when the submission is there.
	queryInsertSubmissionQueued = `WITH s AS (` + queryInsertSubmission + ` RETURNING id)
		INSERT INTO outbox (submission_id, delivery, state, attempts, next_attempt, lease_until, last_error)
		SELECT id, ?, ?, 0, ?, 0, '' FROM s`
)

// queryNumberedUpdate is, for PostgreSQL, the next number of a sequence and the application's
// update with the reference made from it (ozg.Numbering.Reference: the prefix, then the
// number zero-padded to at least the digits asked), in one statement: the sequence's row is
// then locked for two round trips of the submit's transaction instead of four. When the
// version check fails no row is returned and the transaction is rolled back, with the number.
const queryNumberedUpdate = `WITH n AS (` + queryNextSequence + `)
	UPDATE applications
		SET data = ?, state = ?, history = ?, version = ?, updated_at = ?, provenance = ?,
			reference = CAST(? AS TEXT) || lpad(n.value::text, greatest(CAST(? AS INTEGER), length(n.value::text)), '0')
		FROM n
		WHERE id = ? AND version = ? AND owner = ? AND service_id = ? AND created_at = ?
		RETURNING n.value`

var (
	hotQueries = []string{queryGetApplication, queryUpdateApplication, queryNextSequence, queryInsertSubmission, queryInsertOutbox}
	hotReads   = []string{queryGetApplication}
)

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// row flattens an application into its column values, in appColumns order.
func row(a *ozg.Application, version int64) ([]any, error) {
	history := a.History
	if history == nil {
		history = []ozg.Transition{}
	}
	h, err := json.Marshal(history)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode history of %s: %w", a.ID, err)
	}
	data := a.Data
	if data == nil {
		data = json.RawMessage("null")
	}
	var ref any
	if a.Reference != "" {
		ref = a.Reference
	}
	prov, err := json.Marshal(a.Provenance)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode provenance of %s: %w", a.ID, err)
	}
	return []any{a.ID, a.ServiceID, a.Owner, string(data), string(a.State), string(h), ref, version,
		micros(a.CreatedAt), micros(a.UpdatedAt), string(prov)}, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanApp(s scanner) (*ozg.Application, error) {
	var (
		a                 ozg.Application
		data, state, hist string
		prov              string
		ref               sql.NullString
		created, updated  int64
	)
	if err := s.Scan(&a.ID, &a.ServiceID, &a.Owner, &data, &state, &hist, &ref, &a.Version, &created, &updated, &prov); err != nil {
		return nil, err
	}
	a.Data = json.RawMessage(data)
	a.State = ozg.State(state)
	a.Reference = ref.String
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(hist), &a.History); err != nil {
		return nil, fmt.Errorf("sqlstore: decode history of %s: %w", a.ID, err)
	}
	if len(a.History) == 0 {
		a.History = nil
	}
	if err := json.Unmarshal([]byte(prov), &a.Provenance); err != nil {
		return nil, fmt.Errorf("sqlstore: decode provenance of %s: %w", a.ID, err)
	}
	return &a, nil
}

// Create implements ozg.ApplicationStore.
func (s *ApplicationStore) Create(ctx context.Context, a *ozg.Application) error {
	if a.ID == "" || a.Owner == "" {
		return fmt.Errorf("%w: id and owner are required", ozg.ErrInvalidApplication)
	}
	vals, err := row(a, 1)
	if err != nil {
		return err
	}
	_, err = s.d.db.ExecContext(ctx, s.d.q(`INSERT INTO applications (`+appColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), vals...)
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("%w: application %s (or its reference)", ozg.ErrExists, a.ID)
	case err != nil:
		return fmt.Errorf("sqlstore: create application %s: %w", a.ID, err)
	}
	a.Version = 1
	return nil
}

// Get implements ozg.ApplicationStore.
func (s *ApplicationStore) Get(ctx context.Context, id string) (*ozg.Application, error) {
	a, err := scanApp(s.d.read(ctx, queryGetApplication, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("%w: application %s", ozg.ErrNotFound, id)
	case err != nil:
		return nil, fmt.Errorf("sqlstore: get application %s: %w", id, err)
	}
	return a, nil
}

// execer is what *sql.DB and *sql.Tx share.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Update implements ozg.ApplicationStore. The version check and the write happen in one
// statement, so concurrent writers on any number of replicas cannot both win.
func (s *ApplicationStore) Update(ctx context.Context, a *ozg.Application) error {
	if err := s.update(ctx, s.d.db, a); err != nil {
		return err
	}
	a.Version++
	return nil
}

// update writes a at version a.Version+1 through ex, or says why not. It leaves a.Version alone.
func (s *ApplicationStore) update(ctx context.Context, ex execer, a *ozg.Application) error {
	vals, err := row(a, a.Version+1)
	if err != nil {
		return err
	}
	res, err := s.d.exec(ctx, ex, queryUpdateApplication,
		vals[3], vals[4], vals[5], vals[6], vals[7], vals[9], vals[10],
		a.ID, a.Version, a.Owner, a.ServiceID, micros(a.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("%w: reference %s is taken", ozg.ErrExists, a.Reference)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: update application %s: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: update application %s: %w", a.ID, err)
	} else if n == 1 {
		return nil
	}
	return s.notUpdated(ctx, ex, a)
}

// notUpdated says why an update of a at a.Version changed no row: ErrNotFound, a change of
// what cannot change, or ErrConflict.
func (s *ApplicationStore) notUpdated(ctx context.Context, ex execer, a *ozg.Application) error {
	stored, err := scanApp(ex.QueryRowContext(ctx, s.d.q(`SELECT `+appColumns+` FROM applications WHERE id = ?`), a.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: application %s", ozg.ErrNotFound, a.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: update application %s: %w", a.ID, err)
	}
	if err := ozg.CheckImmutable(stored, a); err != nil {
		return err
	}
	return fmt.Errorf("%w: application %s is at version %d, the update was based on %d", ozg.ErrConflict, a.ID, stored.Version, a.Version)
}

// ListByOwner implements ozg.ApplicationStore.
func (s *ApplicationStore) ListByOwner(ctx context.Context, owner string, page ozg.Page) ([]*ozg.Application, string, error) {
	page, err := page.Normalize()
	if err != nil {
		return nil, "", err
	}
	query := `SELECT ` + appColumns + ` FROM applications WHERE owner = ?`
	args := []any{owner}
	if page.Cursor != "" {
		at, id, err := ozg.DecodeCursor(page.Cursor)
		if err != nil {
			return nil, "", err
		}
		query += ` AND (created_at < ? OR (created_at = ? AND id < ?))`
		args = append(args, micros(at), micros(at), id)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, page.Limit+1) // one more tells whether a next page exists
	rows, err := s.d.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlstore: list applications: %w", err)
	}
	defer rows.Close()
	var out []*ozg.Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlstore: list applications: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlstore: list applications: %w", err)
	}
	next := ""
	if len(out) > page.Limit {
		out = out[:page.Limit]
		last := out[len(out)-1]
		next = ozg.EncodeCursor(last.CreatedAt, last.ID)
	}
	return out, next, nil
}

// Delete implements ozg.ApplicationStore.
func (s *ApplicationStore) Delete(ctx context.Context, id string) error {
	res, err := s.d.db.ExecContext(ctx, s.d.q(`DELETE FROM applications WHERE id = ?`), id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete application %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: delete application %s: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("%w: application %s", ozg.ErrNotFound, id)
	}
	return nil
}

// NextSequence implements ozg.ApplicationStore with one atomic upsert, safe across replicas.
func (s *ApplicationStore) NextSequence(ctx context.Context, name string) (int64, error) {
	return nextSequence(ctx, s.d, s.d.db, name)
}

// nextSequence counts the sequence name up by one through ex (the database, or a transaction
// whose rollback gives the number back) and returns its new value.
func nextSequence(ctx context.Context, d *DB, ex execer, name string) (int64, error) {
	var n int64
	err := d.queryRow(ctx, ex, queryNextSequence, name).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: next number of %s: %w", name, err)
	}
	return n, nil
}
