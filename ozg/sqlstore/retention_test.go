package sqlstore_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
)

func TestSQLiteRetentionStoreConformance(t *testing.T) {
	ozgtest.RunRetentionStoreConformance(t, func(t *testing.T) ozg.Store { return openSQLite(t).Applications() })
}

func TestPostgresRetentionStoreConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	ozgtest.RunRetentionStoreConformance(t, func(t *testing.T) ozg.Store { return openPostgres(t).Applications() })
}
