package sqlstore_test

import (
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/casework/caseworktest"
)

func TestSQLiteCaseworkStoreConformance(t *testing.T) {
	caseworktest.RunStoreConformance(t, func(tb testing.TB) casework.Store { return openSQLite(tb).Casework() })
}

func TestPostgresCaseworkStoreConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	caseworktest.RunStoreConformance(t, func(tb testing.TB) casework.Store { return openPostgres(tb).Casework() })
}

func BenchmarkCaseworkStore(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(tc.name, func(b *testing.B) {
			caseworktest.BenchmarkStore(b, func(tb testing.TB) casework.Store { return tc.open(tb).Casework() })
		})
	}
}
