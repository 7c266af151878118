// Package deliverytest holds the conformance suite of delivery.Deduplicator, which every
// implementation's tests call.
package deliverytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/delivery"
)

// Clock is a settable clock that the suite hands to the deduplicators it makes.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// RunDeduplicatorConformance checks that the deduplicators made by newDedup keep the contract
// of delivery.Deduplicator. newDedup is called once per subtest and returns an empty
// deduplicator that reads the time from now. A database-backed one should use a pool of
// several connections, so that the concurrent claims meet in the database.
func RunDeduplicatorConformance(t *testing.T, newDedup func(t *testing.T, now func() time.Time) delivery.Deduplicator) {
	t.Helper()
	ctx := context.Background()
	const lease = 10 * time.Minute
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

	t.Run("a first claim holds the key and a completed key answers its receipt to every later claim", func(t *testing.T) {
		c := &Clock{t: start}
		d := newDedup(t, c.Now)
		cl := mustClaim(t, d, "sub-1", lease)
		if cl.Done || cl.Token == "" {
			t.Fatalf("first Claim = %+v, want a token and not done", cl)
		}
		if err := d.Complete(ctx, "sub-1", cl.Token, "fv-2026-0001"); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		for _, wait := range []time.Duration{0, 2 * lease, 7 * 24 * time.Hour} {
			c.Advance(wait)
			again := mustClaim(t, d, "sub-1", lease)
			if !again.Done || again.Receipt != "fv-2026-0001" {
				t.Fatalf("Claim after %v = %+v, want done with receipt fv-2026-0001", wait, again)
			}
		}
	})

	t.Run("a key held within its lease is in progress for others", func(t *testing.T) {
		c := &Clock{t: start}
		d := newDedup(t, c.Now)
		mustClaim(t, d, "sub-1", lease)
		c.Advance(lease - time.Second)
		if _, err := d.Claim(ctx, "sub-1", lease); !errors.Is(err, delivery.ErrInProgress) {
			t.Fatalf("second Claim err = %v, want ErrInProgress", err)
		}
	})

	t.Run("an abandoned key is claimed again and only the new token completes it", func(t *testing.T) {
		c := &Clock{t: start}
		d := newDedup(t, c.Now)
		first := mustClaim(t, d, "sub-1", lease)
		if err := d.Abandon(ctx, "sub-1", first.Token); err != nil {
			t.Fatalf("Abandon: %v", err)
		}
		second := mustClaim(t, d, "sub-1", lease)
		if second.Done || second.Token == "" || second.Token == first.Token {
			t.Fatalf("Claim after Abandon = %+v", second)
		}
		if err := d.Complete(ctx, "sub-1", first.Token, "stale"); !errors.Is(err, delivery.ErrClaimLost) {
			t.Fatalf("Complete with the abandoned token err = %v, want ErrClaimLost", err)
		}
		if err := d.Abandon(ctx, "sub-1", first.Token); !errors.Is(err, delivery.ErrClaimLost) {
			t.Fatalf("second Abandon with the old token err = %v, want ErrClaimLost", err)
		}
		if err := d.Complete(ctx, "sub-1", second.Token, "fv-1"); err != nil {
			t.Fatalf("Complete: %v", err)
		}
	})

	t.Run("a key whose lease ran out is claimed again and the stale holder cannot complete it", func(t *testing.T) {
		c := &Clock{t: start}
		d := newDedup(t, c.Now)
		stale := mustClaim(t, d, "sub-1", lease)
		c.Advance(lease + time.Second)
		fresh := mustClaim(t, d, "sub-1", lease)
		if fresh.Done || fresh.Token == stale.Token {
			t.Fatalf("Claim after the lease = %+v", fresh)
		}
		if err := d.Complete(ctx, "sub-1", stale.Token, "stale"); !errors.Is(err, delivery.ErrClaimLost) {
			t.Fatalf("Complete by the stale holder err = %v, want ErrClaimLost", err)
		}
		if err := d.Complete(ctx, "sub-1", fresh.Token, "fv-fresh"); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		if got := mustClaim(t, d, "sub-1", lease); got.Receipt != "fv-fresh" {
			t.Fatalf("receipt = %q, want fv-fresh", got.Receipt)
		}
	})

	t.Run("a holder whose lease ran out still completes when nobody claimed since", func(t *testing.T) {
		c := &Clock{t: start}
		d := newDedup(t, c.Now)
		cl := mustClaim(t, d, "sub-1", lease)
		c.Advance(lease + time.Hour)
		if err := d.Complete(ctx, "sub-1", cl.Token, "fv-late"); err != nil {
			t.Fatalf("late Complete: %v", err)
		}
		if got := mustClaim(t, d, "sub-1", lease); !got.Done || got.Receipt != "fv-late" {
			t.Fatalf("Claim = %+v", got)
		}
	})

	t.Run("completing again with the same token and receipt succeeds and a completed key stays completed", func(t *testing.T) {
		c := &Clock{t: start}
		d := newDedup(t, c.Now)
		cl := mustClaim(t, d, "sub-1", lease)
		if err := d.Complete(ctx, "sub-1", cl.Token, "fv-1"); err != nil {
			t.Fatal(err)
		}
		if err := d.Complete(ctx, "sub-1", cl.Token, "fv-1"); err != nil {
			t.Fatalf("repeated Complete: %v", err)
		}
		if err := d.Complete(ctx, "sub-1", cl.Token, "fv-other"); !errors.Is(err, delivery.ErrClaimLost) {
			t.Fatalf("Complete with another receipt err = %v, want ErrClaimLost", err)
		}
		if err := d.Abandon(ctx, "sub-1", cl.Token); !errors.Is(err, delivery.ErrClaimLost) {
			t.Fatalf("Abandon of a completed key err = %v, want ErrClaimLost", err)
		}
		if got := mustClaim(t, d, "sub-1", lease); !got.Done || got.Receipt != "fv-1" {
			t.Fatalf("Claim = %+v", got)
		}
	})

	t.Run("complete and abandon of a key never claimed lose", func(t *testing.T) {
		d := newDedup(t, (&Clock{t: start}).Now)
		if err := d.Complete(ctx, "never", "token", "r"); !errors.Is(err, delivery.ErrClaimLost) {
			t.Fatalf("Complete err = %v", err)
		}
		if err := d.Abandon(ctx, "never", "token"); !errors.Is(err, delivery.ErrClaimLost) {
			t.Fatalf("Abandon err = %v", err)
		}
	})

	t.Run("keys are distinct byte for byte", func(t *testing.T) {
		d := newDedup(t, (&Clock{t: start}).Now)
		keys := []string{"a", "A", "a_", "ab", "b", "0193c7d0-aaaa-7000-8000-000000000001", "0193c7d0-aaaa-7000-8000-000000000002"}
		for _, k := range keys {
			cl := mustClaim(t, d, k, lease)
			if cl.Done {
				t.Fatalf("key %q was done before it was completed", k)
			}
			if err := d.Complete(ctx, k, cl.Token, "receipt of "+k); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range keys {
			if got := mustClaim(t, d, k, lease); got.Receipt != "receipt of "+k {
				t.Fatalf("key %q answers %q", k, got.Receipt)
			}
		}
	})

	t.Run("invalid keys are refused by every method", func(t *testing.T) {
		d := newDedup(t, (&Clock{t: start}).Now)
		for _, k := range []string{"", "a b", "a\x00", "ä", "a\nb", strings.Repeat("k", delivery.MaxDedupKeyLength+1)} {
			if _, err := d.Claim(ctx, k, lease); !errors.Is(err, delivery.ErrInvalidDedupKey) {
				t.Errorf("Claim(%q) err = %v", k, err)
			}
			if err := d.Complete(ctx, k, "t", "r"); !errors.Is(err, delivery.ErrInvalidDedupKey) {
				t.Errorf("Complete(%q) err = %v", k, err)
			}
			if err := d.Abandon(ctx, k, "t"); !errors.Is(err, delivery.ErrInvalidDedupKey) {
				t.Errorf("Abandon(%q) err = %v", k, err)
			}
		}
		mustClaim(t, d, strings.Repeat("k", delivery.MaxDedupKeyLength), lease)
	})

	t.Run("of concurrent claims of one key exactly one holds it", func(t *testing.T) {
		c := &Clock{t: start}
		d := newDedup(t, c.Now)
		for round := range 5 {
			key := fmt.Sprintf("storm-%d", round)
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				holders int
			)
			for range 12 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cl, err := d.Claim(ctx, key, lease)
					switch {
					case errors.Is(err, delivery.ErrInProgress):
					case err != nil:
						t.Errorf("Claim: %v", err)
					case cl.Done:
						t.Errorf("Claim = done before anyone completed")
					default:
						mu.Lock()
						holders++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if holders != 1 {
				t.Fatalf("round %d: %d claims held the key, want exactly 1", round, holders)
			}
		}
	})

	t.Run("a canceled context is honoured", func(t *testing.T) {
		d := newDedup(t, (&Clock{t: start}).Now)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := d.Claim(cctx, "sub-1", lease); !errors.Is(err, context.Canceled) {
			t.Fatalf("Claim err = %v, want context.Canceled", err)
		}
		// Nothing was claimed.
		if cl := mustClaim(t, d, "sub-1", lease); cl.Done || cl.Token == "" {
			t.Fatalf("Claim = %+v", cl)
		}
	})
}

func mustClaim(t *testing.T, d delivery.Deduplicator, key string, lease time.Duration) delivery.Claim {
	t.Helper()
	cl, err := d.Claim(context.Background(), key, lease)
	if err != nil {
		t.Fatalf("Claim(%q): %v", key, err)
	}
	return cl
}
