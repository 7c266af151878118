package sqlstore_test

import (
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
