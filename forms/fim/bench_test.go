package fim_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/ozgkit/ozgkit/forms/fim"
	"github.com/ozgkit/ozgkit/internal/vectors"
)

// BenchmarkImportBlaueKarte imports the real Blaue Karte export (150 kB, 88 fields, 29 groups).
func BenchmarkImportBlaueKarte(b *testing.B) {
	p, ok := vectors.Path("xdatenfelder", "fim-real", "BlaueKarte.xml")
	if !ok {
		b.Skip("vector xdatenfelder/fim-real/BlaueKarte.xml not found")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := fim.Import(bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}
