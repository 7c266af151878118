package sqlstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/ozgkit/ozgkit/identity"
)

// ReplayCache is an identity.ReplayCache on a DB (table replay_ids): every replica sharing the
// database sees an id consumed on any of them. One statement records an id, so of concurrent
// consumers on any number of replicas exactly one succeeds. Expired ids are deleted now and
// then as ids are consumed, and by [ReplayCache.Purge].
type ReplayCache struct {
	d     *DB
	now   func() time.Time
	calls atomic.Uint64
}

var _ identity.ReplayCache = (*ReplayCache)(nil)

// ReplayCache returns the replay cache of the database.
func (d *DB) ReplayCache() *ReplayCache { return &ReplayCache{d: d, now: time.Now} }

// purgeEvery is how many Consume calls pass between two deletions of expired ids.
const purgeEvery = 256

// Consume implements identity.ReplayCache. An id whose record has expired is recorded anew.
func (c *ReplayCache) Consume(ctx context.Context, id string, expires time.Time) error {
	if err := identity.CheckReplayID(id); err != nil {
		return err
	}
	now := micros(c.now())
	res, err := c.d.db.ExecContext(ctx, c.d.q(`INSERT INTO replay_ids (id, expires_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_ids.expires_at <= ?`),
		id, micros(expires), now)
	if err != nil {
		return fmt.Errorf("sqlstore: record replay id: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: record replay id: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: replay id %q: %w", shortID(id), identity.ErrReplayed)
	}
	if c.calls.Add(1)%purgeEvery == 0 {
		if _, err := c.Purge(ctx); err != nil {
			c.d.logger.LogAttrs(ctx, slog.LevelWarn, "sqlstore: purging expired replay ids failed", slog.String("error", err.Error()))
		}
	}
	return nil
}

// Purge deletes the ids that have expired and returns how many.
func (c *ReplayCache) Purge(ctx context.Context) (int64, error) {
	res, err := c.d.db.ExecContext(ctx, c.d.q(`DELETE FROM replay_ids WHERE expires_at <= ?`), micros(c.now()))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: purge replay ids: %w", err)
	}
	return res.RowsAffected()
}

func shortID(id string) string {
	if len(id) > 64 {
		return id[:64] + "…"
	}
	return id
}
