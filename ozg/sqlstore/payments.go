package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ozgkit/ozgkit/payment"
)

// PaymentStore is a payment.Store on a DB. Updates check the version in the same statement
// that writes, so of concurrent writers on any number of replicas exactly one wins.
type PaymentStore struct{ d *DB }

var _ payment.Store = (*PaymentStore)(nil)

// Payments returns the payment store of the database.
func (d *DB) Payments() *PaymentStore { return &PaymentStore{d: d} }

const paymentColumns = `id, idempotency_key, application_id, owner, amount, currency, purpose, description,
	state, request_id, transaction_id, transaction_url, reference, redirect_url, method, method_detail,
	detail, created_at, updated_at, paid_at, version`

func scanPayment(s scanner) (*payment.Payment, error) {
	var (
		p                payment.Payment
		state, method    string
		created, updated int64
		paid             sql.NullInt64
	)
	if err := s.Scan(&p.ID, &p.Key, &p.ApplicationID, &p.Owner, &p.Amount, &p.Currency, &p.Purpose, &p.Description,
		&state, &p.RequestID, &p.TransactionID, &p.TransactionURL, &p.Reference, &p.RedirectURL, &method, &p.MethodDetail,
		&p.Detail, &created, &updated, &paid, &p.Version); err != nil {
		return nil, err
	}
	p.State, p.Method = payment.State(state), payment.Method(method)
	p.CreatedAt, p.UpdatedAt, p.PaidAt = fromMicros(created), fromMicros(updated), fromNullMicros(paid)
	return &p, nil
}

// Create implements payment.Store.
func (s *PaymentStore) Create(ctx context.Context, p *payment.Payment) error {
	if p.ID == "" || p.Key == "" {
		return &payment.FieldError{Field: "id", Reason: "payment id and key must not be empty"}
	}
	_, err := s.d.db.ExecContext(ctx, s.d.q(`INSERT INTO payments (`+paymentColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`),
		p.ID, p.Key, p.ApplicationID, p.Owner, p.Amount, p.Currency, p.Purpose, p.Description,
		string(p.State), p.RequestID, p.TransactionID, p.TransactionURL, p.Reference, p.RedirectURL, string(p.Method), p.MethodDetail,
		p.Detail, micros(p.CreatedAt), micros(p.UpdatedAt), nullMicros(p.PaidAt))
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("sqlstore: create payment %q (or its key): %w", p.ID, payment.ErrExists)
	case err != nil:
		return fmt.Errorf("sqlstore: create payment %q: %w", p.ID, err)
	}
	p.Version = 1
	return nil
}

// Get implements payment.Store.
func (s *PaymentStore) Get(ctx context.Context, id string) (*payment.Payment, error) {
	return s.getWhere(ctx, "payment "+quoteID(id), `id = ?`, id)
}

// GetByKey implements payment.Store.
func (s *PaymentStore) GetByKey(ctx context.Context, key string) (*payment.Payment, error) {
	// The key is the caller's idempotency key: not repeated in errors.
	return s.getWhere(ctx, "payment by key", `idempotency_key = ?`, key)
}

func (s *PaymentStore) getWhere(ctx context.Context, what, where string, arg any) (*payment.Payment, error) {
	p, err := scanPayment(s.d.db.QueryRowContext(ctx, s.d.q(`SELECT `+paymentColumns+` FROM payments WHERE `+where), arg))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("sqlstore: get %s: %w", what, payment.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("sqlstore: get %s: %w", what, err)
	}
	return p, nil
}

// quoteID quotes an id for an error message, cut to 64 bytes.
func quoteID(id string) string {
	if len(id) > 64 {
		id = id[:64] + "…"
	}
	return fmt.Sprintf("%q", id)
}

// Update implements payment.Store. The version check, the check that ID, Key, ApplicationID,
// Owner, Amount and Currency are unchanged, and the write are one statement; when it changes
// nothing, the stored payment tells which rule was broken.
func (s *PaymentStore) Update(ctx context.Context, p *payment.Payment) error {
	n, err := affected(s.d.db.ExecContext(ctx, s.d.q(`UPDATE payments SET
		purpose = ?, description = ?, state = ?, request_id = ?, transaction_id = ?, transaction_url = ?,
		reference = ?, redirect_url = ?, method = ?, method_detail = ?, detail = ?,
		created_at = ?, updated_at = ?, paid_at = ?, version = version + 1
		WHERE id = ? AND version = ? AND idempotency_key = ? AND application_id = ? AND owner = ?
		AND amount = ? AND currency = ?`),
		p.Purpose, p.Description, string(p.State), p.RequestID, p.TransactionID, p.TransactionURL,
		p.Reference, p.RedirectURL, string(p.Method), p.MethodDetail, p.Detail,
		micros(p.CreatedAt), micros(p.UpdatedAt), nullMicros(p.PaidAt),
		p.ID, p.Version, p.Key, p.ApplicationID, p.Owner, p.Amount, p.Currency))
	if err != nil {
		return fmt.Errorf("sqlstore: update payment %s: %w", quoteID(p.ID), err)
	}
	if n == 1 {
		p.Version++
		return nil
	}
	// Nothing changed: say why.
	stored, err := scanPayment(s.d.db.QueryRowContext(ctx, s.d.q(`SELECT `+paymentColumns+` FROM payments WHERE id = ?`), p.ID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: update payment %s: %w", quoteID(p.ID), payment.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlstore: update payment %s: %w", quoteID(p.ID), err)
	}
	for _, c := range []struct {
		field   string
		changed bool
	}{
		{"key", stored.Key != p.Key},
		{"applicationId", stored.ApplicationID != p.ApplicationID},
		{"owner", stored.Owner != p.Owner},
		{"amount", stored.Amount != p.Amount},
		{"currency", stored.Currency != p.Currency},
	} {
		if c.changed {
			return &payment.FieldError{Field: c.field, Reason: "must not change"}
		}
	}
	return fmt.Errorf("sqlstore: update payment %s: version %d, stored %d: %w", quoteID(p.ID), p.Version, stored.Version, payment.ErrConflict)
}

// ListByApplication implements payment.Store. It lists at most payment.MaxList payments, far
// more than the attempts one application's fee takes.
func (s *PaymentStore) ListByApplication(ctx context.Context, applicationID string) ([]*payment.Payment, error) {
	return s.list(ctx, "list payments of an application",
		`WHERE application_id = ? ORDER BY created_at, id LIMIT ?`, applicationID, payment.MaxList)
}

// ListByState implements payment.Store: the reconciler's view of payments left open.
func (s *PaymentStore) ListByState(ctx context.Context, state payment.State, limit int) ([]*payment.Payment, error) {
	if limit <= 0 || limit > payment.MaxList {
		limit = payment.MaxList
	}
	return s.list(ctx, "list "+string(state)+" payments",
		`WHERE state = ? ORDER BY updated_at, id LIMIT ?`, string(state), limit)
}

func (s *PaymentStore) list(ctx context.Context, what, where string, args ...any) ([]*payment.Payment, error) {
	rows, err := s.d.db.QueryContext(ctx, s.d.q(`SELECT `+paymentColumns+` FROM payments `+where), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	defer rows.Close()
	var out []*payment.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return out, nil
}
