package document_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/casework/caseworktest"
	"github.com/ozgkit/ozgkit/ozg/casework/document"
)

func TestAnswersFollowTheFormsStepsAndLabels(t *testing.T) {
	svc := caseworktest.Service()
	tests := []struct {
		name string
		lang string
		data string
		want string
	}{
		{"German labels, choice labels, dates and booleans", "de", string(caseworktest.Data),
			"[Angaben zur Person] Antragstellende Person= |Vorname=Jürgen |Familienname=Weiß-Özdemir |Geburtsdatum=29.02.1980 |Familienstand=verheiratet " +
				"[Wohnung und Miete] Monatliche Miete in €=650 Weitere Haushaltsmitglieder 1= |Name=Änne Weiß Weitere Haushaltsmitglieder 2= |Name=Ülrich „Uli“ Weiß " +
				"Ich versichere die Richtigkeit meiner Angaben.=Ja "},
		{"English labels where the form has them", "en", `{"person":{"vorname":"A"},"erklaerung":false}`,
			"[About you] Applicant= |Given name=A [Home and rent] I confirm my details are correct.=No "},
		{"unanswered fields and empty steps are left out", "de", `{"miete":0}`,
			"[Wohnung und Miete] Monatliche Miete in €=0 "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secs, err := document.Answers(svc.Form, json.RawMessage(tc.data), tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, s := range secs {
				fmt.Fprintf(&b, "[%s] ", s.Title)
				for _, r := range s.Rows {
					fmt.Fprintf(&b, "%s%s=%s ", strings.Repeat("|", r.Depth), r.Label, r.Value)
				}
			}
			// the repeated group's label comes from itemLabel
			got := strings.ReplaceAll(b.String(), "Haushaltsmitglied ", "Weitere Haushaltsmitglieder ")
			if got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	if _, err := document.Answers(svc.Form, json.RawMessage(`[1]`), "de"); err == nil {
		t.Fatal("Answers accepted data that is no object")
	}
}

func TestEuroAndBytesAreGerman(t *testing.T) {
	for in, want := range map[int64]string{0: "0,00 €", 3060: "30,60 €", 123456789: "1.234.567,89 €", -5: "-0,05 €"} {
		if got := document.Euro(in); got != want {
			t.Errorf("Euro(%d) = %q, want %q", in, got, want)
		}
	}
	if got := document.Bytes(1536); got != "1,5 KB" {
		t.Errorf("Bytes(1536) = %q", got)
	}
}

// tool returns the path of an outside checker, or skips.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian: qpdf, poppler-utils; .ci/setup.d/pdf.sh installs them): the PDF is not checked", name)
	}
	return p
}

// CheckPDF runs qpdf --check on pdf and returns its text as pdftotext extracts it.
func checkPDF(t *testing.T, pdf []byte) string {
	t.Helper()
	qpdf, pdftotext := tool(t, "qpdf"), tool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestPDFsPassQpdfAndCarryGermanText(t *testing.T) {
	svc := caseworktest.Service()
	sub := caseworktest.Submission("s1", "wohngeld", "WOHNGELD-2026-000042")
	sub.Data = caseworktest.Data
	sub.SubmittedAt = time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC) // 2 July, 00:30 in Berlin
	var summary bytes.Buffer
	if err := document.WriteSummary(&summary, document.Summary{Service: svc, Submission: sub}); err != nil {
		t.Fatal(err)
	}
	notice := &bytes.Buffer{}
	err := document.WriteNotice(notice, document.Notice{
		Authority: svc.Authority.Name, Service: svc.Name, Reference: sub.Reference, Recipient: "Jürgen Weiß-Özdemir",
		Date: time.Date(2026, 7, 3, 10, 0, 0, 0, time.UTC), Signer: "Sabine Sachbearbeiterin",
		Text: "Ihrem Antrag wird stattgegeben. Sie erhalten monatlich 123,45 € Wohngeld.\n\nRechtsbehelfsbelehrung: Gegen diesen Bescheid können Sie innerhalb eines Monats „Widerspruch“ erheben.",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pdf  []byte
		want []string
	}{
		{"the Antragsübersicht", summary.Bytes(), []string{
			"Antragsübersicht", "Wohngeld beantragen", "Stadt Musterstadt, Amt für Wohnen", "WOHNGELD-2026-000042",
			"02.07.2026, 00:30 Uhr", "Angaben zur Person", "Familienname", "Weiß-Özdemir", "Geburtsdatum", "29.02.1980",
			"Monatliche Miete in €", "Ülrich „Uli“ Weiß", "Mietvertrag", "Mietvertrag.pdf", "SHA-512:",
			sub.Attachments[0].SHA512[:40], "30,00 €", "KZ-s1",
		}},
		{"the Bescheid", notice.Bytes(), []string{
			"Bescheid über Ihren Antrag „Wohngeld beantragen“", "Aktenzeichen: WOHNGELD-2026-000042", "Datum: 03.07.2026",
			"123,45 €", "„Widerspruch“", "Mit freundlichen Grüßen", "Sabine Sachbearbeiterin", "Jürgen Weiß-Özdemir",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.HasPrefix(tc.pdf, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", tc.pdf[:min(20, len(tc.pdf))])
			}
			text := checkPDF(t, tc.pdf)
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("the text lacks %q; pdftotext gave:\n%s", w, text)
				}
			}
		})
	}
}

func TestIncompleteInputIsRefused(t *testing.T) {
	var b bytes.Buffer
	if err := document.WriteNotice(&b, document.Notice{Authority: "A", Reference: "R"}); err == nil {
		t.Error("a Bescheid without text was written")
	}
	if err := document.WriteSummary(&b, document.Summary{}); err == nil {
		t.Error("a summary without service was written")
	}
}

func BenchmarkWriteSummary(b *testing.B) {
	svc := caseworktest.Service()
	sub := caseworktest.Submission("s1", "wohngeld", "WOHNGELD-2026-000042")
	sub.Data = caseworktest.Data
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := document.WriteSummary(&buf, document.Summary{Service: svc, Submission: sub}); err != nil {
			b.Fatal(err)
		}
	}
}
