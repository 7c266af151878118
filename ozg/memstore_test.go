package ozg_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
)

func TestMemoryStoreConformance(t *testing.T) {
	ozgtest.RunStoreConformance(t, func(t *testing.T) ozg.ApplicationStore { return ozg.NewMemoryStore() })
}

func TestMemorySubmissionStoreConformance(t *testing.T) {
	ozgtest.RunSubmissionStoreConformance(t, func(t *testing.T) ozg.Store { return ozg.NewMemoryStore() })
}

func TestMemoryRetentionStoreConformance(t *testing.T) {
	ozgtest.RunRetentionStoreConformance(t, func(t *testing.T) ozg.Store { return ozg.NewMemoryStore() })
}
