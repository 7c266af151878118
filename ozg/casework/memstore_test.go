package casework_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/casework/caseworktest"
)

func TestMemoryStoreConformance(t *testing.T) {
	caseworktest.RunStoreConformance(t, func(testing.TB) casework.Store { return casework.NewMemoryStore() })
}

func BenchmarkMemoryStore(b *testing.B) {
	caseworktest.BenchmarkStore(b, func(testing.TB) casework.Store { return casework.NewMemoryStore() })
}
