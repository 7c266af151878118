package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/ozgkit/ozgkit/ozg/delivery"
)

// Deduplicator is a delivery.Deduplicator on a DB (table delivery_dedup): the record with
// which a back office's receiver takes each submission once, shared by every replica on the
// database and kept across restarts. One statement claims a key, so of concurrent claims on
// any number of replicas exactly one holds it. Completed keys older than the retention are
// deleted now and then as keys are claimed, and by [Deduplicator.Purge].
type Deduplicator struct {
	d         *DB
	retention time.Duration
	now       func() time.Time
	calls     atomic.Uint64
}

var _ delivery.Deduplicator = (*Deduplicator)(nil)

// DeduplicatorOptions tune [DB.Deduplicator]; nil or zero fields mean the defaults.
type DeduplicatorOptions struct {
	// Retention is how long completed keys are kept; default delivery.DefaultDedupRetention
	// (30 days), longer than any sender retries.
	Retention time.Duration
	// Now replaces the clock, for tests.
	Now func() time.Time
}

// Deduplicator returns the delivery deduplicator of the database.
func (d *DB) Deduplicator(opts *DeduplicatorOptions) *Deduplicator {
	x := &Deduplicator{d: d, retention: delivery.DefaultDedupRetention, now: time.Now}
	if opts != nil {
		if opts.Retention > 0 {
			x.retention = opts.Retention
		}
		if opts.Now != nil {
			x.now = opts.Now
		}
	}
	return x
}

// Claim implements delivery.Deduplicator.
func (x *Deduplicator) Claim(ctx context.Context, key string, lease time.Duration) (delivery.Claim, error) {
	if err := delivery.CheckDedupKey(key); err != nil {
		return delivery.Claim{}, err
	}
	token, err := delivery.NewDedupToken()
	if err != nil {
		return delivery.Claim{}, err
	}
	// A key that vanishes between the two statements (its holder abandoned it) is tried again.
	for range 3 {
		now := x.now()
		n, err := affected(x.d.db.ExecContext(ctx, x.d.q(`INSERT INTO delivery_dedup (dedup_key, token, receipt, lease_until, completed_at)
			VALUES (?, ?, '', ?, NULL)
			ON CONFLICT (dedup_key) DO UPDATE SET token = excluded.token, lease_until = excluded.lease_until
			WHERE delivery_dedup.completed_at IS NULL AND delivery_dedup.lease_until <= ?`),
			key, token, micros(now.Add(lease)), micros(now)))
		if err != nil {
			return delivery.Claim{}, fmt.Errorf("sqlstore: claim delivery %q: %w", shortID(key), ctxErr(ctx, err))
		}
		if n == 1 {
			x.purgeNowAndThen(ctx)
			return delivery.Claim{Token: token}, nil
		}
		var (
			receipt   string
			completed sql.NullInt64
		)
		err = x.d.db.QueryRowContext(ctx, x.d.q(`SELECT receipt, completed_at FROM delivery_dedup WHERE dedup_key = ?`), key).Scan(&receipt, &completed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return delivery.Claim{}, fmt.Errorf("sqlstore: claim delivery %q: %w", shortID(key), ctxErr(ctx, err))
		case completed.Valid:
			return delivery.Claim{Done: true, Receipt: receipt}, nil
		default:
			return delivery.Claim{}, fmt.Errorf("sqlstore: claim delivery %q: %w", shortID(key), delivery.ErrInProgress)
		}
	}
	return delivery.Claim{}, fmt.Errorf("sqlstore: claim delivery %q: claimed and abandoned by others three times in a row: %w", shortID(key), delivery.ErrInProgress)
}

// Complete implements delivery.Deduplicator.
func (x *Deduplicator) Complete(ctx context.Context, key, token, receipt string) error {
	if err := delivery.CheckDedupKey(key); err != nil {
		return err
	}
	n, err := affected(x.d.db.ExecContext(ctx, x.d.q(`UPDATE delivery_dedup SET receipt = ?, completed_at = ?
		WHERE dedup_key = ? AND token = ? AND completed_at IS NULL`), receipt, micros(x.now()), key, token))
	if err != nil {
		return fmt.Errorf("sqlstore: complete delivery %q: %w", shortID(key), ctxErr(ctx, err))
	}
	if n == 1 {
		return nil
	}
	// A retried Complete of the same claim and receipt has nothing left to do.
	var same int
	err = x.d.db.QueryRowContext(ctx, x.d.q(`SELECT COUNT(*) FROM delivery_dedup
		WHERE dedup_key = ? AND token = ? AND receipt = ? AND completed_at IS NOT NULL`), key, token, receipt).Scan(&same)
	switch {
	case err != nil:
		return fmt.Errorf("sqlstore: complete delivery %q: %w", shortID(key), ctxErr(ctx, err))
	case same == 0:
		return fmt.Errorf("sqlstore: complete delivery %q: %w", shortID(key), delivery.ErrClaimLost)
	}
	return nil
}

// Abandon implements delivery.Deduplicator.
func (x *Deduplicator) Abandon(ctx context.Context, key, token string) error {
	if err := delivery.CheckDedupKey(key); err != nil {
		return err
	}
	n, err := affected(x.d.db.ExecContext(ctx, x.d.q(`DELETE FROM delivery_dedup WHERE dedup_key = ? AND token = ? AND completed_at IS NULL`), key, token))
	switch {
	case err != nil:
		return fmt.Errorf("sqlstore: abandon delivery %q: %w", shortID(key), ctxErr(ctx, err))
	case n == 0:
		return fmt.Errorf("sqlstore: abandon delivery %q: %w", shortID(key), delivery.ErrClaimLost)
	}
	return nil
}

// Purge deletes the completed keys older than the retention and returns how many.
func (x *Deduplicator) Purge(ctx context.Context) (int64, error) {
	n, err := affected(x.d.db.ExecContext(ctx, x.d.q(`DELETE FROM delivery_dedup WHERE completed_at IS NOT NULL AND completed_at < ?`),
		micros(x.now().Add(-x.retention))))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: purge delivery records: %w", err)
	}
	return n, nil
}

func (x *Deduplicator) purgeNowAndThen(ctx context.Context) {
	if x.calls.Add(1)%purgeEvery != 0 {
		return
	}
	if _, err := x.Purge(ctx); err != nil {
		x.d.logger.LogAttrs(ctx, slog.LevelWarn, "sqlstore: purging delivery records failed", slog.String("error", err.Error()))
	}
}
