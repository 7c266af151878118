package portal

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
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

// TestHTMLJourney walks both services through the HTML pages as a browser without script
// would, and checks every page of the UI with formstest.Check (labels, ids, fieldsets, error
// summaries), including the pages with errors.
func TestHTMLJourney(t *testing.T) {
	a := startApp(t)
	if err := a.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, a.base)

	start := c.get("/")
	start.mustContain(t, 200, "Wohngeld beantragen", `href="/leistungen/wohngeld/antrag"`, "application/ld+json")
	if strings.Contains(start.Body, "Abmelden") {
		t.Fatal("start page shows a login before any")
	}
	svc := c.get("/leistungen/wohngeld/antrag") // logs in at the service's level on the way
	svc.mustContain(t, 200, "Antrag starten", "Angemeldet: Erika Mustermann", "Mietvertrag")

	step := c.submit(svc, "Antrag starten", "", "", nil)
	step.mustContain(t, 200, "Angaben zur Person", `value="Erika"`, `value="Mustermann"`, "Schritt 1 von 5")
	id := strings.Split(step.URL.Path, "/")[2]
	base := "/antraege/" + id

	// A wrong answer: the step comes back with the error summary, and nothing is lost.
	bad := c.submit(step, "ozg-form", "_action", "submit", map[string]string{"/anschrift/plz": "123"})
	bad.mustContain(t, 422, "Es gibt ein Problem", `href="#f-anschrift-plz"`, `aria-invalid="true"`, `value="123"`)

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

	c.get(base+"/angaben/unbekannt").mustContain(t, 404, "nicht")

	// Evidence: a text file is refused with a message at its upload form; two PDFs are taken.
	ev := c.get(base + "/nachweise")
	ev.mustContain(t, 200, "Mietvertrag", "Einkommensnachweise")
	refused := c.upload(ev, "mietvertrag", "notiz.pdf", []byte("nur Text, kein PDF"))
	if refused.Status < 400 || !strings.Contains(refused.Body, `href="#datei-mietvertrag"`) {
		t.Fatalf("a text file was not refused at its form: %d\n%s", refused.Status, refused.Body)
	}
	c.upload(ev, "mietvertrag", "mietvertrag.pdf", samplePDF("Mietvertrag")).mustContain(t, 200, "mietvertrag.pdf")
	ev = c.upload(ev, "einkommen", "lohnabrechnung.pdf", samplePDF("Lohn"))
	ev.mustContain(t, 200, "lohnabrechnung.pdf", "mietvertrag.pdf")
	// Delete and upload again.
	ev = c.submit(ev, "Löschen<span class=\"visually-hidden\">: lohnabrechnung.pdf", "", "", nil)
	if strings.Contains(ev.Body, "lohnabrechnung.pdf") {
		t.Fatal("deleted file still listed")
	}
	c.upload(ev, "einkommen", "lohnabrechnung.pdf", samplePDF("Lohn")).mustContain(t, 200, "lohnabrechnung.pdf")

	sum := c.get(base + "/pruefen")
	sum.mustContain(t, 200, "Antrag verbindlich absenden", "Hans", "68,5", "Ehegatte", "mietvertrag.pdf")
	if strings.Contains(sum.Body, "noch nicht vollständig") {
		t.Fatalf("summary says incomplete:\n%s", sum.Body)
	}
	conf := c.submit(sum, "idempotency_key", "", "", nil)
	conf.mustContain(t, 200, "Antrag eingereicht", "Ihr Aktenzeichen")
	ref := referenceRe.FindStringSubmatch(conf.Body)
	if ref == nil {
		t.Fatalf("no Aktenzeichen:\n%s", conf.Body)
	}
	// The same post again (a double click) gets the same receipt.
	again := c.submit(sum, "idempotency_key", "", "", nil)
	again.mustContain(t, 200, ref[1])
	c.get(base).mustContain(t, 200, ref[1])
	c.get("/antraege").mustContain(t, 200, ref[1])

	// The outbox delivers; the receipt lands in the mailbox.
	var box page
	for deadline := time.Now().Add(20 * time.Second); ; {
		box = c.get("/postfach")
		if strings.Contains(box.Body, "Eingangsbestätigung: Wohngeld") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	box.mustContain(t, 200, "Eingangsbestätigung: Wohngeld", "ungelesene")
	link := regexp.MustCompile(`<a href="(/postfach/[^"]+)">Eingangsbestätigung`).FindStringSubmatch(box.Body)
	if link == nil {
		t.Fatalf("no message link:\n%s", box.Body)
	}
	c.get(link[1]).mustContain(t, 200, "Eingangsbestätigung", ref[1])
	c.get("/postfach").mustContain(t, 200, "Keine ungelesenen Nachrichten")

	// The case worker decides; the notice (Bescheid) is the next message.
	subs := a.inbox.Submissions()
	if len(subs) != 1 || subs[0].Reference != ref[1] {
		t.Fatalf("case worker's inbox: %d submissions", len(subs))
	}
	if err := a.caseWorkerIssues(context.Background(), subs[0].ID); err != nil {
		t.Fatal(err)
	}
	box = c.get("/postfach")
	box.mustContain(t, 200, "Bescheid: Wohngeld", "1 ungelesene")
	link = regexp.MustCompile(`<a href="(/postfach/[^"]+)">Bescheid`).FindStringSubmatch(box.Body)
	if link == nil {
		t.Fatalf("no link to the notice:\n%s", box.Body)
	}
	c.get(link[1]).mustContain(t, 200, "Bescheid", "Stand des Antrags ansehen")
	c.get(base).mustContain(t, 200, "beschieden")

	// The parking permit: one page, evidence, and the fee through the pay page.
	park := c.submit(c.get("/leistungen/bewohnerparkausweis/antrag"), "Antrag starten", "", "", nil)
	park.mustContain(t, 200, "Amtliches Kennzeichen")
	pid := strings.Split(park.URL.Path, "/")[2]
	pbase := "/antraege/" + pid
	c.submit(park, "ozg-form", "_action", "submit", map[string]string{"/fahrzeug/kennzeichen": "KI-AB 1234"}).
		mustContain(t, 200, "Zulassungsbescheinigung")
	pev := c.get(pbase + "/nachweise")
	c.upload(pev, "zulassung", "zulassung.pdf", samplePDF("Zulassung")).mustContain(t, 200, "zulassung.pdf")
	early := c.submit(c.get(pbase+"/pruefen"), "idempotency_key", "", "", nil)
	early.mustContain(t, 422, "Bitte bezahlen Sie zuerst die Gebühr")
	pay := c.get(pbase + "/zahlung")
	pay.mustContain(t, 200, "Jetzt 30,60 € bezahlen")

	noRedirect := *c.client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	action, html := pay.form(t, "bezahlen")
	tok := regexp.MustCompile(`name="` + identity.CSRFField + `" value="([^"]+)"`).FindStringSubmatch(html)[1]
	resp, err := noRedirect.PostForm(a.base+action, map[string][]string{identity.CSRFField: {tok}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	payPage := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(payPage, "/xbezahldienste/") {
		t.Fatalf("start payment: %d to %q", resp.StatusCode, payPage)
	}
	back, err := (&paymenttest.Citizen{Client: c.client}).Choose(context.Background(), payPage, paymenttest.ActionPay, "")
	if err != nil {
		t.Fatal(err)
	}
	paid := c.get(back)
	paid.mustContain(t, 200, "Bezahlt", "30,60 €")
	if paid.URL.Path != pbase+"/zahlung" {
		t.Fatalf("payment return landed on %s", paid.URL)
	}
	pconf := c.submit(c.get(pbase+"/pruefen"), "idempotency_key", "", "", nil)
	pconf.mustContain(t, 200, "Antrag eingereicht", "Kassenzeichen")

	// Pages that are not there, or not the citizen's.
	c.get("/antraege/00000000-0000-0000-0000-000000000000/nachweise").mustContain(t, 404, "nicht")
	c.get("/postfach/unbekannt").mustContain(t, 404, "nicht")
	c.get("/leistungen/unbekannt/antrag").mustContain(t, 404, "nicht")
}

// TestHTMLPagesNeedLogin checks that the citizen's pages send a browser to login at the
// service's level, and refuse a post without the CSRF token.
func TestHTMLPagesNeedLogin(t *testing.T) {
	a := startApp(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{
		"/leistungen/wohngeld/antrag": "/auth/login?level=substantial&return=%2Fleistungen%2Fwohngeld%2Fantrag",
		"/postfach":                   "/auth/login?level=basic&return=%2Fpostfach",
		"/antraege/x/pruefen":         "/auth/login?level=basic&return=%2Fantraege%2Fx%2Fpruefen",
	} {
		req, _ := http.NewRequest(http.MethodGet, a.base+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", path, resp.StatusCode, got, want)
		}
	}

	// An API client (no HTML wanted) gets 401, not a login page.
	resp, err := noRedirect.Get(a.base + "/postfach")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /postfach without Accept: text/html: %d, want 401", resp.StatusCode)
	}

	// Lena's login (username and password, basic) is too weak for Wohngeld: the page asks for
	// a step-up login at the service's level.
	if err := a.idp.SetAutoLogin("lena"); err != nil {
		t.Fatal(err)
	}
	lena := newWebClient(t, a.base)
	lena.get("/postfach").mustContain(t, 200, "Mein Postfach")
	lena.client.CheckRedirect = noRedirect.CheckRedirect
	step := lena.get("/leistungen/wohngeld/antrag")
	if step.Status != http.StatusSeeOther {
		t.Errorf("basic login on a substantial service: %d, want 303 to a step-up login", step.Status)
	}

	if err := a.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, a.base)
	c.get("/leistungen/wohngeld/antrag").mustContain(t, 200, "Antrag starten")
	resp, err = c.client.PostForm(a.base+"/leistungen/wohngeld/antrag", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("post without CSRF token: %d, want 403", resp.StatusCode)
	}

	// Logging out (the header's button) ends the session.
	home := c.get("/")
	home.mustContain(t, 200, "Abmelden")
	out := c.submit(home, "Abmelden", "", "", nil)
	if out.Status != http.StatusOK || strings.Contains(c.get("/").Body, "Abmelden") {
		t.Errorf("still logged in after logout: %d", out.Status)
	}
}
