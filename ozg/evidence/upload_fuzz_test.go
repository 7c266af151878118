package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"log/slog"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// FuzzUpload runs arbitrary content and file names through the pipeline: either a refusal
// with nothing stored, or one evidence whose size, hash and bytes match the input exactly and
// whose content starts with its type's signature and carries no HTML or SVG markup.
func FuzzUpload(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n%%EOF\n"), "a.pdf")
	f.Add(pngImage(f), "b.png")
	f.Add(jpegImage(f), "c.jpg")
	f.Add(windowsExecutable(), "d.pdf")
	f.Add([]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), "e.png")
	f.Add([]byte{}, "")
	f.Add([]byte("<html><!-- %PDF-1.7 --><script>alert(1)</script></html>"), "f.pdf")
	f.Add([]byte("%PDF-1.7\n<svg onload=alert(1)>"), "g.pdf")
	quiet := slog.New(slog.DiscardHandler)
	req := documents
	req.MaxSize = 8 << 10
	f.Fuzz(func(t *testing.T, content []byte, name string) {
		ctx := context.Background()
		store, blobs := evidence.NewMemoryStore(), evidence.NewMemoryBlobStore()
		m, err := evidence.New(store, blobs, evidence.NoScanner{}, &evidence.Options{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		e, err := m.Upload(ctx, evidence.Upload{ApplicationID: "app-1", Requirement: req, FileName: name}, bytes.NewReader(content))
		list, _ := store.List(ctx, "app-1")
		if err != nil {
			var re *evidence.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("error is no refusal: %v", err)
			}
			if len(list) != 0 || blobs.Len() != 0 {
				t.Fatalf("refusal left %d evidence, %d blobs", len(list), blobs.Len())
			}
			return
		}
		sum := sha512.Sum512(content)
		if e.Size != int64(len(content)) || e.SHA512 != hex.EncodeToString(sum[:]) || len(content) > int(req.MaxSize) || len(content) == 0 {
			t.Fatalf("evidence %+v for %d bytes", e, len(content))
		}
		if !req.Accepts(e.MediaType) || e.FileName != evidence.SanitizeFileName(name) {
			t.Fatalf("evidence %+v", e)
		}
		magic := map[string]string{"application/pdf": "%PDF-", "image/png": "\x89PNG\r\n\x1a\n", "image/jpeg": "\xff\xd8\xff"}[e.MediaType]
		if !bytes.HasPrefix(content, []byte(magic)) {
			t.Fatalf("stored as %s without its signature at offset 0: %q", e.MediaType, content[:min(len(content), 16)])
		}
		text := content
		if i := bytes.IndexByte(text, 0); i >= 0 {
			text = text[:i]
		}
		if lower := bytes.ToLower(text); bytes.Contains(lower, []byte("<script")) || bytes.Contains(lower, []byte("<svg")) || bytes.Contains(lower, []byte("<html")) {
			t.Fatalf("stored %s with markup in its text: %q", e.MediaType, text)
		}
		_, rc, err := m.Open(ctx, "app-1", e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		_, _ = got.ReadFrom(rc)
		rc.Close()
		if !bytes.Equal(got.Bytes(), content) {
			t.Fatal("stored bytes differ")
		}
	})
}
