package portal_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// wohngeldSteps are the answers per step of the Wohngeld form, by input name (JSON pointer).
var wohngeldSteps = []struct {
	step string
	set  map[string]string
}{
	{"person", map[string]string{
		"/antragsteller/staatsangehoerigkeit": "deutsch", "/antragsteller/familienstand": "verheiratet",
		"/anschrift/hausnummer": "17", "/anschrift/strasse": "Heidestraße",
	}},
	{"wohnung", map[string]string{
		"/wohnung/nutzung": "miete", "/wohnung/einzugsdatum": "2019-04-01", "/wohnung/wohnflaeche": "68,5",
		"/wohnung/zimmer": "3", "/wohnung/kaltmiete": "620", "/wohnung/nebenkosten": "140",
	}},
	{"haushalt", nil}, // filled after the add button, below
	{"einkommen", map[string]string{"/einkommen/art": "nichtselbststaendig", "/einkommen/bruttoMonatlich": "1.450"}},
	{"abschluss", map[string]string{
		"/bankverbindung/kontoinhaber": "Erika Mustermann", "/bankverbindung/iban": "DE89 3704 0044 0532 0130 00",
		"/erklaerungen/richtigkeit": "true", "/erklaerungen/datenschutz": "true",
	}},
}

var member = map[string]string{
	"/haushalt/mitglieder/0/vorname": "Hans", "/haushalt/mitglieder/0/nachname": "Mustermann",
	"/haushalt/mitglieder/0/geburtsdatum": "1962-02-03", "/haushalt/mitglieder/0/verhaeltnis": "ehegatte",
}

var referenceRe = regexp.MustCompile(`<strong class="reference">([^<]+)</strong>`)

// TestHTMLJourney walks both services through the pages as a browser without script would,
// and checks every page with formstest.Check (labels, ids, fieldsets, error summaries),
// including the pages with errors.
func TestHTMLJourney(t *testing.T) {
	w := newWorld(t)
	if err := w.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, w.base)

	start := c.get("/")
	start.mustContain(t, 200, "Wohngeld beantragen", `href="/leistungen/wohngeld"`, "application/ld+json",
		"Serviceportal Kiel", `href="/impressum"`, `href="/datenschutz"`, "Barrierefreiheitserklärung")
	if strings.Contains(start.Body, "Abmelden") {
		t.Fatal("start page shows a login before any")
	}
	// The public service page needs no login and says what applying takes.
	public := c.get("/leistungen/bewohnerparkausweis")
	public.mustContain(t, 200, "Zulassungsbescheinigung Teil I", "1.850,50\u00a0€", "etwa 7 Tage", "§ 45 Abs. 1b Nr. 2a StVO",
		"Basisregistrierung", "Fleethörn 9", "PDF-Dokument, JPEG-Bild oder PNG-Bild", `href="/leistungen/bewohnerparkausweis/antrag"`)
	c.get("/leistungen/wohngeld").mustContain(t, 200, "substanziell (ELSTER oder Online-Ausweis)", "Mietvertrag")
	if strings.Contains(public.Body, "Abmelden") {
		t.Fatal("the public service page logged in")
	}

	svc := c.get("/leistungen/wohngeld/antrag") // logs in at the service's level on the way
	svc.mustContain(t, 200, "Antrag starten", "Angemeldet: Erika Mustermann")

	step := c.submit(svc, "Antrag starten", "", "", nil)
	step.mustContain(t, 200, "Angaben zur Person", `value="Erika"`, `value="Mustermann"`, "Schritt 1 von 5")
	id := strings.Split(step.URL.Path, "/")[2]
	base := "/antraege/" + id

	// A wrong answer: the step comes back with the error summary, and nothing is lost.
	bad := c.submit(step, "ozg-form", "_action", "submit", map[string]string{"/anschrift/plz": "123"})
	bad.mustContain(t, 422, "Es gibt ein Problem", `href="#f-anschrift-plz"`, `aria-invalid="true"`, `value="123"`, "<title>Fehler: ")

	// Submitting early: the summary lists what is missing, and the error summary takes the focus.
	early := c.submit(c.get(base+"/pruefen"), "idempotency_key", "", "", nil)
	early.mustContain(t, 422, "Der Antrag ist noch nicht vollständig", "autofocus", "Mietvertrag", "„Wohnung und Miete“")

	for _, s := range wohngeldSteps {
		p := c.get(base + "/angaben/" + s.step)
		set := s.set
		if s.step == "haushalt" {
			p = c.submit(p, "ozg-form", "_action", "add:/haushalt/mitglieder", nil)
			p.mustContain(t, 200, `name="/haushalt/mitglieder/0/vorname"`)
			set = member
		}
		next := c.submit(p, "ozg-form", "_action", "submit", set)
		if next.Status != 200 || strings.Contains(next.Body, "Es gibt ein Problem") {
			t.Fatalf("step %s not accepted: %d\n%s", s.step, next.Status, next.Body)
		}
	}
	c.get(base+"/angaben/unbekannt").mustContain(t, 404, "Seite nicht gefunden")

	// Evidence: a text file is refused with a message at its upload form; two PDFs are taken.
	ev := c.get(base + "/nachweise")
	ev.mustContain(t, 200, "Mietvertrag", "Einkommensnachweise", "PDF-Dokument, JPEG-Bild oder PNG-Bild", "höchstens 10 MB je Datei, bis zu 3 Dateien")
	refused := c.upload(ev, "mietvertrag", "notiz.pdf", []byte("nur Text, kein PDF"))
	refused.mustContain(t, 422, `href="#datei-mietvertrag"`, "autofocus", `aria-invalid="true"`)
	c.upload(ev, "mietvertrag", "mietvertrag.pdf", samplePDF("Mietvertrag")).mustContain(t, 200, "mietvertrag.pdf", "PDF-Dokument")
	ev = c.upload(ev, "einkommen", "lohnabrechnung.pdf", samplePDF("Lohn"))
	ev.mustContain(t, 200, "lohnabrechnung.pdf", "mietvertrag.pdf")
	// Delete and upload again.
	ev = c.submit(ev, "Löschen<span class=\"visually-hidden\">: lohnabrechnung.pdf", "", "", nil)
	if strings.Contains(ev.Body, "lohnabrechnung.pdf") {
		t.Fatal("deleted file still listed")
	}
	c.upload(ev, "einkommen", "lohnabrechnung.pdf", samplePDF("Lohn")).mustContain(t, 200, "lohnabrechnung.pdf")

	sum := c.get(base + "/pruefen")
	sum.mustContain(t, 200, "Antrag verbindlich absenden", "Hans", "68,5", "1450", "Ehegatte", "01.04.2019", "mietvertrag.pdf")
	if strings.Contains(sum.Body, "noch nicht vollständig") {
		t.Fatalf("summary says incomplete:\n%s", sum.Body)
	}
	conf := c.submit(sum, "idempotency_key", "", "", nil)
	conf.mustContain(t, 200, "Antrag eingereicht", "Ihr Aktenzeichen", "Eingereichte Nachweise: 2 Dateien")
	ref := referenceRe.FindStringSubmatch(conf.Body)
	if ref == nil {
		t.Fatalf("no Aktenzeichen:\n%s", conf.Body)
	}
	// The same post again (a double click) gets the same receipt.
	again := c.submit(sum, "idempotency_key", "", "", nil)
	again.mustContain(t, 200, ref[1])
	c.get(base).mustContain(t, 200, ref[1], "eingereicht")
	c.get("/antraege").mustContain(t, 200, ref[1])
	// A submitted application's pages lead to its overview.
	c.get(base+"/nachweise").mustContain(t, 200, ref[1], "Verlauf")

	// The outbox delivers; the receipt lands in the mailbox.
	var box page
	for deadline := time.Now().Add(20 * time.Second); ; {
		box = c.get("/postfach")
		if strings.Contains(box.Body, "Eingangsbestätigung: Wohngeld") || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	box.mustContain(t, 200, "Eingangsbestätigung: Wohngeld", "1 ungelesene Nachricht.")
	link := regexp.MustCompile(`<a href="(/postfach/[^"]+)">Eingangsbestätigung`).FindStringSubmatch(box.Body)
	if link == nil {
		t.Fatalf("no message link:\n%s", box.Body)
	}
	c.get(link[1]).mustContain(t, 200, "Eingangsbestätigung", ref[1])
	c.get("/postfach").mustContain(t, 200, "Keine ungelesenen Nachrichten.")
	c.get(base).mustContain(t, 200, "bei der Behörde eingegangen")

	// The authority decides; the notice (Bescheid) with a PDF is the next message.
	subs := w.inbox.Submissions()
	if len(subs) != 1 || subs[0].Reference != ref[1] {
		t.Fatalf("authority's inbox: %d submissions", len(subs))
	}
	ctx := context.Background()
	for _, to := range []ozg.State{ozg.StateAccepted, ozg.StateDecided} {
		if _, err := w.apps.Advance(ctx, subs[0].ApplicationID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	bescheid := samplePDF("Bescheid")
	for _, subject := range []string{"Bescheid: Wohngeld", "Hinweis: Wohngeld"} {
		if _, err := w.mailbox.Send(ctx, mailbox.Draft{Owner: subs[0].Owner, Kind: mailbox.KindNotice, Subject: subject,
			Body: "Guten Tag,\nanbei Ihr Bescheid.", Sender: mailbox.Sender{Name: kiel.Name, Reference: ref[1]},
			Application: subs[0].ApplicationID, MinLevel: mailbox.Level(identity.LevelSubstantial),
			Attachments: []mailbox.NewAttachment{{Name: "Bescheid Wohngeld.pdf", MediaType: "application/pdf", Content: bytes.NewReader(bescheid)}}}); err != nil {
			t.Fatal(err)
		}
	}
	box = c.get("/postfach")
	box.mustContain(t, 200, "Bescheid: Wohngeld", "2 ungelesene Nachrichten.")
	link = regexp.MustCompile(`<a href="(/postfach/[^"]+)">Bescheid`).FindStringSubmatch(box.Body)
	if link == nil {
		t.Fatalf("no link to the notice:\n%s", box.Body)
	}
	msg := c.get(link[1])
	msg.mustContain(t, 200, "Bescheid", "Stand des Antrags ansehen", "Bescheid Wohngeld.pdf", "PDF-Dokument")
	c.get("/postfach").mustContain(t, 200, "1 ungelesene Nachricht.")
	att := regexp.MustCompile(`<a href="(/postfach/[^"]+/anhang/0)">`).FindStringSubmatch(msg.Body)
	if att == nil {
		t.Fatalf("no attachment link:\n%s", msg.Body)
	}
	resp, err := c.client.Get(w.base + att[1])
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	got.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got.Bytes(), bescheid) || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="Bescheid Wohngeld.pdf"` {
		t.Fatalf("attachment: %d %q %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), got.Len())
	}
	c.get(base).mustContain(t, 200, "beschieden")

	// The parking permit: one page, evidence, and the fee through the pay page.
	park := c.submit(c.get("/leistungen/bewohnerparkausweis/antrag"), "Antrag starten", "", "", nil)
	park.mustContain(t, 200, "Amtliches Kennzeichen")
	pbase := "/antraege/" + strings.Split(park.URL.Path, "/")[2]
	c.submit(park, "ozg-form", "_action", "submit", map[string]string{"/fahrzeug/kennzeichen": "KI-AB 1234"}).
		mustContain(t, 200, "Zulassungsbescheinigung")
	pev := c.get(pbase + "/nachweise")
	c.upload(pev, "zulassung", "zulassung.pdf", samplePDF("Zulassung")).mustContain(t, 200, "zulassung.pdf", "Sie haben die größte Zahl an Dateien")
	unpaid := c.submit(c.get(pbase+"/pruefen"), "idempotency_key", "", "", nil)
	unpaid.mustContain(t, 422, "Bitte bezahlen Sie zuerst die Gebühr von 1.850,50\u00a0€.", `id="aendern-zahlung"`, "autofocus")
	pay := c.get(pbase + "/zahlung")
	pay.mustContain(t, 200, "Jetzt 1.850,50\u00a0€ bezahlen")

	// Cancel on the pay page first: back on the payment page with a note.
	payPage := startPayment(t, c, w.base, pay)
	back, err := (&paymenttest.Citizen{Client: c.client}).Choose(ctx, payPage, paymenttest.ActionCancel, "")
	if err != nil {
		t.Fatal(err)
	}
	c.get(back).mustContain(t, 200, "Sie haben die Zahlung abgebrochen", "Jetzt 1.850,50\u00a0€ bezahlen")
	payPage = startPayment(t, c, w.base, c.get(pbase+"/zahlung"))
	back, err = (&paymenttest.Citizen{Client: c.client}).Choose(ctx, payPage, paymenttest.ActionPay, "")
	if err != nil {
		t.Fatal(err)
	}
	paid := c.get(back)
	paid.mustContain(t, 200, "Bezahlt", "1.850,50\u00a0€")
	if paid.URL.Path != pbase+"/zahlung" {
		t.Fatalf("payment return landed on %s", paid.URL)
	}
	pconf := c.submit(c.get(pbase+"/pruefen"), "idempotency_key", "", "", nil)
	pconf.mustContain(t, 200, "Antrag eingereicht", "Kassenzeichen", "1.850,50\u00a0€")

	// Pages that are not there, or not the citizen's.
	c.get("/antraege/00000000-0000-0000-0000-000000000000/nachweise").mustContain(t, 404, "Seite nicht gefunden")
	c.get("/postfach/unbekannt").mustContain(t, 404, "Seite nicht gefunden")
	c.get("/leistungen/unbekannt").mustContain(t, 404, "Seite nicht gefunden")
	c.get("/leistungen/unbekannt/antrag").mustContain(t, 404, "Seite nicht gefunden")
	c.get("/gibt/es/nicht").mustContain(t, 404, "Zur Startseite")
	del, _ := http.NewRequest(http.MethodDelete, w.base+"/antraege", nil)
	gone := newWebClient(t, w.base).do(del) // logged out: the Gate's CSRF check does not apply
	gone.mustContain(t, 405, "Aufruf nicht möglich")
	if gone.Header.Get("Allow") == "" {
		t.Error("405 without Allow")
	}
	// With the session cookie, a post without the CSRF token is refused by the Gate, and the
	// citizen sees why, as a page.
	forged, _ := http.NewRequest(http.MethodPost, w.base+base+"/zurueckziehen", nil)
	c.do(forged).mustContain(t, 403, "Formular abgelaufen", "Bitte laden Sie die Seite neu")
	if c.pages < 40 {
		t.Errorf("only %d pages checked", c.pages)
	}
}

// startPayment presses the pay button and returns the provider's pay page it is sent to.
func startPayment(t testing.TB, c *webClient, base string, pay page) string {
	t.Helper()
	noRedirect := *c.client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	action, html := pay.form(t, `/zahlung"`)
	tok := regexp.MustCompile(`name="` + identity.CSRFField + `" value="([^"]+)"`).FindStringSubmatch(html)[1]
	req, _ := http.NewRequest(http.MethodPost, base+action, strings.NewReader(identity.CSRFField+"="+tok))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	payPage := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(payPage, "/xbezahldienste/") {
		t.Fatalf("start payment: %d to %q", resp.StatusCode, payPage)
	}
	return payPage
}
