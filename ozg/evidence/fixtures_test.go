package evidence_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// pdfOfSize returns a small well-formed PDF padded with a comment to exactly size bytes
// (size must be at least 400).
func pdfOfSize(size int) []byte {
	head := "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" +
		"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
		"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n" +
		"trailer << /Root 1 0 R >>\n"
	tail := "\n%%EOF\n"
	pad := size - len(head) - len(tail)
	if pad < 2 {
		panic(fmt.Sprintf("pdfOfSize(%d) too small", size))
	}
	var b bytes.Buffer
	b.WriteString(head)
	b.WriteString("%")
	b.Write(bytes.Repeat([]byte("x"), pad-1))
	b.WriteString(tail)
	return b.Bytes()
}

func pngImage(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegImage(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// windowsExecutable is the start of a PE file: MZ header pointing at a PE signature.
func windowsExecutable() []byte {
	b := make([]byte, 1024)
	copy(b, "MZ")
	b[0x3c] = 0x80
	copy(b[0x80:], "PE\x00\x00")
	b[0x84], b[0x85] = 0x4c, 0x01 // i386
	return b
}

// elfExecutable is the start of a Linux ELF binary.
func elfExecutable() []byte {
	b := make([]byte, 512)
	copy(b, "\x7fELF\x02\x01\x01")
	b[16] = 2 // ET_EXEC
	return b
}

var documents = evidence.Requirement{
	ID: "mietvertrag", Title: "Mietvertrag", Required: true, MaxCount: 3,
	MediaTypes: []string{"application/pdf", "image/jpeg", "image/png"}, MaxSize: 64 << 10,
}

type harness struct {
	m     *evidence.Manager
	store *evidence.MemoryStore
	blobs *evidence.FileBlobStore
	dir   string
}

func newHarness(t testing.TB, scanner evidence.Scanner, opts *evidence.Options) *harness {
	t.Helper()
	dir := t.TempDir()
	blobs, err := evidence.NewFileBlobStore(dir, &evidence.FileBlobStoreOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if scanner == nil {
		scanner = evidence.NewNoScanner(slog.New(slog.DiscardHandler))
	}
	if opts == nil {
		opts = &evidence.Options{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	store := evidence.NewMemoryStore()
	m, err := evidence.New(store, blobs, scanner, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{m: m, store: store, blobs: blobs, dir: dir}
}

// newHarnessWith is newHarness (no scanner, default options) with wrap's blob store in
// front of the file blob store.
func newHarnessWith(t testing.TB, wrap func(evidence.BlobStore) evidence.BlobStore) *harness {
	t.Helper()
	dir := t.TempDir()
	blobs, err := evidence.NewFileBlobStore(dir, &evidence.FileBlobStoreOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	store := evidence.NewMemoryStore()
	m, err := evidence.New(store, wrap(blobs), evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{m: m, store: store, blobs: blobs, dir: dir}
}

func (h *harness) upload(appID, name string, content io.Reader) (evidence.Evidence, error) {
	return h.m.Upload(context.Background(), evidence.Upload{ApplicationID: appID, Requirement: documents, FileName: name}, content)
}

// assertNothingStored fails when the application has evidence or the blob store has files.
func (h *harness) assertNothingStored(t *testing.T, appID string) {
	t.Helper()
	list, err := h.store.List(context.Background(), appID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Fatalf("metadata left behind: %+v", list)
	}
	if files := filesUnder(t, h.dir); len(files) != 0 {
		t.Fatalf("bytes left behind: %v", files)
	}
}
