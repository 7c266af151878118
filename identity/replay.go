package identity

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ReplayCache remembers one-time values an identity provider issued (SAML assertion ids, say)
// so that each is accepted only once. Share one cache between all replicas that accept logins
// for the same portal: a value consumed on one replica is then refused on every other.
//
// The contract, which RunReplayCacheConformance in identity/identitytest checks:
//   - Consume records id as used until expires. Of any number of concurrent calls with the same
//     id, exactly one returns nil; every other call before expires returns an error matching
//     [ErrReplayed].
//   - After expires the record may be dropped, and a later Consume of the same id may succeed:
//     callers only consume values that are themselves no longer valid after expires.
//   - An id that is empty or longer than [MaxReplayID] bytes is refused with an error that does
//     not match ErrReplayed. Any error other than ErrReplayed means the id could not be recorded;
//     callers must refuse the value then too (fail closed).
//   - A cancelled ctx makes Consume return the context's error unless it has already recorded.
//
// Implementations must be safe for concurrent use. [MemoryReplayCache] keeps the record in one
// process; ozg/sqlstore keeps it in the database every replica shares.
type ReplayCache interface {
	Consume(ctx context.Context, id string, expires time.Time) error
}

// MaxReplayID is the longest id a [ReplayCache] must accept, in bytes.
const MaxReplayID = 512

// ErrReplayed: the value was consumed before and is not expired.
var ErrReplayed = errors.New("identity: already used")

// CheckReplayID returns an error unless id is one a [ReplayCache] accepts: non-empty and at
// most [MaxReplayID] bytes.
func CheckReplayID(id string) error {
	switch {
	case id == "":
		return errors.New("identity: replay cache: empty id")
	case len(id) > MaxReplayID:
		return fmt.Errorf("identity: replay cache: id of %d bytes is longer than %d", len(id), MaxReplayID)
	}
	return nil
}

// MemoryReplayCache is a [ReplayCache] in one process's memory: right for a single replica
// and for tests. It holds at most a bounded number of unexpired ids and refuses new ones
// (fail closed) when full.
type MemoryReplayCache struct {
	now func() time.Time
	max int

	mu   sync.Mutex
	used map[string]time.Time
}

// MemoryReplayOptions tune a [MemoryReplayCache]; nil means defaults.
type MemoryReplayOptions struct {
	// MaxEntries bounds the unexpired ids held (default 100000).
	MaxEntries int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// NewMemoryReplayCache returns an empty in-memory replay cache.
func NewMemoryReplayCache(opts *MemoryReplayOptions) *MemoryReplayCache {
	if opts == nil {
		opts = &MemoryReplayOptions{}
	}
	c := &MemoryReplayCache{now: opts.Now, max: opts.MaxEntries, used: map[string]time.Time{}}
	if c.now == nil {
		c.now = time.Now
	}
	if c.max <= 0 {
		c.max = 100000
	}
	return c
}

// Consume implements [ReplayCache].
func (c *MemoryReplayCache) Consume(ctx context.Context, id string, expires time.Time) error {
	if err := CheckReplayID(id); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if until, ok := c.used[id]; ok && now.Before(until) {
		return fmt.Errorf("%w: %q", ErrReplayed, truncateID(id))
	}
	if len(c.used) >= c.max {
		for k, until := range c.used {
			if !now.Before(until) {
				delete(c.used, k)
			}
		}
		if len(c.used) >= c.max {
			return fmt.Errorf("identity: replay cache full (%d unexpired ids)", c.max)
		}
	}
	c.used[id] = expires
	return nil
}

// Len returns the number of ids held, expired ones not yet dropped included.
func (c *MemoryReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.used)
}

func truncateID(id string) string {
	if len(id) > 64 {
		return id[:64] + "…"
	}
	return id
}

var _ ReplayCache = (*MemoryReplayCache)(nil)
