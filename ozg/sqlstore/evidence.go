package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// EvidenceStore is an evidence.Store on a DB: the metadata of uploaded evidence (Nachweise).
// The bytes stay in an evidence.BlobStore.
type EvidenceStore struct{ d *DB }

var _ evidence.LimitedStore = (*EvidenceStore)(nil)

// Evidence returns the evidence metadata store of the database.
func (d *DB) Evidence() *EvidenceStore { return &EvidenceStore{d: d} }

const evidenceColumns = `id, application_id, requirement_id, file_name, media_type, size, sha512,
	scan_state, scan_detail, blob_key, created_at, updated_at`

func scanEvidence(s scanner) (evidence.Evidence, error) {
	var (
		e                evidence.Evidence
		state            string
		created, updated int64
	)
	err := s.Scan(&e.ID, &e.ApplicationID, &e.RequirementID, &e.FileName, &e.MediaType, &e.Size, &e.SHA512,
		&state, &e.ScanDetail, &e.BlobKey, &created, &updated)
	e.ScanState = evidence.ScanState(state)
	e.CreatedAt, e.UpdatedAt = fromMicros(created), fromMicros(updated)
	return e, err
}

// Create implements evidence.Store.
func (s *EvidenceStore) Create(ctx context.Context, e evidence.Evidence) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlstore: create evidence %q: %w", e.ID, err)
	}
	_, err := s.d.db.ExecContext(ctx, s.d.q(`INSERT INTO evidence (`+evidenceColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.ID, e.ApplicationID, e.RequirementID, e.FileName, e.MediaType, e.Size, e.SHA512,
		string(e.ScanState), e.ScanDetail, e.BlobKey, micros(e.CreatedAt), micros(e.UpdatedAt))
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("sqlstore: create evidence %q: %w", e.ID, evidence.ErrExists)
	case err != nil:
		return fmt.Errorf("sqlstore: create evidence %q: %w", e.ID, err)
	}
	return nil
}

// CreateWithin implements evidence.LimitedStore: the count, the sum and the insert share one
// transaction, which on PostgreSQL first takes a lock on the application (an advisory lock
// held until the transaction ends) so that creates for one application on any replica take
// turns; SQLite transactions take turns anyway.
func (s *EvidenceStore) CreateWithin(ctx context.Context, e evidence.Evidence, l evidence.Limits) error {
	err := func() error {
		tx, err := s.d.db.BeginTx(ctx, nil)
		if err != nil {
			return ctxErr(ctx, err)
		}
		defer tx.Rollback()
		if s.d.dialect == dialectPostgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7280235))`, e.ApplicationID); err != nil {
				return ctxErr(ctx, err)
			}
		}
		var (
			files, perReq int
			total         int64
		)
		if err := tx.QueryRowContext(ctx, s.d.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN requirement_id = ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(size), 0) FROM evidence WHERE application_id = ?`), e.RequirementID, e.ApplicationID).Scan(&files, &perReq, &total); err != nil {
			return ctxErr(ctx, err)
		}
		switch {
		case l.MaxPerRequirement > 0 && perReq+1 > l.MaxPerRequirement:
			return fmt.Errorf("%w: requirement %q has %d of %d files", evidence.ErrTooManyFiles, e.RequirementID, perReq, l.MaxPerRequirement)
		case l.MaxFiles > 0 && files+1 > l.MaxFiles:
			return fmt.Errorf("%w: the application has %d of %d files", evidence.ErrTooManyFiles, files, l.MaxFiles)
		case l.MaxTotalSize > 0 && total+e.Size > l.MaxTotalSize:
			return fmt.Errorf("%w: the application's %d bytes and %d more pass %d", evidence.ErrTooLarge, total, e.Size, l.MaxTotalSize)
		}
		_, err = tx.ExecContext(ctx, s.d.q(`INSERT INTO evidence (`+evidenceColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			e.ID, e.ApplicationID, e.RequirementID, e.FileName, e.MediaType, e.Size, e.SHA512,
			string(e.ScanState), e.ScanDetail, e.BlobKey, micros(e.CreatedAt), micros(e.UpdatedAt))
		if isUniqueViolation(err) {
			return evidence.ErrExists
		}
		if err != nil {
			return ctxErr(ctx, err)
		}
		return ctxErr(ctx, tx.Commit())
	}()
	if err != nil {
		return fmt.Errorf("sqlstore: create evidence %q: %w", e.ID, err)
	}
	return nil
}

// Get implements evidence.Store.
func (s *EvidenceStore) Get(ctx context.Context, id string) (evidence.Evidence, error) {
	e, err := scanEvidence(s.d.db.QueryRowContext(ctx, s.d.q(`SELECT `+evidenceColumns+` FROM evidence WHERE id = ?`), id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return evidence.Evidence{}, fmt.Errorf("sqlstore: get evidence %q: %w", id, evidence.ErrNotFound)
	case err != nil:
		return evidence.Evidence{}, fmt.Errorf("sqlstore: get evidence %q: %w", id, err)
	}
	return e, nil
}

// List implements evidence.Store.
func (s *EvidenceStore) List(ctx context.Context, applicationID string) ([]evidence.Evidence, error) {
	return s.list(ctx, "list evidence of "+applicationID,
		`WHERE application_id = ? ORDER BY created_at, id`, applicationID)
}

// ListByScanState implements evidence.Store. A limit of zero or less lists them all.
func (s *EvidenceStore) ListByScanState(ctx context.Context, state evidence.ScanState, limit int) ([]evidence.Evidence, error) {
	where := `WHERE scan_state = ? ORDER BY created_at, id`
	args := []any{string(state)}
	if limit > 0 {
		where += ` LIMIT ?`
		args = append(args, limit)
	}
	return s.list(ctx, "list "+string(state)+" evidence", where, args...)
}

func (s *EvidenceStore) list(ctx context.Context, what, where string, args ...any) ([]evidence.Evidence, error) {
	rows, err := s.d.db.QueryContext(ctx, s.d.q(`SELECT `+evidenceColumns+` FROM evidence `+where), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	defer rows.Close()
	out := []evidence.Evidence{}
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return out, nil
}

// UpdateScan implements evidence.Store.
func (s *EvidenceStore) UpdateScan(ctx context.Context, id string, state evidence.ScanState, detail string, at time.Time) error {
	n, err := affected(s.d.db.ExecContext(ctx, s.d.q(`UPDATE evidence SET scan_state = ?, scan_detail = ?, updated_at = ? WHERE id = ?`),
		string(state), detail, micros(at), id))
	switch {
	case err != nil:
		return fmt.Errorf("sqlstore: update scan of evidence %q: %w", id, err)
	case n == 0:
		return fmt.Errorf("sqlstore: update scan of evidence %q: %w", id, evidence.ErrNotFound)
	}
	return nil
}

// Delete implements evidence.Store.
func (s *EvidenceStore) Delete(ctx context.Context, id string) error {
	n, err := affected(s.d.db.ExecContext(ctx, s.d.q(`DELETE FROM evidence WHERE id = ?`), id))
	switch {
	case err != nil:
		return fmt.Errorf("sqlstore: delete evidence %q: %w", id, err)
	case n == 0:
		return fmt.Errorf("sqlstore: delete evidence %q: %w", id, evidence.ErrNotFound)
	}
	return nil
}

// ListApplications implements evidence.Store. A limit of zero or less lists them all.
func (s *EvidenceStore) ListApplications(ctx context.Context, createdBefore time.Time, after string, limit int) ([]string, error) {
	query := `SELECT DISTINCT application_id FROM evidence WHERE application_id > ? AND created_at < ? ORDER BY application_id`
	args := []any{after, micros(createdBefore)}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.d.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list applications with evidence: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlstore: list applications with evidence: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list applications with evidence: %w", err)
	}
	return out, nil
}
