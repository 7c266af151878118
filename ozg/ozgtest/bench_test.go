package ozgtest_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg/ozgtest"
)

// BenchmarkCheck runs every check, the whole journey to a repeated submission, against an
// in-memory portal on loopback.
func BenchmarkCheck(b *testing.B) {
	svc, err := newService(true)
	if err != nil {
		b.Fatal(err)
	}
	tp, err := startPortal(svc, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tp.srv.Close()
	target := tp.target()
	b.ReportAllocs()
	for b.Loop() {
		if err := ozgtest.Check(b.Context(), target).Err(); err != nil {
			b.Fatal(err)
		}
	}
}
