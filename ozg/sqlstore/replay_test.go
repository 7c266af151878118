package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
)

func TestSQLiteReplayCacheConformance(t *testing.T) {
	identitytest.RunReplayCacheConformance(t, func(t *testing.T) identity.ReplayCache { return openSQLite(t).ReplayCache() })
}

func TestPostgresReplayCacheConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	identitytest.RunReplayCacheConformance(t, func(t *testing.T) identity.ReplayCache { return openPostgres(t).ReplayCache() })
}

func TestAnExpiredReplayIDIsRecordedAnewAndPurged(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	c := db.ReplayCache()
	if err := c.Consume(ctx, "old", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := c.Consume(ctx, "fresh", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := c.Consume(ctx, "old", time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("an expired id consumed again: %v, want nil", err)
	}
	if err := c.Consume(ctx, "old", time.Now().Add(time.Hour)); !errors.Is(err, identity.ErrReplayed) {
		t.Fatalf("the renewed id again: %v, want ErrReplayed", err)
	}
	if err := c.Consume(ctx, "gone", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	n, err := c.Purge(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1 expired id deleted", n, err)
	}
	if err := c.Consume(ctx, "fresh", time.Now().Add(time.Hour)); !errors.Is(err, identity.ErrReplayed) {
		t.Fatalf("an unexpired id after Purge: %v, want ErrReplayed", err)
	}
}
