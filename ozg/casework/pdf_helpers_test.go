package casework_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// pdfText checks pdf with qpdf and returns its text, or skips when the tools are missing.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	qpdf, err1 := exec.LookPath("qpdf")
	pdftotext, err2 := exec.LookPath("pdftotext")
	if err1 != nil || err2 != nil {
		t.Skip("qpdf or pdftotext is not installed (.ci/setup.d/pdf.sh installs them): the PDF is not checked")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
