package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/sessiontest"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

func TestSQLiteSessionStoreConformance(t *testing.T) {
	sessiontest.RunSessionStoreConformance(t, func(t *testing.T) identity.SessionStore { return openSQLite(t).Sessions() })
}

func TestPostgresSessionStoreConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	sessiontest.RunSessionStoreConformance(t, func(t *testing.T) identity.SessionStore { return openPostgres(t).Sessions() })
}

// BenchmarkSessionLookup is the query every request with a session cookie makes.
func BenchmarkSessionLookup(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(tc.name, func(b *testing.B) {
			s := tc.open(b).Sessions()
			ctx := context.Background()
			now := time.Now()
			for i := range 1000 {
				rec := identity.SessionRecord{ID: fmt.Sprint("session-", i), Subject: fmt.Sprint("subject-", i%100), Created: now, Expires: now.Add(12 * time.Hour)}
				if err := s.Create(ctx, rec); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.Lookup(ctx, fmt.Sprint("session-", i%1000), now); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
