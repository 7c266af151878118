package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
)

func TestMemoryReplayCacheConformance(t *testing.T) {
	identitytest.RunReplayCacheConformance(t, func(t *testing.T) identity.ReplayCache {
		return identity.NewMemoryReplayCache(nil)
	})
}

func TestAFullMemoryReplayCacheDropsExpiredIDsAndOtherwiseRefuses(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := identity.NewMemoryReplayCache(&identity.MemoryReplayOptions{MaxEntries: 2, Now: func() time.Time { return now }})
	ctx := context.Background()
	if err := c.Consume(ctx, "a", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := c.Consume(ctx, "b", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	err := c.Consume(ctx, "c", now.Add(time.Hour))
	if err == nil || errors.Is(err, identity.ErrReplayed) {
		t.Fatalf("a third id in a full cache: %v, want a refusal other than ErrReplayed", err)
	}
	now = now.Add(2 * time.Minute) // "a" has expired
	if err := c.Consume(ctx, "c", now.Add(time.Hour)); err != nil {
		t.Fatalf("after an id expired: %v", err)
	}
	if c.Len() != 2 {
		t.Fatalf("Len = %d, want 2", c.Len())
	}
	if err := c.Consume(ctx, "b", now.Add(time.Hour)); !errors.Is(err, identity.ErrReplayed) {
		t.Fatalf("b again: %v", err)
	}
}
