package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ozgkit/ozgkit/identity"
)

// SessionStore is an identity.SessionStore on a DB: the server-side record of every login
// session, shared by all replicas on one PostgreSQL database, so that a session ended on
// one replica (logout, step-up, a new login) is refused on all of them at their next
// request. Give it to identity.SessionOptions.Store.
type SessionStore struct{ d *DB }

var _ identity.SessionStore = (*SessionStore)(nil)

// Sessions returns the session store of the database.
func (d *DB) Sessions() *SessionStore { return &SessionStore{d: d} }

// Create implements identity.SessionStore. It also drops the subject's expired sessions, so
// the table does not grow with one person's logins between runs of DeleteExpired.
func (s *SessionStore) Create(ctx context.Context, rec identity.SessionRecord) error {
	if err := rec.Valid(); err != nil {
		return fmt.Errorf("sqlstore: create session: %w", err)
	}
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: create session: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM identity_sessions WHERE subject = ? AND expires_at <= ?`),
		rec.Subject, micros(rec.Created)); err != nil {
		return fmt.Errorf("sqlstore: create session: drop expired: %w", err)
	}
	_, err = tx.ExecContext(ctx, s.d.q(`INSERT INTO identity_sessions (id, subject, created_at, expires_at) VALUES (?, ?, ?, ?)`),
		rec.ID, rec.Subject, micros(rec.Created), micros(rec.Expires))
	switch {
	case isUniqueViolation(err):
		// The id is a secret half of a login: never repeated in errors.
		return fmt.Errorf("sqlstore: create session: %w", identity.ErrSessionExists)
	case err != nil:
		return fmt.Errorf("sqlstore: create session: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: create session: %w", err)
	}
	return nil
}

// Lookup implements identity.SessionStore. Ids that cannot be a session id (too long, not
// UTF-8, with NUL) are not found without asking the database.
func (s *SessionStore) Lookup(ctx context.Context, id string, now time.Time) (identity.SessionRecord, error) {
	if !identity.SessionKeyValid(id, identity.MaxSessionID) {
		if err := ctx.Err(); err != nil {
			return identity.SessionRecord{}, err
		}
		return identity.SessionRecord{}, fmt.Errorf("sqlstore: look up session: %w", identity.ErrSessionNotFound)
	}
	var (
		rec              identity.SessionRecord
		created, expires int64
	)
	err := s.d.db.QueryRowContext(ctx, s.d.q(`SELECT id, subject, created_at, expires_at FROM identity_sessions
		WHERE id = ? AND expires_at > ?`), id, micros(now)).Scan(&rec.ID, &rec.Subject, &created, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return identity.SessionRecord{}, fmt.Errorf("sqlstore: look up session: %w", identity.ErrSessionNotFound)
	case err != nil:
		return identity.SessionRecord{}, fmt.Errorf("sqlstore: look up session: %w", err)
	}
	rec.Created, rec.Expires = fromMicros(created), fromMicros(expires)
	return rec, nil
}

// Revoke implements identity.SessionStore.
func (s *SessionStore) Revoke(ctx context.Context, id string) error {
	if !identity.SessionKeyValid(id, identity.MaxSessionID) {
		return ctx.Err()
	}
	if _, err := s.d.db.ExecContext(ctx, s.d.q(`DELETE FROM identity_sessions WHERE id = ?`), id); err != nil {
		return fmt.Errorf("sqlstore: revoke session: %w", err)
	}
	return nil
}

// RevokeSubject implements identity.SessionStore.
func (s *SessionStore) RevokeSubject(ctx context.Context, subject string) (int, error) {
	if !identity.SessionKeyValid(subject, identity.MaxSessionSubject) {
		return 0, ctx.Err()
	}
	n, err := affected(s.d.db.ExecContext(ctx, s.d.q(`DELETE FROM identity_sessions WHERE subject = ?`), subject))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: revoke sessions of a subject: %w", err)
	}
	return int(n), nil
}

// DeleteExpired implements identity.SessionStore.
func (s *SessionStore) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	n, err := affected(s.d.db.ExecContext(ctx, s.d.q(`DELETE FROM identity_sessions WHERE expires_at <= ?`), micros(now)))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete expired sessions: %w", err)
	}
	return int(n), nil
}
