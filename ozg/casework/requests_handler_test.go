package casework_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The case page asks for evidence with a checkbox per requirement, and shows the files the
// citizen sent with the answer, downloadable; every state passes the form checks.
func TestTheCasePageAsksForEvidenceAndShowsWhatCame(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	c := app.login(t, "sabine")
	sub := w.submit(t, "wohngeld")
	caseURL := "/sachbearbeitung/faelle/" + sub.ID
	checkPage(t, "a case with the evidence to ask for", c.get(caseURL), 200,
		`name="requirements" value="mietvertrag"`, "Nachweise nachfordern (freiwillig)", "Noch keine Nachweise nachgereicht.")
	checkPage(t, "asking for evidence the service does not have", c.post(caseURL, caseURL+"/rueckfrage",
		url.Values{"question": {"Bitte senden Sie den Steuerbescheid."}, "requirements": {"steuerbescheid"}}, nil), 422,
		`href="#requirements"`, "Die Eingabe ist ungültig.", "Bitte senden Sie den Steuerbescheid.")
	checkPage(t, "after asking for evidence", c.post(caseURL, caseURL+"/rueckfrage",
		url.Values{"question": {"Bitte senden Sie den Mietvertrag mit allen Seiten."}, "requirements": {"mietvertrag"}}, nil), 200,
		"Die Rückfrage ist im Postfach", "Nachweis nachgefordert")
	q := w.messages(t)[0]
	page := samplePDF("Seite 2")
	e, err := w.apps.AttachRequestedEvidence(ctx, w.cw, citizen.Subject, sub.ApplicationID, q.ID, "mietvertrag", "Seite 2 – Weiß.pdf", bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.mb.Reply(ctx, citizen, q.ID, "Anbei Seite 2."); err != nil {
		t.Fatal(err)
	}
	checkPage(t, "with the answer and its file", c.get(caseURL), 200, "Anbei Seite 2.", "Nachweis nachgereicht", "Mietvertrag: "+e.FileName,
		e.FileName+"</a>", "application/pdf", e.SHA512, caseURL+"/nachgereicht/"+e.ID)
	r := c.get(caseURL + "/nachgereicht/" + e.ID)
	if r.status != 200 || r.err != nil || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") || r.body != string(page) {
		t.Fatalf("download: %d %v %v", r.status, r.err, r.header)
	}
	checkPage(t, "a file that is no file of the case", c.get(caseURL+"/nachgereicht/"+sub.Attachments[0].ID), 404, "Antrag nicht gefunden")
	checkPage(t, "in English", c.get(caseURL+"?lang=en"), 200, "Evidence sent later", "Evidence requested", "Ask for evidence (optional)")
}

// A form whose CSRF token does not fit is answered with a page, in the case worker's
// language and with a way back; an API client keeps the gate's problem document.
func TestARefusedCSRFCheckAnswersAPage(t *testing.T) {
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	c := app.login(t, "sabine")
	sub := w.submit(t, "wohngeld")
	caseURL := "/sachbearbeitung/faelle/" + sub.ID
	r := c.post("", caseURL+"/annehmen", url.Values{"_csrf": {"forged"}}, map[string]string{"Referer": c.base + caseURL})
	checkPage(t, "a forged token", r, 403, "Formular abgelaufen", "Bitte laden Sie die Seite neu", `href="`+caseURL+`"`, "Zurück zum Antrag")
	c.get("/sachbearbeitung/?lang=en")
	r = c.post("", caseURL+"/annehmen", url.Values{}, map[string]string{"Referer": "https://evil.example" + caseURL})
	checkPage(t, "no token, in English", r, 403, "Form expired", "Back to the inbox")
	if strings.Contains(r.body, "evil.example") {
		t.Fatal("the page links back to another site")
	}

	req, _ := http.NewRequest(http.MethodPost, c.base+caseURL+"/annehmen", strings.NewReader("_csrf=forged"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if r := c.do(req); r.status != 403 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("an API client: %d %s", r.status, r.header.Get("Content-Type"))
	}

	// a post after the session ended: a page that says to log in again
	anon := &client{t: t, c: &http.Client{}, base: c.base}
	checkPage(t, "a post without a login", anon.post("", caseURL+"/annehmen", url.Values{}, nil), 401, "Anmeldung nötig")
	if a, _ := w.store.Get(context.Background(), sub.ApplicationID); a.State != "delivered" {
		t.Fatalf("a refused post moved the application to %s", a.State)
	}
}
