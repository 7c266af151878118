package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

func TestUploadStoresAPDFWithItsSniffedTypeSizeAndHash(t *testing.T) {
	h := newHarness(t, nil, nil)
	content := pdfOfSize(5000)
	e, err := h.upload("app-1", "Mietvertrag 2024.pdf", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512(content)
	if e.MediaType != "application/pdf" || e.Size != 5000 || e.SHA512 != hex.EncodeToString(sum[:]) ||
		e.FileName != "Mietvertrag 2024.pdf" || e.RequirementID != "mietvertrag" || e.ScanState != evidence.ScanClean {
		t.Fatalf("evidence = %+v", e)
	}
	_, rc, err := h.m.Open(context.Background(), "app-1", e.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, content) {
		t.Fatal("stored bytes differ from the upload")
	}
}

func TestUploadAcceptsAFileOfExactlyMaxSize(t *testing.T) {
	h := newHarness(t, nil, nil)
	if _, err := h.upload("app-1", "a.pdf", bytes.NewReader(pdfOfSize(int(documents.MaxSize)))); err != nil {
		t.Fatalf("upload of exactly MaxSize: %v", err)
	}
}

func TestUploadRefusesAFileOneByteOverMaxSize(t *testing.T) {
	h := newHarness(t, nil, nil)
	src := &countingReader{r: bytes.NewReader(pdfOfSize(int(documents.MaxSize) + 1))}
	_, err := h.upload("app-1", "a.pdf", src)
	assertRefused(t, err, evidence.ErrTooLarge, "file")
	h.assertNothingStored(t, "app-1")
}

func TestUploadStopsReadingEarlyWhenOversize(t *testing.T) {
	h := newHarness(t, nil, nil)
	// 100 MiB announced by nothing but the stream: reading must stop near MaxSize.
	src := &countingReader{r: io.MultiReader(bytes.NewReader(pdfOfSize(1000)), io.LimitReader(zeros{}, 100<<20))}
	_, err := h.upload("app-1", "a.pdf", src)
	assertRefused(t, err, evidence.ErrTooLarge, "file")
	if src.n > documents.MaxSize+1<<20 {
		t.Fatalf("read %d bytes of an oversize upload, want to stop near %d", src.n, documents.MaxSize)
	}
	h.assertNothingStored(t, "app-1")
}

func TestUploadRefusesAZeroByteFile(t *testing.T) {
	h := newHarness(t, nil, nil)
	_, err := h.upload("app-1", "leer.pdf", strings.NewReader(""))
	assertRefused(t, err, evidence.ErrEmpty, "file")
	h.assertNothingStored(t, "app-1")
}

func TestUploadRefusesAWindowsExecutableRenamedPDF(t *testing.T) {
	h := newHarness(t, nil, nil)
	_, err := h.upload("app-1", "rechnung.pdf", bytes.NewReader(windowsExecutable()))
	assertRefused(t, err, evidence.ErrMediaType, "file")
	h.assertNothingStored(t, "app-1")
}

func TestUploadRefusesALinuxExecutableRenamedPDF(t *testing.T) {
	h := newHarness(t, nil, nil)
	_, err := h.upload("app-1", "rechnung.pdf", bytes.NewReader(elfExecutable()))
	assertRefused(t, err, evidence.ErrMediaType, "file")
	h.assertNothingStored(t, "app-1")
}

func TestUploadRefusesSVGWithScriptDeclaredAsImage(t *testing.T) {
	h := newHarness(t, nil, nil)
	svg := `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>`
	_, err := h.upload("app-1", "foto.png", strings.NewReader(svg))
	assertRefused(t, err, evidence.ErrMediaType, "file")
	h.assertNothingStored(t, "app-1")
}

func TestUploadRefusesSVGEvenWhenTheRequirementListsIt(t *testing.T) {
	h := newHarness(t, nil, nil)
	req := documents
	req.MediaTypes = []string{"image/svg+xml", "image/png"}
	svg := `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`
	_, err := h.m.Upload(context.Background(), evidence.Upload{ApplicationID: "app-1", Requirement: req, FileName: "plan.svg"}, strings.NewReader(svg))
	assertRefused(t, err, evidence.ErrMediaType, "file")
	h.assertNothingStored(t, "app-1")
}

func TestUploadRefusesHTMLWithScriptDeclaredAsImage(t *testing.T) {
	h := newHarness(t, nil, nil)
	html := "<!DOCTYPE html><html><body><script>fetch('/mailbox')</script></body></html>"
	_, err := h.upload("app-1", "scan.jpg", strings.NewReader(html))
	assertRefused(t, err, evidence.ErrMediaType, "file")
	h.assertNothingStored(t, "app-1")
}

func TestUploadRefusesAnExtensionThatContradictsTheContent(t *testing.T) {
	h := newHarness(t, nil, nil)
	// PNG and JPEG are both accepted; a PNG named .jpg is still a contradiction.
	_, err := h.upload("app-1", "ausweis.jpg", bytes.NewReader(pngImage(t)))
	assertRefused(t, err, evidence.ErrExtensionMismatch, "file")
	h.assertNothingStored(t, "app-1")
}

func TestUploadAcceptsImagesWithTheirUsualExtensions(t *testing.T) {
	h := newHarness(t, nil, nil)
	for name, content := range map[string][]byte{"a.png": pngImage(t), "b.JPEG": jpegImage(t), "ohne-endung": pngImage(t)} {
		e, err := h.upload("app-1", name, bytes.NewReader(content))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.HasPrefix(e.MediaType, "image/") {
			t.Fatalf("%s: media type %q", name, e.MediaType)
		}
	}
}

func TestUploadStoresPathTraversalFileNamesSafely(t *testing.T) {
	// refused: the name, made safe, shows an extension that contradicts the PDF content.
	cases := []struct {
		name, sent, want string
		refused          bool
	}{
		{"relative traversal", "../../etc/passwd.pdf", "passwd.pdf", false},
		{"windows traversal", `..\..\windows\system32\x.pdf`, "x.pdf", false},
		{"absolute path", "/etc/passwd.pdf", "passwd.pdf", false},
		{"NUL byte", "ok.pdf\x00.exe", "", true},
		{"very long", strings.Repeat("ä", 5000) + ".pdf", strings.Repeat("ä", 125) + ".pdf", false},
		{"right-to-left override", "rechnung\u202Efdp.exe", "", true},
		{"fullwidth solidus", "..\uFF0F..\uFF0Fetc\uFF0Fpasswd.pdf", "passwd.pdf", false},
		{"only dots", "..", evidence.DefaultFileName, false},
		{"device name", "CON.pdf", "_CON.pdf", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, nil, nil)
			e, err := h.upload("app-1", c.sent, bytes.NewReader(pdfOfSize(800)))
			if c.refused {
				assertRefused(t, err, evidence.ErrExtensionMismatch, "file")
				h.assertNothingStored(t, "app-1")
				return
			}
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			n := e.FileName
			if n != c.want {
				t.Fatalf("stored file name %q, want %q", n, c.want)
			}
			if strings.ContainsAny(n, "/\\\x00\u202E") || strings.HasPrefix(n, ".") || len(n) > evidence.MaxFileNameLength || !utf8.ValidString(n) {
				t.Fatalf("stored file name %q is unsafe", n)
			}
			if !strings.HasPrefix(e.BlobKey, "evidence/") || strings.Contains(e.BlobKey, "passwd") {
				t.Fatalf("blob key %q derived from the name", e.BlobKey)
			}
			// The only file written is inside the store's fan-out.
			for _, f := range filesUnder(t, h.dir) {
				if strings.Contains(f, "..") || strings.Contains(f, "passwd") {
					t.Fatalf("file %q written outside the fan-out", f)
				}
			}
			if _, err := os.Stat(filepath.Join(h.dir, "..", "etc")); err == nil {
				t.Fatal("a directory was created next to the store")
			}
		})
	}
}

func TestUploadRefusesMoreFilesThanTheRequirementAllows(t *testing.T) {
	h := newHarness(t, nil, nil)
	for i := range documents.MaxCount {
		if _, err := h.upload("app-1", "seite.pdf", bytes.NewReader(pdfOfSize(500+i))); err != nil {
			t.Fatal(err)
		}
	}
	_, err := h.upload("app-1", "seite.pdf", bytes.NewReader(pdfOfSize(500)))
	assertRefused(t, err, evidence.ErrTooManyFiles, "requirement")
	if list, _ := h.m.List(context.Background(), "app-1"); len(list) != documents.MaxCount {
		t.Fatalf("%d evidence stored, want %d", len(list), documents.MaxCount)
	}
	if files := filesUnder(t, h.dir); len(files) != documents.MaxCount {
		t.Fatalf("%d blobs, want %d", len(files), documents.MaxCount)
	}
}

func TestUploadRefusesMoreFilesThanTheApplicationAllows(t *testing.T) {
	h := newHarness(t, nil, &evidence.Options{MaxFilesPerApplication: 2})
	other := documents
	other.ID = "lohnnachweis"
	if _, err := h.upload("app-1", "a.pdf", bytes.NewReader(pdfOfSize(500))); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Upload(context.Background(), evidence.Upload{ApplicationID: "app-1", Requirement: other, FileName: "b.pdf"}, bytes.NewReader(pdfOfSize(500))); err != nil {
		t.Fatal(err)
	}
	_, err := h.m.Upload(context.Background(), evidence.Upload{ApplicationID: "app-1", Requirement: other, FileName: "c.pdf"}, bytes.NewReader(pdfOfSize(500)))
	assertRefused(t, err, evidence.ErrTooManyFiles, "file")
	// Another application is not affected.
	if _, err := h.upload("app-2", "a.pdf", bytes.NewReader(pdfOfSize(500))); err != nil {
		t.Fatalf("other application: %v", err)
	}
}

func TestUploadRefusesAFileBeyondTheApplicationsTotalSize(t *testing.T) {
	h := newHarness(t, nil, &evidence.Options{MaxTotalSizePerApplication: 100_000})
	if _, err := h.upload("app-1", "a.pdf", bytes.NewReader(pdfOfSize(60_000))); err != nil {
		t.Fatal(err)
	}
	_, err := h.upload("app-1", "b.pdf", bytes.NewReader(pdfOfSize(40_001)))
	assertRefused(t, err, evidence.ErrTooLarge, "file")
	if _, err := h.upload("app-1", "b.pdf", bytes.NewReader(pdfOfSize(40_000))); err != nil {
		t.Fatalf("file that fits the rest of the budget: %v", err)
	}
}

func TestUploadLeavesNothingBehindWhenTheClientDisconnectsMidUpload(t *testing.T) {
	h := newHarness(t, nil, nil)
	r := io.MultiReader(bytes.NewReader(pdfOfSize(40_000)[:20_000]), &failAfter{err: io.ErrUnexpectedEOF})
	_, err := h.upload("app-1", "a.pdf", r)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want the reader's error", err)
	}
	h.assertNothingStored(t, "app-1")
}

func TestUploadLeavesNothingBehindWhenCanceled(t *testing.T) {
	h := newHarness(t, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	r := io.MultiReader(bytes.NewReader(pdfOfSize(10_000)), readerFunc(func(p []byte) (int, error) {
		cancel()
		return copy(p, "more"), nil
	}), bytes.NewReader(make([]byte, 10_000)))
	_, err := h.m.Upload(ctx, evidence.Upload{ApplicationID: "app-1", Requirement: documents, FileName: "a.pdf"}, r)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	h.assertNothingStored(t, "app-1")
}

func TestUploadRefusesARequirementWithoutLimits(t *testing.T) {
	h := newHarness(t, nil, nil)
	_, err := h.m.Upload(context.Background(), evidence.Upload{ApplicationID: "app-1", Requirement: evidence.Requirement{ID: "x"}}, strings.NewReader("x"))
	if err == nil {
		t.Fatal("upload with a requirement without MaxSize and MediaTypes succeeded")
	}
}

func TestNewRefusesANilScanner(t *testing.T) {
	_, err := evidence.New(evidence.NewMemoryStore(), evidence.NewMemoryBlobStore(), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "NewNoScanner") {
		t.Fatalf("err = %v, want a hint to choose the no-op scanner explicitly", err)
	}
}

func assertRefused(t *testing.T, err, want error, field string) {
	t.Helper()
	var re *evidence.RefusedError
	if !errors.As(err, &re) || !errors.Is(err, want) {
		t.Fatalf("err = %v, want a refusal wrapping %v", err, want)
	}
	if re.Field != field || re.Message == "" || re.MessageEN == "" {
		t.Fatalf("refusal = %+v, want field %q and messages", re, field)
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type failAfter struct{ err error }

func (f *failAfter) Read([]byte) (int, error) { return 0, f.err }

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
