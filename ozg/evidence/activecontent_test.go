package evidence_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// utf16LE encodes ASCII s as UTF-16 little endian with its byte order mark.
func utf16LE(s string) []byte {
	b := []byte{0xff, 0xfe}
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}

func TestUploadRefusesActiveContentThatCarriesAFileSignature(t *testing.T) {
	tests := []struct {
		name, file string
		content    []byte
	}{
		{"HTML with %PDF- in its first KiB is refused", "antrag.pdf",
			[]byte("<html><body><script>fetch('/api/mailbox')</script>\n<!-- %PDF-1.7 -->\n</body></html>")},
		{"HTML with %PDF- after some text is refused", "antrag.pdf",
			[]byte("Sehr geehrte Damen und Herren,\n<p>%PDF-1.4</p><img src=x onerror=alert(1)>")},
		{"SVG with %PDF- in its first KiB is refused", "scan.pdf",
			[]byte(`<svg xmlns="http://www.w3.org/2000/svg"><text>%PDF-1.7</text><script>alert(1)</script></svg>`)},
		{"SVG behind an XML declaration with %PDF- in a comment is refused", "scan.pdf",
			[]byte("<?xml version=\"1.0\"?>\n<!-- %PDF-1.5 -->\n<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\"><svg:script>alert(1)</svg:script></svg:svg>")},
		{"a PDF signature followed by HTML is refused", "antrag.pdf",
			[]byte("%PDF-1.7\n<html><script>alert(document.domain)</script></html>\n")},
		{"a PNG signature followed by script is refused", "foto.png",
			[]byte("\x89PNG\r\n\x1a\n<script>alert(1)</script>")},
		{"UTF-16 HTML with %PDF- in it is refused", "antrag.pdf",
			utf16LE("<html><script>alert(1)</script>%PDF-1.7</html>")},
		{"XHTML by its namespace is refused", "antrag.pdf",
			[]byte(`<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:p>%PDF-1.7</h:p></h:html>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil, nil)
			e, err := h.upload("app-1", tt.file, bytes.NewReader(tt.content))
			if err == nil {
				t.Fatalf("stored as %s", e.MediaType)
			}
			assertRefused(t, err, evidence.ErrMediaType, "file")
			h.assertNothingStored(t, "app-1")
		})
	}
}

func TestUploadRequiresTheSignatureOfTheSniffedTypeAtItsOffset(t *testing.T) {
	tests := []struct {
		name, file string
		content    []byte
	}{
		{"a PDF header that is not at offset 0 is refused", "antrag.pdf",
			append([]byte("Kopie des Antrags\n"), pdfOfSize(600)...)},
		{"a PDF header after a NUL byte is refused", "antrag.pdf",
			append([]byte("\x00\x00\x00\x00"), pdfOfSize(600)...)},
		{"plain text that mentions %PDF- is refused as PDF", "antrag.pdf",
			[]byte(strings.Repeat("Dies ist kein PDF. ", 20) + "%PDF-1.7 " + strings.Repeat("x", 100))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil, nil)
			e, err := h.upload("app-1", tt.file, bytes.NewReader(tt.content))
			if err == nil {
				t.Fatalf("stored as %s", e.MediaType)
			}
			assertRefused(t, err, evidence.ErrMediaType, "file")
			h.assertNothingStored(t, "app-1")
		})
	}
}

func TestUploadAcceptsGenuineFilesWithTheirSignatures(t *testing.T) {
	h := newHarness(t, nil, nil)
	for name, content := range map[string][]byte{"a.pdf": pdfOfSize(2000), "b.png": pngImage(t), "c.jpg": jpegImage(t)} {
		if _, err := h.upload("app-1", name, bytes.NewReader(content)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
