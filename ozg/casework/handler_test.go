package casework_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/forms/formstest"
)

// checkPage asserts a page's status, its security headers, that formstest finds its forms
// accessible, and that it contains each of want.
func checkPage(t *testing.T, name string, r response, status int, want ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", name, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", name, ct)
	}
	for h, v := range map[string]string{"X-Frame-Options": "DENY", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if got := r.header.Get(h); got != v {
			t.Errorf("%s: %s = %q, want %q", name, h, got, v)
		}
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") && !strings.Contains(csp, "script-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("%s: CSP %q", name, csp)
	}
	if strings.Contains(r.body, "<script") {
		t.Errorf("%s: the page has a script", name)
	}
	if err := formstest.Check(strings.NewReader(r.body)); err != nil {
		t.Errorf("%s: formstest: %v", name, err)
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s: the page lacks %q", name, w)
		}
	}
}

func TestEveryPageStatePassesTheFormChecks(t *testing.T) {
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	c := app.login(t, "sabine")
	checkPage(t, "empty inbox", c.get("/sachbearbeitung/"), 200, "Keine Anträge gefunden.", "Sabine Sachbearbeiterin")

	sub := w.submit(t, "wohngeld")
	caseURL := "/sachbearbeitung/faelle/" + sub.ID
	checkPage(t, "inbox with a case", c.get("/sachbearbeitung/"), 200, sub.Reference, "Wohngeld beantragen", "Neu eingegangen", caseURL)
	checkPage(t, "inbox filtered by state and service", c.get("/sachbearbeitung/?state=delivered&service=wohngeld"), 200, sub.Reference)
	checkPage(t, "inbox searched by Aktenzeichen", c.get("/sachbearbeitung/?az="+url.QueryEscape(strings.ToLower(sub.Reference[:8]))), 200, sub.Reference)
	checkPage(t, "inbox searched for another Aktenzeichen", c.get("/sachbearbeitung/?az=XYZ"), 200, "Keine Anträge gefunden.")
	checkPage(t, "inbox with bad filters", c.get("/sachbearbeitung/?az=%3Cscript%3E&state=gone&service=hundesteuer"), 422,
		`role="alert"`, `href="#az"`, `href="#state"`, `href="#service"`, `aria-invalid="true"`)
	checkPage(t, "inbox in English", c.get("/sachbearbeitung/?lang=en"), 200, "Inbox", "Apply for housing benefit", `lang="en"`)
	c.get("/sachbearbeitung/?lang=de")

	checkPage(t, "a new case", c.get(caseURL), 200, "Jürgen", "Weiß-Özdemir", "Familienname", "Angaben zur Person", "29.02.1980",
		"Mietvertrag Weiß.pdf", "Annehmen", "Zurückweisen", "Rückfrage stellen", "Bescheid erteilen", "Eingegangen", "Keine Gebühr online bezahlt.")
	checkPage(t, "rejecting without a reason", c.post(caseURL, caseURL+"/ablehnen", url.Values{"reason": {" "}}, nil), 422,
		`role="alert"`, `href="#reason"`, `id="reason-error"`, "Bitte füllen Sie dieses Feld aus.")
	checkPage(t, "a question with a past date", c.post(caseURL, caseURL+"/rueckfrage", url.Values{"question": {"Wo?"}, "due": {"2001-01-01"}}, nil), 422,
		`href="#due"`, "Vergangenheit", "Wo?")

	r := c.post(caseURL, caseURL+"/rueckfrage", url.Values{"question": {"Bitte reichen Sie den Mietvertrag vollständig nach."},
		"due": {time.Now().AddDate(0, 0, 14).Format(time.DateOnly)}}, nil)
	checkPage(t, "after asking", r, 200, "Die Rückfrage ist im Postfach", "Bitte reichen Sie den Mietvertrag vollständig nach.")
	q := w.messages(t)[0]
	if _, err := w.mb.Reply(context.Background(), citizen, q.ID, "Anbei die fehlende Seite 3."); err != nil {
		t.Fatal(err)
	}
	checkPage(t, "with the citizen's reply", c.get(caseURL), 200, "Antwort des Antragstellers", "Anbei die fehlende Seite 3.")
	checkPage(t, "after accepting", c.post(caseURL, caseURL+"/annehmen", url.Values{}, nil), 200, "Der Antrag ist angenommen", "In Bearbeitung")
	checkPage(t, "accepting twice", c.post("", caseURL+"/annehmen", url.Values{"_csrf": {csrfOf(t, c, caseURL)}}, nil), 409,
		"Diese Aktion ist nicht mehr möglich", "In Bearbeitung", "Zurück zum Antrag")
	checkPage(t, "after the Bescheid", c.post(caseURL, caseURL+"/bescheid", url.Values{"text": {"Ihrem Antrag wird stattgegeben: 123,45 € monatlich."}}, nil),
		200, "Der Bescheid ist erteilt", "Beschieden", "Für diesen Antrag sind keine Aktionen mehr möglich.")
	checkPage(t, "a Bescheid twice", c.post("", caseURL+"/bescheid", url.Values{"_csrf": {csrfOf(t, c, caseURL)}, "text": {"noch einmal"}}, nil), 409,
		"Diese Aktion ist nicht mehr möglich", "Beschieden")
	checkPage(t, "a missing case", c.get("/sachbearbeitung/faelle/nope"), 404, "Antrag nicht gefunden")
	checkPage(t, "a bad case id", c.get("/sachbearbeitung/faelle/%3Cx%3E"), 404, "Antrag nicht gefunden")

	var kinds []string
	for _, e := range w.messages(t) {
		kinds = append(kinds, string(e.Kind))
	}
	if got := strings.Join(kinds, " "); got != "status notice status reply query" {
		t.Fatalf("the Postfach holds %s", got)
	}
}

func csrfOf(t *testing.T, c *client, path string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(c.get(path).body)
	if m == nil {
		t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

func TestForeignPostsAreRefused(t *testing.T) {
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	c := app.login(t, "sabine")
	sub := w.submit(t, "wohngeld")
	caseURL := "/sachbearbeitung/faelle/" + sub.ID
	tests := []struct {
		name   string
		from   string
		form   url.Values
		hdr    map[string]string
		status int
	}{
		{"a post without the CSRF token", "", url.Values{}, nil, 403},
		{"a post with a wrong token", "", url.Values{"_csrf": {"forged"}}, nil, 403},
		{"a post from a sibling site", caseURL, url.Values{}, map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"a post from another site", caseURL, url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := c.post(tc.from, caseURL+"/annehmen", tc.form, tc.hdr); r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
	if app, _ := w.store.Get(context.Background(), sub.ApplicationID); app.State != "delivered" {
		t.Fatalf("a refused post moved the application to %s", app.State)
	}
}

func TestCaseWorkersPagesShowOnlyTheirServices(t *testing.T) {
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	park := w.submit(t, "bewohnerparkausweis")
	sabine := app.login(t, "sabine")
	checkPage(t, "Sabine's inbox", sabine.get("/sachbearbeitung/"), 200, "Keine Anträge gefunden.")
	checkPage(t, "Sabine opens a parking case", sabine.get("/sachbearbeitung/faelle/"+park.ID), 404, "Antrag nicht gefunden")
	if r := sabine.get("/sachbearbeitung/faelle/" + park.ID + "/nachweise/0"); r.status != 404 {
		t.Fatalf("Sabine downloads parking evidence: %d", r.status)
	}
	tom := app.login(t, "tom")
	checkPage(t, "Tom's inbox", tom.get("/sachbearbeitung/"), 200, park.Reference, "Bewohnerparkausweis beantragen")
	checkPage(t, "Tom's parking case with its fee", tom.get("/sachbearbeitung/faelle/"+park.ID), 200, "30,60 €", park.Payment.Reference, "CREDITCARD")
	paula := app.login(t, "paula")
	checkPage(t, "Paula without a role", paula.get("/sachbearbeitung/"), 403, "Keine Leistung zugewiesen")
}

func TestDownloadsAreAttachmentsWithTheirSniffedType(t *testing.T) {
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	c := app.login(t, "sabine")
	// HTML never gets in as evidence (the upload refuses active content); a PDF is served as
	// a download of its sniffed type, never rendered in the case worker's browser
	sub := w.submit(t, "wohngeld")
	r := c.get("/sachbearbeitung/faelle/" + sub.ID + "/nachweise/0")
	if r.status != 200 || r.err != nil || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF evidence served as %q (%d, %v)", r.header.Get("Content-Type"), r.status, r.err)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=utf-8''Mietvertrag%20Wei%C3%9F.pdf") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("headers %v", r.header)
	}
	// the stored bytes change behind the case's back: the download must not arrive whole
	for name, content := range map[string]string{"shorter": "%PDF-1.4 short", "same size": strings.Repeat("x", len(samplePDF("Mietvertrag Weiß")))} {
		bad := w.submit(t, "wohngeld")
		if _, err := w.blobs.Put(context.Background(), bad.Attachments[0].BlobKey, strings.NewReader(content)); err != nil {
			t.Fatal(err)
		}
		if r := c.get("/sachbearbeitung/faelle/" + bad.ID + "/nachweise/0"); r.err == nil {
			t.Errorf("%s: a download whose bytes do not match their SHA-512 arrived whole (%d, %d bytes)", name, r.status, len(r.body))
		}
	}
	for _, bad := range []string{"-1", "1", "x", "0001"} {
		if r := c.get("/sachbearbeitung/faelle/" + sub.ID + "/nachweise/" + bad); r.status != 404 {
			t.Errorf("evidence %q: status %d", bad, r.status)
		}
	}

	sub2 := w.submit(t, "wohngeld")
	r = c.get("/sachbearbeitung/faelle/" + sub2.ID + "/nachweise/0")
	if r.err != nil || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
		t.Fatalf("PDF evidence served as %q", r.header.Get("Content-Type"))
	}
	r = c.get("/sachbearbeitung/faelle/" + sub2.ID + "/antragsuebersicht.pdf")
	if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("summary: %d %v", r.status, r.header)
	}
	text := strings.Join(strings.Fields(pdfText(t, []byte(r.body))), " ")
	for _, want := range []string{"Antragsübersicht", sub2.Reference, "Weiß-Özdemir", "Ülrich „Uli“ Weiß", "SHA-512", sub2.Attachments[0].SHA512[:32]} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, text)
		}
	}
	checkPage(t, "the case after the downloads", c.get("/sachbearbeitung/faelle/"+sub2.ID), 200, "Nachweis geöffnet", "Antragsübersicht geöffnet")
}
