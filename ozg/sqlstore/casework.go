package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
)

// CaseworkStore is the authority's inbox (casework.Store) on the database: cases in
// casework_cases, the append-only audit trail in casework_events. It has no method that
// deletes or rewrites an event.
type CaseworkStore struct{ d *DB }

var _ casework.Store = (*CaseworkStore)(nil)

// Casework returns the casework store.
func (d *DB) Casework() *CaseworkStore { return &CaseworkStore{d: d} }

const caseColumns = `id, state, received_at, submission`

func scanCase(s scanner) (*casework.Case, error) {
	var c casework.Case
	var state, body string
	var at int64
	if err := s.Scan(&c.ID, &state, &at, &body); err != nil {
		return nil, err
	}
	c.State, c.ReceivedAt = ozg.State(state), fromMicros(at)
	if err := json.Unmarshal([]byte(body), &c.Submission); err != nil {
		return nil, fmt.Errorf("sqlstore: decode case %s: %w", c.ID, err)
	}
	return &c, nil
}

func (s *CaseworkStore) caseWhere(ctx context.Context, q queryer, where string, args ...any) (*casework.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, s.d.q(`SELECT `+caseColumns+` FROM casework_cases WHERE `+where), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %v", casework.ErrNotFound, args[0])
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read case: %w", err)
	}
	return c, nil
}

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Receive implements casework.Store: the case and its first event in one transaction; a case
// already stored under the id or the owner's idempotency key is returned instead.
func (s *CaseworkStore) Receive(ctx context.Context, c *casework.Case, first casework.Event) (*casework.Case, bool, error) {
	if err := casework.CheckCase(c); err != nil {
		return nil, false, err
	}
	body, err := json.Marshal(c.Submission)
	if err != nil {
		return nil, false, fmt.Errorf("sqlstore: encode case %s: %w", c.ID, err)
	}
	if len(body) > casework.MaxSubmissionSize {
		return nil, false, fmt.Errorf("%w: submission %s has %d bytes, at most %d", casework.ErrInvalid, c.ID, len(body), casework.MaxSubmissionSize)
	}
	sub := c.Submission
	existing := func() (*casework.Case, bool, error) {
		old, err := s.caseWhere(ctx, s.d.db, `id = ? OR (owner = ? AND idempotency_key = ?)`, c.ID, sub.Owner, sub.IdempotencyKey)
		return old, false, err
	}
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("sqlstore: receive %s: %w", c.ID, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, s.d.q(`SELECT COUNT(*) FROM casework_cases WHERE id = ? OR (owner = ? AND idempotency_key = ?)`),
		c.ID, sub.Owner, sub.IdempotencyKey).Scan(&n); err != nil {
		return nil, false, fmt.Errorf("sqlstore: receive %s: %w", c.ID, err)
	}
	if n > 0 {
		tx.Rollback()
		return existing()
	}
	_, err = tx.ExecContext(ctx, s.d.q(`INSERT INTO casework_cases (id, application_id, owner, idempotency_key, service_id, reference_upper, state, received_at, submission)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), c.ID, sub.ApplicationID, sub.Owner, sub.IdempotencyKey, sub.ServiceID,
		strings.ToUpper(sub.Reference), string(c.State), micros(c.ReceivedAt), string(body))
	if isUniqueViolation(err) {
		// a concurrent delivery of the same submission committed first
		tx.Rollback()
		return existing()
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlstore: receive %s: %w", c.ID, err)
	}
	first.CaseID, first.Seq = c.ID, 1
	if err := s.insertEvent(ctx, tx, first); err != nil {
		return nil, false, err
	}
	if err := tx.Commit(); err != nil {
		if isUniqueViolation(err) {
			return existing()
		}
		return nil, false, fmt.Errorf("sqlstore: receive %s: %w", c.ID, err)
	}
	stored := c.Clone()
	stored.ReceivedAt = fromMicros(micros(c.ReceivedAt))
	return stored, true, nil
}

func (s *CaseworkStore) insertEvent(ctx context.Context, q queryer, e casework.Event) error {
	_, err := q.ExecContext(ctx, s.d.q(`INSERT INTO casework_events (case_id, seq, at, actor_kind, actor_subject, actor_name, action, detail, message_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), e.CaseID, e.Seq, micros(e.At), e.Actor.Kind, e.Actor.Subject, e.Actor.Name,
		string(e.Action), e.Detail, e.Message)
	if err != nil {
		return fmt.Errorf("sqlstore: event %s/%d: %w", e.CaseID, e.Seq, err)
	}
	return nil
}

// Case implements casework.Store.
func (s *CaseworkStore) Case(ctx context.Context, id string) (*casework.Case, error) {
	return s.caseWhere(ctx, s.d.db, `id = ?`, id)
}

// ByApplication implements casework.Store.
func (s *CaseworkStore) ByApplication(ctx context.Context, applicationID string) (*casework.Case, error) {
	return s.caseWhere(ctx, s.d.db, `application_id = ? ORDER BY received_at LIMIT 1`, applicationID)
}

// likeEscaper makes a string match itself literally in LIKE ... ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// List implements casework.Store.
func (s *CaseworkStore) List(ctx context.Context, q casework.Query) ([]*casework.Case, string, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, "", err
	}
	if len(q.Services) == 0 {
		return nil, "", ctx.Err()
	}
	var where []string
	var args []any
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(q.Services)), ", ")
	where = append(where, `service_id IN (`+marks+`)`)
	for _, svc := range q.Services {
		args = append(args, svc)
	}
	if q.Service != "" {
		where, args = append(where, `service_id = ?`), append(args, q.Service)
	}
	if q.State != "" {
		where, args = append(where, `state = ?`), append(args, string(q.State))
	}
	if q.Reference != "" {
		where, args = append(where, `reference_upper LIKE ? ESCAPE '\'`), append(args, likeEscaper.Replace(strings.ToUpper(q.Reference))+"%")
	}
	if q.Cursor != "" {
		at, id, err := ozg.DecodeCursor(q.Cursor)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %v", casework.ErrBadCursor, err)
		}
		us := micros(at)
		where, args = append(where, `(received_at < ? OR (received_at = ? AND id < ?))`), append(args, us, us, id)
	}
	args = append(args, q.Limit+1)
	rows, err := s.d.db.QueryContext(ctx, s.d.q(`SELECT `+caseColumns+` FROM casework_cases WHERE `+strings.Join(where, " AND ")+
		` ORDER BY received_at DESC, id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlstore: list cases: %w", err)
	}
	defer rows.Close()
	var out []*casework.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlstore: list cases: %w", err)
	}
	next := ""
	if len(out) > q.Limit {
		out = out[:q.Limit]
		last := out[len(out)-1]
		next = ozg.EncodeCursor(last.ReceivedAt, last.ID)
	}
	return out, next, nil
}

// Append implements casework.Store: the case row is locked, its state compared and changed,
// and the event added with the next number, in one transaction.
func (s *CaseworkStore) Append(ctx context.Context, e casework.Event, from, to ozg.State) (casework.Event, error) {
	if err := casework.CheckEvent(e, to); err != nil {
		return casework.Event{}, err
	}
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return casework.Event{}, fmt.Errorf("sqlstore: append to %s: %w", e.CaseID, err)
	}
	defer tx.Rollback()
	lock := ""
	if s.d.dialect == dialectPostgres {
		lock = ` FOR UPDATE`
	}
	var state string
	err = tx.QueryRowContext(ctx, s.d.q(`SELECT state FROM casework_cases WHERE id = ?`+lock), e.CaseID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return casework.Event{}, fmt.Errorf("%w: %q", casework.ErrNotFound, e.CaseID)
	}
	if err != nil {
		return casework.Event{}, fmt.Errorf("sqlstore: append to %s: %w", e.CaseID, err)
	}
	if to != "" {
		if ozg.State(state) != from {
			return casework.Event{}, fmt.Errorf("%w: case %s is %s, not %s", casework.ErrStateChanged, e.CaseID, state, from)
		}
		if _, err := tx.ExecContext(ctx, s.d.q(`UPDATE casework_cases SET state = ? WHERE id = ?`), string(to), e.CaseID); err != nil {
			return casework.Event{}, fmt.Errorf("sqlstore: append to %s: %w", e.CaseID, err)
		}
	}
	if err := tx.QueryRowContext(ctx, s.d.q(`SELECT COALESCE(MAX(seq), 0) + 1 FROM casework_events WHERE case_id = ?`), e.CaseID).Scan(&e.Seq); err != nil {
		return casework.Event{}, fmt.Errorf("sqlstore: append to %s: %w", e.CaseID, err)
	}
	e.At = fromMicros(micros(e.At))
	if err := s.insertEvent(ctx, tx, e); err != nil {
		return casework.Event{}, err
	}
	if err := tx.Commit(); err != nil {
		return casework.Event{}, fmt.Errorf("sqlstore: append to %s: %w", e.CaseID, err)
	}
	return e, nil
}

// Events implements casework.Store.
func (s *CaseworkStore) Events(ctx context.Context, caseID string) ([]casework.Event, error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return nil, err
	}
	rows, err := s.d.db.QueryContext(ctx, s.d.q(`SELECT case_id, seq, at, actor_kind, actor_subject, actor_name, action, detail, message_id
		FROM casework_events WHERE case_id = ? ORDER BY seq LIMIT ?`), caseID, casework.MaxEvents)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: events of %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []casework.Event
	for rows.Next() {
		var e casework.Event
		var at int64
		var action string
		if err := rows.Scan(&e.CaseID, &e.Seq, &at, &e.Actor.Kind, &e.Actor.Subject, &e.Actor.Name, &action, &e.Detail, &e.Message); err != nil {
			return nil, fmt.Errorf("sqlstore: events of %s: %w", caseID, err)
		}
		e.At, e.Action = fromMicros(at), casework.Action(action)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: events of %s: %w", caseID, err)
	}
	return out, nil
}

// HasMessageEvent implements casework.Store.
func (s *CaseworkStore) HasMessageEvent(ctx context.Context, caseID, messageID string) (bool, error) {
	var n int
	err := s.d.db.QueryRowContext(ctx, s.d.q(`SELECT COUNT(*) FROM casework_events WHERE case_id = ? AND message_id = ?`), caseID, messageID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlstore: events of %s: %w", caseID, err)
	}
	return n > 0, nil
}
