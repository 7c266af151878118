package evidence_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
)

func TestMemoryStoreConformance(t *testing.T) {
	evidencetest.RunStoreConformance(t, func(t *testing.T) evidence.Store {
		return evidence.NewMemoryStore()
	})
}
