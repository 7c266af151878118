package ozg_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
)

func TestMemoryOutboxStatsConformance(t *testing.T) {
	ozgtest.RunOutboxStatsConformance(t, func(t *testing.T) ozg.Store { return ozg.NewMemoryStore() })
}
