package portal_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// running is a whole portal made by portal.New on loopback, with identitytest as its login and
// paymenttest as its XBezahldienste platform.
type running struct {
	*portal.Portal
	base  string
	idp   *identitytest.Provider
	inbox *delivery.Inbox
	login *ozgtest.BrowserLogin
}

// parkingService is a paid service with evidence at level basic.
func parkingService(t testing.TB) *ozg.Service {
	t.Helper()
	form, err := forms.Load("antrag.json", []byte(`{"type": "object", "required": ["kennzeichen"],
	  "properties": {"kennzeichen": {"type": "string", "minLength": 1, "x-ui": {"label": "Kennzeichen"}},
	                 "flaeche": {"type": "number", "minimum": 0, "maximum": 1000, "x-ui": {"label": "Fläche"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	return &ozg.Service{
		ID: "bewohnerparkausweis", Name: "Bewohnerparkausweis beantragen", Description: "Parken im Bewohnerparkgebiet.",
		LeikaKey: "99058009000000", Topic: ozg.TopicMobilitaetReisen, Level: identity.LevelBasic, Form: form,
		Authority: ozg.Authority{Name: "Stadt Kiel", Region: "010020000000", Contact: ozg.Contact{Email: "parken@kiel.example"},
			Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}},
		Evidence: []evidence.Requirement{{ID: "zulassung", Title: "Zulassungsbescheinigung", Required: true,
			MaxCount: 1, MediaTypes: []string{"application/pdf"}, MaxSize: 5 << 20}},
		Fee:        &ozg.Fee{Amount: 3060, LegalBasis: "GebOSt Nr. 265", DueBeforeSubmission: true},
		LegalBasis: "§ 45 StVO", Delivery: "fachverfahren",
	}
}

// startPortal builds and serves a portal; change adjusts the configuration first.
func startPortal(t testing.TB, change func(*portal.Config)) *running {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &running{base: "http://" + ln.Addr().String(), inbox: delivery.NewInbox()}
	idpMux := http.NewServeMux()
	idpSrv := httptest.NewServer(idpMux)
	t.Cleanup(idpSrv.Close)
	r.idp, err = identitytest.New(idpSrv.URL, &identitytest.Options{Clients: []identitytest.Client{{
		ID: "portal", Secret: "s3cret", RedirectURIs: []string{r.base + "/auth/callback"}, PostLogoutRedirectURIs: []string{r.base + "/"}}}})
	if err != nil {
		t.Fatal(err)
	}
	idpMux.Handle("/", r.idp)
	payMux := http.NewServeMux()
	paySrv := httptest.NewServer(payMux)
	t.Cleanup(paySrv.Close)
	payMux.Handle("/", paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: paySrv.URL + "/", Logger: quiet}))
	pay, err := xbezahldienste.New(xbezahldienste.Config{BaseURL: paySrv.URL + "/", OriginatorID: "ozgkit", EndpointID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := portal.Config{
		BaseURL: r.base, DataDir: t.TempDir(), Logger: quiet, Payments: pay,
		OIDC:       portal.OIDC{Issuer: idpSrv.URL, ClientID: "portal", ClientSecret: "s3cret"},
		Services:   []*ozg.Service{parkingService(t)},
		Deliveries: map[string]ozg.Delivery{"fachverfahren": r.inbox},
		Theme: portal.Theme{Name: "Serviceportal Kiel", ImprintURL: "https://www.kiel.example/impressum",
			PrivacyURL: "https://www.kiel.example/datenschutz", AccessibilityURL: "https://www.kiel.example/barrierefreiheit"},
	}
	if change != nil {
		change(&cfg)
	}
	r.Portal, err = portal.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		r.Close()
	})
	r.login = &ozgtest.BrowserLogin{LoginURL: r.base + "/auth/login?level={level}&return=/api/session", Origin: r.base}
	return r
}

func get(t *testing.T, c *http.Client, url, accept string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, string(b)
}

func TestHealthAndReadiness(t *testing.T) {
	r := startPortal(t, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		if resp, body := get(t, http.DefaultClient, r.base+path, ""); resp.StatusCode != 200 {
			t.Errorf("%s: %s %s", path, resp.Status, body)
		}
	}
}

func TestEveryAnswerCarriesTheSecurityHeadersAndARequestID(t *testing.T) {
	r := startPortal(t, nil)
	for _, path := range []string{"/", "/api/services", "/api/nope", "/healthz", "/catalog.jsonld"} {
		resp, _ := get(t, http.DefaultClient, r.base+path, "")
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get(portal.RequestIDHeader) == "" {
			t.Errorf("%s: headers %v", path, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain http", path)
		}
	}
	if resp, _ := get(t, http.DefaultClient, r.base+"/api/services", ""); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("API answers are cacheable: %q", resp.Header.Get("Cache-Control"))
	}
}

func TestUnknownRoutesAnswerProblemsToAPIClients(t *testing.T) {
	r := startPortal(t, nil)
	resp, body := get(t, http.DefaultClient, r.base+"/api/does-not-exist", "application/json")
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("unknown API route: %s %s %s", resp.Status, resp.Header.Get("Content-Type"), body)
	}
	// every problem document names the request, also those the API's handlers write
	resp, body = get(t, http.DefaultClient, r.base+"/api/services/hundesteuer", "application/json")
	if resp.StatusCode != 404 || !strings.Contains(body, `"instance":"urn:ozgkit:request:`+resp.Header.Get(portal.RequestIDHeader)+`"`) {
		t.Fatalf("problem without the request id: %s %s", resp.Status, body)
	}
	req, _ := http.NewRequest("DELETE", r.base+"/api/services", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Content-Type") != "application/problem+json" || resp.Header.Get("Allow") == "" {
		t.Fatalf("wrong method: %s %s Allow=%q", resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Allow"))
	}
}

// Regression (security finding 3): no request may end in a dropped connection. A panicking
// handler answers 500 with the request id; a 64-byte number answers 422.
func TestAPanicAnswers500WithTheRequestID(t *testing.T) {
	r := startPortal(t, func(c *portal.Config) {
		c.Routes = map[string]http.Handler{"/boom": http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })}
	})
	resp, body := get(t, http.DefaultClient, r.base+"/boom", "application/json")
	var p struct {
		Status   int
		Instance string
	}
	json.Unmarshal([]byte(body), &p)
	if resp.StatusCode != 500 || p.Status != 500 || !strings.HasSuffix(p.Instance, resp.Header.Get(portal.RequestIDHeader)) {
		t.Fatalf("panic: %s %s", resp.Status, body)
	}
	c, err := r.login.Login(t.Context(), "erika", identity.LevelBasic)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", r.base+"/api/services/bewohnerparkausweis/applications", strings.NewReader(`{"data":{"flaeche":1e99999999}}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatalf("the huge number dropped the connection: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 422 || !strings.Contains(string(b), "flaeche") {
		t.Fatalf("huge number: %s %s", resp.Status, b)
	}
}

func TestAServiceNamingAnUnknownDeliveryTargetIsRefusedAtStart(t *testing.T) {
	svc := parkingService(t)
	svc.Delivery = "fachverfahrn" // a typo
	_, err := portal.New(context.Background(), portal.Config{
		BaseURL: "http://127.0.0.1:1", DataDir: t.TempDir(), Services: []*ozg.Service{svc},
		Payments:   paymenttest.NewMemoryProvider(),
		Deliveries: map[string]ozg.Delivery{"fachverfahren": delivery.NewInbox()},
	})
	if err == nil || !strings.Contains(err.Error(), `"fachverfahrn"`) || !strings.Contains(err.Error(), "fachverfahren") {
		t.Fatalf("New = %v, want the unknown target named beside the known ones", err)
	}
	_, err = portal.New(context.Background(), portal.Config{
		BaseURL: "http://127.0.0.1:1", DataDir: t.TempDir(), Services: []*ozg.Service{parkingService(t)},
		Deliveries: map[string]ozg.Delivery{"fachverfahren": delivery.NewInbox()},
	})
	if err == nil || !strings.Contains(err.Error(), "Config.Payments") {
		t.Fatalf("New = %v, want the missing payment provider named", err)
	}
}

func TestTheCatalogueExportsPointAtThePublicServicePages(t *testing.T) {
	r := startPortal(t, nil)
	for _, path := range []string{"/catalog.jsonld", "/sitemap.xml", "/catalog.xzufi.xml"} {
		resp, body := get(t, http.DefaultClient, r.base+path, "")
		if resp.StatusCode != 200 || !strings.Contains(body, r.base+"/leistungen/bewohnerparkausweis") {
			t.Errorf("%s: %s, want a link to the service page:\n%.400s", path, resp.Status, body)
		}
	}
}

// With PostgreSQL (several replicas), the portal keeps uploaded files in the database by
// default, so every replica reads what any replica stored.
func TestAPortalOnPostgreSQLKeepsItsFilesInTheDatabase(t *testing.T) {
	dsn := os.Getenv("OZGKIT_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("OZGKIT_TEST_POSTGRES is not set: no PostgreSQL to test against (.ci/setup.d/postgres.sh sets it)")
	}
	dir := t.TempDir()
	r := startPortal(t, func(c *portal.Config) { c.DSN, c.DataDir = dsn, dir })
	rep := ozgtest.Check(t.Context(), ozgtest.Target{
		BaseURL: r.base + "/api", ServiceID: "bewohnerparkausweis",
		Login: r.login.As("erika"), Other: r.login.As("max"),
		Data: []byte(`{"kennzeichen": "KI-EM 1964"}`),
		Pay: func(ctx context.Context, c *http.Client, redirectURL string) (string, error) {
			return (&paymenttest.Citizen{Client: c}).Choose(ctx, redirectURL, paymenttest.ActionPay, payment.MethodCreditCard)
		},
	})
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("files were written to the data directory (%v); with PostgreSQL they belong in the database", err)
	}
	if _, ok := r.Blobs().(*sqlstore.BlobStore); !ok {
		t.Fatalf("blob store %T, want the database's", r.Blobs())
	}
}

// A back office's documents (the Antragsübersicht) travel with every delivery to an outside
// target, checked by the receiving end like the evidence: size and SHA-512.
func TestDeliveriesCarryTheBackOfficesDocuments(t *testing.T) {
	type file struct {
		name, requirement string
		content           []byte
	}
	got := make(chan []file, 4)
	secret := []byte("webhook-secret-of-at-least-32-bytes!")
	back := httptest.NewServer(delivery.NewReceiver(secret, func(ctx context.Context, s *ozg.Submission, files *delivery.ReceivedFiles) (string, error) {
		var fs []file
		for {
			a, r, err := files.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return "", err
			}
			b, err := io.ReadAll(r) // fails on a size or SHA-512 that does not match
			if err != nil {
				return "", err
			}
			fs = append(fs, file{a.FileName, a.RequirementID, b})
		}
		got <- fs
		return "fv-" + s.Reference, nil
	}, nil))
	t.Cleanup(back.Close)
	hook, err := delivery.NewWebhook(back.URL, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := startPortal(t, func(c *portal.Config) {
		c.Deliveries = map[string]ozg.Delivery{"fachverfahren": hook}
		c.OutboxPollInterval = 50 * time.Millisecond
		c.BackOffice = func(ctx context.Context, p *portal.Portal) (portal.BackOffice, error) {
			return portal.BackOffice{DeliveryAttachments: func(svc *ozg.Service, s *ozg.Submission) ([]mailbox.NewAttachment, error) {
				return []mailbox.NewAttachment{{Name: "Antragsuebersicht.pdf", MediaType: "application/pdf",
					Content: strings.NewReader("%PDF-1.4 Antragsübersicht " + s.Reference + "\n%%EOF\n")}}, nil
			}}, nil
		}
	})
	rep := ozgtest.Check(t.Context(), ozgtest.Target{
		BaseURL: r.base + "/api", ServiceID: "bewohnerparkausweis",
		Login: r.login.As("erika"), Other: r.login.As("max"),
		Data: []byte(`{"kennzeichen": "KI-EM 1964"}`),
		Pay: func(ctx context.Context, c *http.Client, redirectURL string) (string, error) {
			return (&paymenttest.Citizen{Client: c}).Choose(ctx, redirectURL, paymenttest.ActionPay, payment.MethodCreditCard)
		},
	})
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case fs := <-got:
		if len(fs) != 2 || fs[0].requirement != "zulassung" || fs[1].name != "Antragsuebersicht.pdf" ||
			fs[1].requirement != "antragsuebersicht" || !strings.Contains(string(fs[1].content), "Antragsübersicht") {
			t.Fatalf("the back office received %+v", fs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("nothing was delivered")
	}
}

func TestARedaktionTheXZuFiExportCannotCarryIsRefusedAtStart(t *testing.T) {
	_, err := portal.New(context.Background(), portal.Config{
		BaseURL: "http://127.0.0.1:1", DataDir: t.TempDir(), Services: []*ozg.Service{parkingService(t)},
		Payments: paymenttest.NewMemoryProvider(), Redaktion: "Stadt Kiel (Amt 12)",
		Deliveries: map[string]ozg.Delivery{"fachverfahren": delivery.NewInbox()},
	})
	if err == nil || !strings.Contains(err.Error(), "Config.Redaktion") {
		t.Fatalf("New = %v, want the Redaktion refused", err)
	}
}
