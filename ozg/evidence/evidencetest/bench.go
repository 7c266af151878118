package evidencetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// BenchmarkBlobStore measures Put and Open of s with contents of the given sizes in bytes
// (typical evidence: 64 KiB, 1 MiB, several MiB), as sub-benchmarks "Put/<KiB>KiB" and
// "Open/<KiB>KiB". Every blob store's test calls it, so their figures compare.
func BenchmarkBlobStore(b *testing.B, s evidence.BlobStore, sizes ...int) {
	ctx := context.Background()
	for _, size := range sizes {
		content := bytes.Repeat([]byte("%PDF-1.7 Nachweis "), size/18+1)[:size]
		b.Run(fmt.Sprintf("Put/%dKiB", size>>10), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			i := 0
			for b.Loop() {
				key := fmt.Sprintf("bench/put-%d-%d", size, i%16)
				i++
				if _, err := s.Put(ctx, key, bytes.NewReader(content)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("Open/%dKiB", size>>10), func(b *testing.B) {
			key := fmt.Sprintf("bench/open-%d", size)
			if _, err := s.Put(ctx, key, bytes.NewReader(content)); err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 32<<10)
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				rc, err := s.Open(ctx, key)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.CopyBuffer(io.Discard, rc, buf)
				rc.Close()
				if err != nil || n != int64(size) {
					b.Fatalf("read %d, %v", n, err)
				}
			}
		})
	}
}
