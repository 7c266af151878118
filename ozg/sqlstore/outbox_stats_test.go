package sqlstore_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
)

func TestSQLiteOutboxStatsConformance(t *testing.T) {
	ozgtest.RunOutboxStatsConformance(t, func(t *testing.T) ozg.Store { return openSQLite(t).Applications() })
}

func TestPostgresOutboxStatsConformance(t *testing.T) {
	openPostgres(t)
	ozgtest.RunOutboxStatsConformance(t, func(t *testing.T) ozg.Store { return openPostgres(t).Applications() })
}
