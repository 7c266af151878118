package identitytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
)

// RunReplayCacheConformance checks the contract of identity.ReplayCache: an id is consumed
// once and refused with identity.ErrReplayed after; of concurrent consumers exactly one wins;
// ids are compared exactly (case and bytes); empty and over-long ids are refused with another
// error; a cancelled context is honoured. newCache is called once per subtest and must return
// an empty cache.
func RunReplayCacheConformance(t *testing.T, newCache func(t *testing.T) identity.ReplayCache) {
	ctx := context.Background()
	later := func() time.Time { return time.Now().Add(10 * time.Minute) }
	t.Run("an id is consumed once and refused after", func(t *testing.T) {
		c := newCache(t)
		if err := c.Consume(ctx, "id-0b3f", later()); err != nil {
			t.Fatalf("first Consume: %v", err)
		}
		for i := range 2 {
			if err := c.Consume(ctx, "id-0b3f", later()); !errors.Is(err, identity.ErrReplayed) {
				t.Fatalf("Consume #%d of the same id: %v, want ErrReplayed", i+2, err)
			}
		}
	})
	t.Run("ids are compared exactly, not by case or prefix", func(t *testing.T) {
		c := newCache(t)
		for _, id := range []string{"_a1B2", "_A1B2", "_a1B2 ", "_a1B", "_a1B2\u00e9", "_a1B2e\u0301"} {
			if err := c.Consume(ctx, id, later()); err != nil {
				t.Fatalf("Consume(%q): %v, want nil (a different id)", id, err)
			}
		}
		if err := c.Consume(ctx, "_a1B2\u00e9", later()); !errors.Is(err, identity.ErrReplayed) {
			t.Fatalf("consuming %q again: %v, want ErrReplayed", "_a1B2\u00e9", err)
		}
	})
	t.Run("of concurrent consumers of one id exactly one wins", func(t *testing.T) {
		c := newCache(t)
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = c.Consume(ctx, "race-7", later()) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, identity.ErrReplayed):
				t.Errorf("consumer %d: %v, want nil or ErrReplayed", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d concurrent consumers won, want exactly 1", won, n)
		}
	})
	t.Run("many distinct ids are each accepted once", func(t *testing.T) {
		c := newCache(t)
		for i := range 300 {
			if err := c.Consume(ctx, fmt.Sprintf("bulk-%04d", i), later()); err != nil {
				t.Fatalf("bulk-%04d: %v", i, err)
			}
		}
		if err := c.Consume(ctx, "bulk-0150", later()); !errors.Is(err, identity.ErrReplayed) {
			t.Fatalf("bulk-0150 again: %v, want ErrReplayed", err)
		}
	})
	t.Run("empty and over-long ids are refused, the longest allowed one is accepted", func(t *testing.T) {
		c := newCache(t)
		for _, id := range []string{"", strings.Repeat("x", identity.MaxReplayID+1)} {
			err := c.Consume(ctx, id, later())
			if err == nil || errors.Is(err, identity.ErrReplayed) {
				t.Errorf("Consume of a %d-byte id: %v, want an error other than ErrReplayed", len(id), err)
			}
		}
		longest := strings.Repeat("y", identity.MaxReplayID)
		if err := c.Consume(ctx, longest, later()); err != nil {
			t.Fatalf("Consume of a %d-byte id: %v", len(longest), err)
		}
		if err := c.Consume(ctx, longest, later()); !errors.Is(err, identity.ErrReplayed) {
			t.Fatalf("the %d-byte id again: %v, want ErrReplayed", len(longest), err)
		}
	})
	t.Run("a cancelled context is reported", func(t *testing.T) {
		c := newCache(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := c.Consume(cctx, "cancelled-1", later()); !errors.Is(err, context.Canceled) {
			t.Fatalf("Consume with a cancelled context: %v, want context.Canceled", err)
		}
	})
}
