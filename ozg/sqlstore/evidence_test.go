package sqlstore_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
)

func TestSQLiteEvidenceStoreConformance(t *testing.T) {
	evidencetest.RunStoreConformance(t, func(t *testing.T) evidence.Store { return openSQLite(t).Evidence() })
}

func TestPostgresEvidenceStoreConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	evidencetest.RunStoreConformance(t, func(t *testing.T) evidence.Store { return openPostgres(t).Evidence() })
}

func TestSQLiteEvidenceStoreKeepsLimits(t *testing.T) {
	evidencetest.RunLimitedStoreConformance(t, func(t *testing.T) evidence.LimitedStore { return openSQLite(t).Evidence() })
}

func TestPostgresEvidenceStoreKeepsLimits(t *testing.T) {
	openPostgres(t) // skips without a DSN
	evidencetest.RunLimitedStoreConformance(t, func(t *testing.T) evidence.LimitedStore { return openPostgres(t).Evidence() })
}
