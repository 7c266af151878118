package evidence_test

import (
	"context"
	"crypto/sha512"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

const benchSize = 100 << 20 // 100 MiB

// pdfStream yields size bytes: a PDF header, then a 1 MiB pseudo-random block over and over.
type pdfStream struct {
	block []byte
	off   int
	left  int64
}

func newPDFStream(size int64) *pdfStream {
	block := make([]byte, 1<<20)
	x := uint32(2463534242)
	for i := range block {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		block[i] = byte(x)
	}
	copy(block, pdfOfSize(1000)[:900])
	return &pdfStream{block: block, left: size}
}

func (s *pdfStream) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n := copy(p, s.block[s.off:])
	s.off = (s.off + n) % len(s.block)
	s.left -= int64(n)
	return n, nil
}

// reportHeap adds the bytes allocated per operation in MB, an upper bound of the heap growth
// an upload causes (the file itself is never held in memory).
func reportHeap(b *testing.B, before runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "alloc-MB/op")
}

// BenchmarkUpload100MB compares a 100 MiB upload through the pipeline into the file blob store
// (sniffing, limits, SHA-512, temp file + fsync + rename, metadata) with the raw baseline:
// io.Copy into a temp file while hashing with SHA-512, then fsync.
func BenchmarkUpload100MB(b *testing.B) {
	b.Run("raw io.Copy+SHA-512+fsync", func(b *testing.B) {
		dir := b.TempDir()
		b.SetBytes(benchSize)
		b.ReportAllocs()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		for b.Loop() {
			f, err := os.CreateTemp(dir, "raw-*")
			if err != nil {
				b.Fatal(err)
			}
			h := sha512.New()
			if _, err := io.Copy(f, io.TeeReader(newPDFStream(benchSize), h)); err != nil {
				b.Fatal(err)
			}
			_ = h.Sum(nil)
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			f.Close()
			os.Remove(f.Name())
		}
		reportHeap(b, ms)
	})
	b.Run("pipeline to FileBlobStore", func(b *testing.B) { benchPipeline(b, benchSize) })
	// The same at a tenth of the size: the allocation per upload does not grow with the file.
	b.Run("pipeline to FileBlobStore 10MB", func(b *testing.B) { benchPipeline(b, benchSize/10) })
}

func benchPipeline(b *testing.B, size int64) {
	blobs, err := evidence.NewFileBlobStore(b.TempDir(), nil) // with fsync
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	m, err := evidence.New(evidence.NewMemoryStore(), blobs, evidence.NewNoScanner(quiet),
		&evidence.Options{MaxTotalSizePerApplication: 1 << 30, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	req := evidence.Requirement{ID: "scan", MaxCount: 1, MediaTypes: []string{"application/pdf"}, MaxSize: 1 << 30}
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	i := 0
	for b.Loop() {
		i++
		app := fmt.Sprintf("app-%d", i)
		e, err := m.Upload(ctx, evidence.Upload{ApplicationID: app, Requirement: req, FileName: "scan.pdf"}, newPDFStream(size))
		if err != nil {
			b.Fatal(err)
		}
		if e.Size != size {
			b.Fatalf("size %d", e.Size)
		}
		if err := m.Delete(ctx, app, e.ID); err != nil {
			b.Fatal(err)
		}
	}
	reportHeap(b, ms)
}
