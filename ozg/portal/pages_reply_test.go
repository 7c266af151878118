package portal_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
)

// deliveredWohngeld makes c's citizen apply for Wohngeld through the pages and puts the
// delivered submission into the world's casework, as the authority's inbox would.
func (w *world) deliveredWohngeld(t testing.TB, c *webClient) *ozg.Submission {
	t.Helper()
	step := c.submit(c.get("/leistungen/wohngeld/antrag"), "Antrag starten", "", "", nil)
	base := "/antraege/" + strings.Split(step.URL.Path, "/")[2]
	for _, s := range wohngeldSteps {
		p := c.get(base + "/angaben/" + s.step)
		set := s.set
		if s.step == "haushalt" {
			p = c.submit(p, "ozg-form", "_action", "add:/haushalt/mitglieder", nil)
			set = member
		}
		c.submit(p, "ozg-form", "_action", "submit", set)
	}
	ev := c.get(base + "/nachweise")
	c.upload(ev, "mietvertrag", "mietvertrag.pdf", samplePDF("Mietvertrag"))
	c.upload(ev, "einkommen", "lohn.pdf", samplePDF("Lohn"))
	conf := c.submit(c.get(base+"/pruefen"), "idempotency_key", "", "", nil)
	conf.mustContain(t, 200, "Antrag eingereicht")
	ref := referenceRe.FindStringSubmatch(conf.Body)[1]
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, s := range w.inbox.Submissions() {
			if s.Reference == ref {
				if _, err := w.cw.Deliver(context.Background(), s, nil); err != nil {
					t.Fatal(err)
				}
				return s
			}
		}
	}
	t.Fatalf("submission %s was not delivered", ref)
	return nil
}

// replyFile is a file a citizen chooses in the answer form.
type replyFile struct{ field, name string }

// reply sends the answer form on p as a browser does: the CSRF token first, then the text,
// then the files, each as its own part (a file input left empty sends an empty part).
func (c *webClient) reply(p page, text string, files []replyFile, contents ...[]byte) page {
	c.t.Helper()
	action, html := p.form(c.t, `name="antwort"`)
	vals := formValues(c.t, html, "", "")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField(identity.CSRFField, vals.Get(identity.CSRFField))
	mw.WriteField("antwort", text)
	for i, f := range files {
		fw, _ := mw.CreateFormFile(f.field, f.name)
		fw.Write(contents[i])
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.abs(action), &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.base)
	return c.do(req)
}

var sabine = casework.Staff{Subject: "kc-sabine", Name: "Sabine Sachbearbeiterin", Roles: []string{"kiel"}}

// A Nachforderung in the Postfach: the answer form offers a file input for the evidence asked
// for; a bad file, a missing text and evidence not asked for are refused with the page's
// error summary and store nothing; an answer with files reaches the case, and then the form
// is gone. Every page passes formstest.Check (the web client checks each).
func TestTheCitizenAnswersANachforderungWithFiles(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	if err := w.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, w.base)
	sub := w.deliveredWohngeld(t, c)
	q, err := w.cw.AskFor(ctx, sabine, sub.ID, casework.Question{Text: "Bitte senden Sie den Mietvertrag mit allen Seiten.", Requirements: []string{"mietvertrag"}})
	if err != nil {
		t.Fatal(err)
	}
	msgURL := "/postfach/" + q.ID
	form := c.get(msgURL)
	form.mustContain(t, 200, "Antworten", `enctype="multipart/form-data"`, `name="antwort"`, `name="nachweis-mietvertrag"`, `multiple`,
		"Dateien für „Mietvertrag“ auswählen (freiwillig)", "bis zu 3 Dateien")
	if strings.Contains(form.Body, `name="nachweis-einkommen"`) {
		t.Fatal("the form offers evidence the query does not ask for")
	}
	if _, html := form.form(t, `name="antwort"`); !regexp.MustCompile(`^<form[^>]*>\s*<input type="hidden" name="_csrf"`).MatchString(html) {
		t.Fatalf("the CSRF token is not the form's first part:\n%s", html)
	}
	nothingStored := func(name string) {
		t.Helper()
		v, err := w.cw.Open(ctx, sabine, sub.ID, "de")
		if err != nil {
			t.Fatal(err)
		}
		m, _ := w.mailbox.Message(ctx, sub.Owner, q.ID)
		if len(v.Received) != 0 || m.ReplyID != "" {
			t.Fatalf("%s: %d files and reply %q stored", name, len(v.Received), m.ReplyID)
		}
	}

	bad := c.reply(form, "Anbei der Vertrag.", []replyFile{{"nachweis-mietvertrag", "vertrag.pdf"}}, []byte("nur Text, kein PDF"))
	bad.mustContain(t, 422, "Es gibt ein Problem", `href="#nachweis-mietvertrag"`, `aria-invalid="true"`, "Diese Art von Datei wird hier nicht angenommen", "Anbei der Vertrag.")
	nothingStored("a bad file")
	noText := c.reply(form, "  ", []replyFile{{"nachweis-mietvertrag", "vertrag.pdf"}}, samplePDF("Vertrag"))
	noText.mustContain(t, 422, `href="#antwort"`, "Bitte schreiben Sie eine Antwort.")
	nothingStored("no text")
	other := c.reply(form, "Auch mein Lohn.", []replyFile{{"nachweis-einkommen", "lohn.pdf"}}, samplePDF("Lohn"))
	other.mustContain(t, 422, "Diesen Nachweis erbittet die Rückfrage nicht")
	nothingStored("evidence not asked for")

	done := c.reply(form, "Anbei alle Seiten.", []replyFile{{"nachweis-mietvertrag", "seite-1.pdf"}, {"nachweis-mietvertrag", "seite-2.pdf"}},
		samplePDF("Seite 1"), samplePDF("Seite 2"))
	done.mustContain(t, 200, "Ihre Antwort ist gesendet.", "Sie haben diese Rückfrage beantwortet.")
	if strings.Contains(done.Body, `name="antwort"`) {
		t.Fatal("an answered query still offers the form")
	}
	v, err := w.cw.Open(ctx, sabine, sub.ID, "de")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Received) != 2 || v.Received[0].FileName != "seite-1.pdf" || v.Received[1].Query != q.ID {
		t.Fatalf("the case received %+v", v.Received)
	}
	if last := v.Events[len(v.Events)-1]; last.Action != casework.ActionReply || last.Detail != "Anbei alle Seiten." {
		t.Fatalf("the case's last event is %+v", last)
	}
	again := c.reply(form, "Noch eine Seite.", []replyFile{{"nachweis-mietvertrag", "seite-3.pdf"}}, samplePDF("Seite 3"))
	again.mustContain(t, 200, "Sie haben diese Rückfrage beantwortet.")
	if v, _ := w.cw.Open(ctx, sabine, sub.ID, "de"); len(v.Received) != 2 {
		t.Fatalf("a file after the answer was taken: %d files", len(v.Received))
	}

	// a question without a Nachforderung is answered with text, in English too
	text, err := w.cw.Ask(ctx, sabine, sub.ID, "Wie hoch ist die Kaltmiete?", time.Now().Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c.lang = "en"
	en := c.get("/postfach/" + text.ID)
	en.mustContain(t, 200, "Answer", "Your reply", "Send answer", "Answer requested by")
	if strings.Contains(en.Body, `type="file"`) {
		t.Fatal("a question without a Nachforderung offers file inputs")
	}
	c.lang = ""
	c.reply(en, "620 Euro.", nil).mustContain(t, 200, "Ihre Antwort ist gesendet.")
	if m, _ := w.mailbox.Message(ctx, sub.Owner, text.ID); m.ReplyID == "" {
		t.Fatal("the text answer was not stored")
	}
}
