package document

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/ozgkit/ozgkit/ozg"
)

// Berlin returns the time zone dates are shown in (Europe/Berlin); it is ozg.Berlin.
func Berlin() *time.Location { return ozg.Berlin() }

// page is an A4 document with the Go fonts and a footer.
type page struct {
	*fpdf.Fpdf
	width float64 // usable width in mm
}

func newPage(title, author string, date time.Time, footer string) *page {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	f.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	f.AddUTF8FontFromBytes("gomono", "", gomono.TTF)
	f.SetCatalogSort(true)
	f.SetCreationDate(date.UTC())
	f.SetModificationDate(date.UTC())
	f.SetTitle(title, true)
	f.SetAuthor(author, true)
	f.SetCreator("ozgkit", true)
	f.SetLang("de-DE")
	f.SetMargins(20, 20, 20)
	f.SetAutoPageBreak(true, 22)
	p := &page{Fpdf: f}
	w, _ := f.GetPageSize()
	p.width = w - 40
	f.SetFooterFunc(func() {
		f.SetY(-15)
		f.SetFont("go", "", 8)
		f.CellFormat(0, 5, fmt.Sprintf("%s · %d", footer, f.PageNo()), "", 0, "C", false, 0, "")
	})
	f.AddPage()
	return p
}

func (p *page) heading(s string, size float64) {
	p.SetFont("go", "B", size)
	p.MultiCell(p.width, size*0.5, s, "", "L", false)
	p.Ln(2)
}

func (p *page) text(s string) {
	p.SetFont("go", "", 10)
	p.MultiCell(p.width, 5, s, "", "L", false)
}

// pair writes a label and a value side by side; depth indents both.
func (p *page) pair(label, value string, depth int) {
	indent := float64(min(depth, 6)) * 4
	lw := 60.0 - indent
	x := p.GetX()
	p.SetX(x + indent)
	p.SetFont("go", "B", 10)
	y := p.GetY()
	p.MultiCell(lw, 5, label, "", "L", false)
	yl := p.GetY()
	p.SetXY(x+60, y)
	p.SetFont("go", "", 10)
	p.MultiCell(p.width-60, 5, value, "", "L", false)
	p.SetXY(x, max(yl, p.GetY())+1)
}

func (p *page) finish(w io.Writer) error {
	if err := p.Output(w); err != nil {
		return fmt.Errorf("document: write PDF: %w", err)
	}
	return nil
}

// Euro formats cents as a German amount, e.g. 3000 → "30,00 €".
func Euro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	s := fmt.Sprintf("%d", cents/100)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s,%02d €", sign, b.String(), cents%100)
}

// Summary is what an Antragsübersicht shows.
type Summary struct {
	Service    *ozg.Service
	Submission *ozg.Submission
	// Lang is "de" (default) or "en".
	Lang string
}

// WriteSummary writes the Antragsübersicht of a submission as PDF: the service and its
// authority, the Aktenzeichen, the date of submission (Europe/Berlin), every answered field
// with its label by step, the evidence with size and SHA-512, and the payment.
func WriteSummary(w io.Writer, s Summary) error {
	if s.Service == nil || s.Submission == nil || s.Service.Form == nil {
		return fmt.Errorf("document: a summary needs a service with a form and a submission")
	}
	lang := s.Lang
	sub, svc := s.Submission, s.Service
	sections, err := Answers(svc.Form, sub.Data, lang)
	if err != nil {
		return err
	}
	title := t(lang, "Antragsübersicht", "Application summary")
	p := newPage(title+" "+sub.Reference, svc.Authority.Name, sub.SubmittedAt, title+" "+sub.Reference)
	p.heading(title, 18)
	p.pair(t(lang, "Leistung", "Service"), serviceName(svc, lang), 0)
	p.pair(t(lang, "Behörde", "Authority"), svc.Authority.Name, 0)
	p.pair(t(lang, "Aktenzeichen", "Reference"), sub.Reference, 0)
	p.pair(t(lang, "Eingereicht am", "Submitted on"), sub.SubmittedAt.In(ozg.Berlin()).Format("02.01.2006, 15:04 Uhr"), 0)
	p.Ln(4)
	for _, sec := range sections {
		p.heading(sec.Title, 13)
		for _, r := range sec.Rows {
			p.pair(r.Label, r.Value, r.Depth)
		}
		p.Ln(3)
	}
	p.heading(t(lang, "Nachweise", "Evidence"), 13)
	if len(sub.Attachments) == 0 {
		p.text(t(lang, "Keine Nachweise eingereicht.", "No evidence submitted."))
	}
	for _, a := range sub.Attachments {
		req := a.RequirementID
		if r, ok := svc.Requirement(a.RequirementID); ok {
			req = r.Title
		}
		p.pair(req, fmt.Sprintf("%s (%s, %s)", a.FileName, a.MediaType, Bytes(a.Size)), 0)
		p.SetFont("gomono", "", 7)
		p.SetX(p.GetX() + 60)
		p.MultiCell(p.width-60, 3.5, "SHA-512: "+a.SHA512, "", "L", false)
		p.Ln(1)
	}
	p.Ln(3)
	p.heading(t(lang, "Zahlung", "Payment"), 13)
	if pay := sub.Payment; pay != nil {
		p.pair(t(lang, "Betrag", "Amount"), Euro(pay.GrossAmount), 0)
		p.pair(t(lang, "Zahlungsart", "Method"), pay.Method, 0)
		p.pair(t(lang, "Status", "Status"), pay.Status, 0)
		p.pair(t(lang, "Kassenzeichen", "Payment reference"), pay.Reference, 0)
		p.pair(t(lang, "Transaktion", "Transaction"), pay.TransactionID, 0)
		p.pair(t(lang, "Bezahlt am", "Paid on"), pay.Timestamp.In(ozg.Berlin()).Format("02.01.2006, 15:04 Uhr"), 0)
	} else {
		p.text(t(lang, "Keine Gebühr online bezahlt.", "No fee paid online."))
	}
	return p.finish(w)
}

func serviceName(svc *ozg.Service, lang string) string {
	if lang == "en" && svc.NameEN != "" {
		return svc.NameEN
	}
	return svc.Name
}

// Bytes formats a size for people, e.g. "1,2 MB".
func Bytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)), ".", ",", 1)
	case n >= 1<<10:
		return strings.Replace(fmt.Sprintf("%.1f KB", float64(n)/(1<<10)), ".", ",", 1)
	}
	return fmt.Sprintf("%d Byte", n)
}

// Notice is a Bescheid: the authority's decision on an application.
type Notice struct {
	Authority string
	Service   string
	Reference string
	// Recipient is the citizen's name, if known.
	Recipient string
	// Date is the date of the decision; the PDF's creation date too.
	Date time.Time
	// Text is the decision in plain text: tenor, reasons, Rechtsbehelfsbelehrung. Paragraphs
	// are separated by empty lines.
	Text string
	// Signer is the case worker who issued it.
	Signer string
}

// WriteNotice writes the Bescheid as PDF.
func WriteNotice(w io.Writer, n Notice) error {
	if strings.TrimSpace(n.Text) == "" || n.Authority == "" || n.Reference == "" {
		return fmt.Errorf("document: a Bescheid needs an authority, an Aktenzeichen and a text")
	}
	p := newPage("Bescheid "+n.Reference, n.Authority, n.Date, "Bescheid "+n.Reference)
	p.SetFont("go", "B", 11)
	p.MultiCell(p.width, 5.5, n.Authority, "", "L", false)
	p.Ln(6)
	if n.Recipient != "" {
		p.text(n.Recipient)
		p.Ln(4)
	}
	p.SetFont("go", "", 10)
	p.MultiCell(p.width, 5, "Aktenzeichen: "+n.Reference+"\nDatum: "+n.Date.In(ozg.Berlin()).Format("02.01.2006"), "", "R", false)
	p.Ln(6)
	p.heading("Bescheid über Ihren Antrag „"+n.Service+"“", 14)
	p.text(strings.ReplaceAll(n.Text, "\r\n", "\n"))
	p.Ln(8)
	p.text("Mit freundlichen Grüßen\n" + n.Signer + "\n" + n.Authority)
	p.Ln(4)
	p.SetFont("go", "", 8)
	p.MultiCell(p.width, 4, "Dieser Bescheid wurde elektronisch erstellt und in Ihr Postfach zugestellt.", "", "L", false)
	return p.finish(w)
}
