package portal_test

import (
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"

	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/forms/formstest"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/oidc"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// kiel is the authority of the test services.
var kiel = ozg.Authority{
	Name:    "Landeshauptstadt Kiel, Amt für Wohnen und Grundsicherung",
	Region:  "010020000000",
	Contact: ozg.Contact{Email: "buergerservice@kiel.example", Phone: "+49 431 901-0"},
	Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"},
}

var documents = []string{"application/pdf", "image/jpeg", "image/png"}

// testServices are Wohngeld (steps, a repeatable group, two evidence requirements, level
// substantial) and the residents' parking permit (one page, a fee paid online, level basic).
func testServices(t testing.TB) []*ozg.Service {
	t.Helper()
	load := func(name string) *forms.Form {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := forms.Load(name, b)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	return []*ozg.Service{
		{
			ID: "wohngeld", Name: "Wohngeld beantragen", NameEN: "Apply for housing benefit",
			Description:   "Zuschuss zur Miete (Mietzuschuss) für Haushalte mit geringem Einkommen.",
			DescriptionEN: "A rent subsidy for households with a low income.",
			LeikaKey:      "99107004017000", Topic: ozg.TopicBauenWohnen, Authority: kiel,
			Level: identity.LevelSubstantial, Form: load("wohngeld.schema.json"),
			Evidence: []evidence.Requirement{
				{ID: "mietvertrag", Title: "Mietvertrag", TitleEN: "Tenancy agreement", Required: true, MaxCount: 3,
					MediaTypes: documents, MaxSize: 10 << 20},
				{ID: "einkommen", Title: "Einkommensnachweise der letzten 12 Monate", TitleEN: "Proof of income, last 12 months",
					Required: true, MinCount: 1, MaxCount: 12, MediaTypes: documents, MaxSize: 10 << 20},
			},
			LegalBasis: "§§ 1, 22 Wohngeldgesetz (WoGG)", ProcessingDays: 42, Delivery: "fachverfahren",
		},
		{
			ID: "bewohnerparkausweis", Name: "Bewohnerparkausweis beantragen", NameEN: "Apply for a residents' parking permit",
			Description: "Parkberechtigung für Bewohnerinnen und Bewohner in Bewohnerparkgebieten.",
			LeikaKey:    "99058009000000", Topic: ozg.TopicMobilitaetReisen, Authority: kiel,
			Level: identity.LevelBasic, Form: load("parkausweis.schema.json"),
			Evidence: []evidence.Requirement{
				{ID: "zulassung", Title: "Zulassungsbescheinigung Teil I", TitleEN: "Vehicle registration certificate",
					Required: true, MaxCount: 1, MediaTypes: documents, MaxSize: 5 << 20},
			},
			Fee:        &ozg.Fee{Amount: 185050, LegalBasis: "Gebührenordnung für Maßnahmen im Straßenverkehr (GebOSt), Nr. 265", DueBeforeSubmission: true},
			LegalBasis: "§ 45 Abs. 1b Nr. 2a StVO", ProcessingDays: 7, Delivery: "fachverfahren",
		},
		{
			ID: "sperrmuell", Name: "Sperrmüll anmelden", NameEN: "Book a bulky waste collection",
			Description: "Abholung von Sperrmüll an Ihrer Anschrift.", LeikaKey: "99032004000000",
			Topic: ozg.TopicBauenWohnen, Authority: kiel, Level: identity.LevelBasic, Form: load("sperrmuell.schema.json"),
			LegalBasis: "Abfallwirtschaftssatzung der Landeshauptstadt Kiel, § 12", Delivery: "fachverfahren",
		},
		{
			ID: "wohnberechtigung", Name: "Wohnberechtigungsschein beantragen", NameEN: "Apply for a housing entitlement certificate",
			Description: "Berechtigung für eine öffentlich geförderte Wohnung.", LeikaKey: "99107005000000",
			Topic: ozg.TopicBauenWohnen, Authority: kiel, Level: identity.LevelBasic, Form: load("wohnberechtigung.schema.json"),
			LegalBasis: "§ 5 Wohnungsbindungsgesetz (WoBindG)", Delivery: "fachverfahren",
		},
	}
}

// testTheme is the theme of the test portal.
var testTheme = portal.Theme{
	Name: "Serviceportal Kiel", NameEN: "Kiel service portal",
	ImprintURL: "/impressum", PrivacyURL: "/datenschutz", AccessibilityURL: "https://www.kiel.example/barrierefreiheit",
	FooterNote: "Testportal: alle Daten sind erfunden.",
}

// world is a whole portal on loopback: the local identity provider at /idp (OIDC, through
// identity's Gate), the local XBezahldienste platform at /xbezahldienste, the pages at / and
// an outbox delivering to a local inbox. Everything is kept in memory.
type world struct {
	base    string
	idp     *identitytest.Provider
	apps    *ozg.Applications
	mailbox *mailbox.Mailbox
	inbox   *delivery.Inbox
	// cw is the authority's casework, the mailbox's reply hook and the pages' record of the
	// queries that ask for evidence; cases get into it with cw.Deliver.
	cw    *casework.Casework
	pages *portal.Pages
	// handler is the whole portal as the server serves it.
	handler http.Handler
	store   *ozg.MemoryStore
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{base: "http://" + ln.Addr().String(), inbox: delivery.NewInbox()}
	mux := http.NewServeMux()
	w.handler = mux
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	catalog := ozg.NewCatalog(&ozg.CatalogOptions{Logger: quiet})
	for _, s := range testServices(t) {
		if err := catalog.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	store := ozg.NewMemoryStore()
	w.store = store
	blobs := evidence.NewMemoryBlobStore()
	ev, err := evidence.New(evidence.NewMemoryStore(), blobs, evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	onReply := func(ctx context.Context, q, r mailbox.Message) error { return w.cw.ReceiveReply(ctx, q, r) }
	if w.mailbox, err = mailbox.New(mailbox.NewMemoryStore(), mailbox.NewMemoryBlobStore(), &mailbox.Options{Logger: quiet, OnReply: onReply}); err != nil {
		t.Fatal(err)
	}
	platform := paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: w.base + "/xbezahldienste/", Logger: quiet})
	mux.Handle("/xbezahldienste/", http.StripPrefix("/xbezahldienste", platform))
	client, err := xbezahldienste.New(xbezahldienste.Config{BaseURL: w.base + "/xbezahldienste/", OriginatorID: "ozgkit", EndpointID: "test", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	pays := payment.NewService(payment.NewMemoryStore(), client, &payment.Options{Logger: quiet})
	w.apps = ozg.NewApplications(catalog, store, &ozg.ApplicationsOptions{Evidence: ev, Fees: portal.PaymentFees(pays), Logger: quiet})
	w.cw, err = casework.New(casework.NewMemoryStore(), casework.Journey{Catalog: catalog, Applications: w.apps, Store: store, Files: blobs}, w.mailbox,
		&casework.Options{Authority: kiel.Name, Roles: map[string][]string{"kiel": {"wohngeld", "bewohnerparkausweis"}}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}

	secret := "test-secret-" + rand.Text()
	w.idp, err = identitytest.New(w.base+"/idp", &identitytest.Options{Clients: []identitytest.Client{{
		ID: "portal", Secret: secret, RedirectURIs: []string{w.base + "/auth/callback"}, PostLogoutRedirectURIs: []string{w.base + "/"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/idp/", w.idp)
	ring, err := identity.NewKeyring(identity.Key{ID: "k1", Secret: []byte(rand.Text() + rand.Text())[:32]})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := oidc.New(ctx, oidc.Config{Issuer: w.base + "/idp", ClientID: "portal", ClientSecret: secret,
		RedirectURL: w.base + "/auth/callback", PostLogoutRedirectURL: w.base + "/"}, &oidc.Options{Keys: ring, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := identity.NewSessions(ring, &identity.SessionOptions{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	gate := identity.NewGate(sessions, rp, rp, &identity.GateOptions{Logger: quiet})
	w.pages, err = portal.NewPages(portal.PagesConfig{Catalog: catalog, Applications: w.apps, Mailbox: w.mailbox, EvidenceRequests: w.cw,
		Gate: gate, BaseURL: w.base, Theme: testTheme, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/auth/login", w.pages.BrowserErrors(gate.LoginHandler()))
	mux.Handle("/auth/callback", w.pages.BrowserErrors(gate.CallbackHandler()))
	mux.Handle("/auth/logout", gate.LogoutHandler())
	mux.Handle("/", portal.SecurityHeaders(w.pages.Handler()))

	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"fachverfahren": w.inbox}, blobs, &ozg.OutboxOptions{
		PollInterval: 50 * time.Millisecond, Logger: quiet, OnDelivered: portal.OnDelivered(catalog, w.mailbox)})
	go outbox.Run(ctx)
	return w
}

// webClient is a browser without script: cookies, redirects followed, and every HTML page of
// the portal it gets checked with formstest.Check.
type webClient struct {
	t      testing.TB
	base   string
	client *http.Client
	lang   string // the Accept-Language it sends
	pages  int    // pages checked
}

func newWebClient(t testing.TB, base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// page is one answer: status, final URL, body.
type page struct {
	Status int
	URL    *url.URL
	Header http.Header
	Body   string
}

func (c *webClient) do(req *http.Request) page {
	c.t.Helper()
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	p := page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(b)}
	if p.Status/100 != 3 && strings.HasPrefix(p.URL.String(), c.base) && !strings.HasPrefix(p.URL.Path, "/idp/") &&
		!strings.HasPrefix(p.URL.Path, "/xbezahldienste/") {
		c.pages++
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			c.t.Errorf("%s %s: %d answered %s, not an HTML page:\n%s", req.Method, p.URL.Path, p.Status, resp.Header.Get("Content-Type"), b)
		}
		if err := formstest.Check(strings.NewReader(p.Body)); err != nil {
			c.t.Errorf("accessibility of %s:\n%v", p.URL.Path, err)
		}
		if !regexp.MustCompile(`<html lang="(de|en)">`).MatchString(p.Body) || !strings.Contains(p.Body, "<h1") {
			c.t.Errorf("%s: no lang or no h1", p.URL.Path)
		}
		if regexp.MustCompile(`(?i)bPK2-|[?&]_csrf=|style="|<script(?: [^>]*)?>[^<]`).MatchString(strings.ReplaceAll(p.Body, `<script type="application/ld+json">`, "")) {
			c.t.Errorf("%s shows a pseudonym, a CSRF token in a URL, inline style or script:\n%s", p.URL.Path, p.Body)
		}
		if regexp.MustCompile(`>[^<]*\b(application|image|text)/[a-z.+-]+`).MatchString(p.Body) {
			c.t.Errorf("%s shows a MIME type to the citizen:\n%s", p.URL.Path, p.Body)
		}
	}
	return p
}

func (c *webClient) get(path string) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.abs(path), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *webClient) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return c.base + path
}

func (c *webClient) post(path string, values url.Values) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.abs(path), strings.NewReader(values.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	return c.do(req)
}

var formRe = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>.*?</form>`)

// form returns the action and the HTML of the first form on p whose HTML contains marker.
func (p page) form(t testing.TB, marker string) (action string, html string) {
	t.Helper()
	for _, m := range formRe.FindAllStringSubmatch(p.Body, -1) {
		if strings.Contains(m[0], marker) {
			return strings.ReplaceAll(m[1], "&amp;", "&"), m[0]
		}
	}
	t.Fatalf("%s: no form with %q:\n%s", p.URL.Path, marker, p.Body)
	return "", ""
}

// submit presses the button name=value of the form containing marker, after setting set.
func (c *webClient) submit(p page, marker, button, value string, set map[string]string) page {
	c.t.Helper()
	action, html := p.form(c.t, marker)
	vals, err := formstest.Submit(strings.NewReader(html), button, value)
	if err != nil {
		c.t.Fatalf("%s: %v", p.URL.Path, err)
	}
	for k, v := range set {
		vals.Set(k, v)
	}
	return c.post(action, vals)
}

// upload posts a file to the upload form of requirement req on p, its fields in the form's
// order (the CSRF token first, then the requirement, then the file), as a browser does.
func (c *webClient) upload(p page, req, name string, content []byte) page {
	c.t.Helper()
	action, html := p.form(c.t, `name="requirement" value="`+req+`"`)
	if strings.Contains(action, "_csrf") {
		c.t.Fatalf("the upload form's action carries the CSRF token: %s", action)
	}
	vals, err := formstest.Submit(strings.NewReader(html), "", "")
	if err != nil {
		c.t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField(identity.CSRFField, vals.Get(identity.CSRFField))
	mw.WriteField("requirement", vals.Get("requirement"))
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	hr, err := http.NewRequest(http.MethodPost, c.abs(action), &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	hr.Header.Set("Content-Type", mw.FormDataContentType())
	hr.Header.Set("Origin", c.base)
	return c.do(hr)
}

func (p page) mustContain(t testing.TB, status int, texts ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d:\n%s", p.URL, p.Status, status, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("%s lacks %q:\n%s", p.URL, s, p.Body)
		}
	}
}

// samplePDF is evidencetest.SamplePDF: a small valid PDF showing title.
var samplePDF = evidencetest.SamplePDF

// formValues is what a browser sends when button name=value of the form in html is pressed.
func formValues(t testing.TB, html, name, value string) url.Values {
	t.Helper()
	vals, err := formstest.Submit(strings.NewReader(html), name, value)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}
