package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/oidc"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

func TestLint(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		code  int
		want  []string // substrings of stdout and stderr
	}{
		{"valid descriptors pass", []string{"testdata/wohngeld.json", "testdata/parkausweis.json"}, 0,
			[]string{"testdata/wohngeld.json: ok", "testdata/parkausweis.json: ok"}},
		{"every broken field is named", []string{"testdata/bad/fields.json"}, 1, []string{
			"fields.json: id: must be a URL-safe slug", "fields.json: name: is required",
			"fields.json: leikaKey: must be a Leistungsschlüssel", "fields.json: topic: must be one of the 14 OZG Themenfelder",
			"fields.json: authority.region:", "fields.json: authority.contact.email:", "fields.json: authority.address.postalCode:",
			"fields.json: fee.amount:", "fields.json: evidence[0].minCount:"}},
		{"an unknown field is named", []string{"testdata/bad/unknown-field.json"}, 1, []string{"unknown-field.json: leikaSchluessel: unknown field"}},
		{"an unknown trust level is named", []string{"testdata/bad/level.json"}, 1, []string{`level.json: level: identity: unknown trust level: "medium"`}},
		{"a schema that does not compile is named with its place", []string{"testdata/bad/schema.json"}, 1,
			[]string{"schema.json: form: forms: invalid schema", "broken.schema.json:5:24 at /properties/zimmer/type"}},
		{"a missing schema file is named", []string{"testdata/bad/missing-form.json"}, 1, []string{"missing-form.json: form:", "no such file"}},
		{"a missing descriptor is an error", []string{"testdata/nothing.json"}, 1, []string{"testdata/nothing.json: open"}},
		{"one bad file among good ones fails the run", []string{"testdata/wohngeld.json", "testdata/bad/level.json"}, 1,
			[]string{"testdata/wohngeld.json: ok", "level.json: level:"}},
		{"no file is wrong usage", nil, 2, []string{"usage: ozgcheck lint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(t.Context(), append([]string{"lint"}, tt.files...), &out, &errs)
			all := out.String() + errs.String()
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
		})
	}
	// The form problem is said once, not again as "Form: is required".
	var out bytes.Buffer
	run(t.Context(), []string{"lint", "testdata/bad/schema.json"}, &out, io.Discard)
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("%d lines for one problem:\n%s", n, out.String())
	}
}

// example runs the journey the way examples/wohngeld does, on one loopback origin: the local
// identity provider, the OIDC relying party and the Gate with session cookies, the local
// XBezahldienste platform, and the portal with the services of testdata. wrap, when set,
// wraps the portal behind the Gate.
type example struct {
	base string
	idp  *identitytest.Provider
}

func newExample(t *testing.T, wrap func(http.Handler) http.Handler) *example {
	t.Helper()
	ctx := t.Context()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base := srv.URL
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	catalog := ozg.NewCatalog(&ozg.CatalogOptions{Logger: quiet})
	for _, d := range []string{"testdata/wohngeld.json", "testdata/parkausweis.json"} {
		svc, problems, err := loadDescriptor(d)
		if err != nil || len(problems) > 0 {
			t.Fatalf("%s: %v %v", d, problems, err)
		}
		must(catalog.Register(svc))
	}
	ev, err := evidence.New(evidence.NewMemoryStore(), evidence.NewMemoryBlobStore(), evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	must(err)
	mb, err := mailbox.New(mailbox.NewMemoryStore(), mailbox.NewMemoryBlobStore(), &mailbox.Options{Logger: quiet})
	must(err)

	platform := paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: base + "/xbezahldienste/", Logger: quiet})
	mux.Handle("/xbezahldienste/", http.StripPrefix("/xbezahldienste", platform))
	client, err := xbezahldienste.New(xbezahldienste.Config{BaseURL: base + "/xbezahldienste/", OriginatorID: "ozgkit", EndpointID: "test", Logger: quiet})
	must(err)
	pays := payment.NewService(payment.NewMemoryStore(), client, &payment.Options{Logger: quiet})
	apps := ozg.NewApplications(catalog, ozg.NewMemoryStore(), &ozg.ApplicationsOptions{Evidence: ev, Fees: portal.PaymentFees(pays), Logger: quiet})

	secret := "test-secret-" + rand.Text()
	idp, err := identitytest.New(base+"/idp", &identitytest.Options{Clients: []identitytest.Client{{
		ID: "portal", Secret: secret, RedirectURIs: []string{base + "/auth/callback"}, PostLogoutRedirectURIs: []string{base + "/"},
	}}})
	must(err)
	mux.Handle("/idp/", idp)
	key := make([]byte, 32)
	rand.Read(key)
	ring, err := identity.NewKeyring(identity.Key{ID: "k1", Secret: key})
	must(err)
	rp, err := oidc.New(ctx, oidc.Config{Issuer: base + "/idp", ClientID: "portal", ClientSecret: secret,
		RedirectURL: base + "/auth/callback", PostLogoutRedirectURL: base + "/"}, &oidc.Options{Keys: ring, Logger: quiet})
	must(err)
	sessions, err := identity.NewSessions(ring, &identity.SessionOptions{Insecure: true})
	must(err)
	gate := identity.NewGate(sessions, rp, rp, &identity.GateOptions{Logger: quiet})
	mux.Handle("/auth/login", gate.LoginHandler())
	mux.Handle("/auth/callback", gate.CallbackHandler())

	api, err := portal.NewAPI(portal.APIConfig{Catalog: catalog, Applications: apps, Evidence: ev,
		Mailbox: mb, Prefix: "/api", BaseURL: base, Logger: quiet})
	must(err)
	var h http.Handler = api
	if wrap != nil {
		h = wrap(h)
	}
	mux.Handle("/api/", gate.Authenticate(h))
	return &example{base: base, idp: idp}
}

// plainNotFound answers every 404 of the portal as text/plain, as a router's default would.
func plainNotFound(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&notFoundWriter{ResponseWriter: w}, r)
	})
}

type notFoundWriter struct {
	http.ResponseWriter
	dropped bool
}

func (w *notFoundWriter) WriteHeader(status int) {
	if status == http.StatusNotFound {
		w.dropped = true
		w.Header().Del("Content-Type")
		http.Error(w.ResponseWriter, "404 page not found", status)
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *notFoundWriter) Write(b []byte) (int, error) {
	if w.dropped {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		wrap func(http.Handler) http.Handler
		auto string // the identity provider's auto login persona
		args []string
		code int
		want []string
	}{
		{"a service with a trust level and evidence passes every check", nil, "",
			[]string{"-service", "wohngeld", "-data", "testdata/wohngeld.data.json"}, 0,
			[]string{"19 passed, 0 failed, 1 skipped", "skip payment", "Reifegrad (hint, model 1.1, from what was observed): 3 of 4"}},
		{"a sample file of a type the requirement refuses fails the upload", nil, "",
			[]string{"-service", "bewohnerparkausweis", "-data", "testdata/parkausweis.data.json", "-testpay",
				"-evidence", "zulassung=testdata/parkausweis.data.json"}, 1,
			[]string{"FAIL evidence-upload"}},
		{"a service with a fee passes with the test pay page and a PDF", nil, "",
			[]string{"-service", "bewohnerparkausweis", "-data", "testdata/parkausweis.data.json", "-testpay"}, 0,
			[]string{"19 passed, 0 failed, 1 skipped", "skip level-too-low", "pass payment"}},
		{"without samples the journey's end is skipped", nil, "",
			[]string{"-service", "bewohnerparkausweis"}, 0,
			[]string{"skip draft-complete", "skip payment", "skip submit "}},
		{"plain-text 404s fail the checks that expect problem+json", plainNotFound, "",
			[]string{"-service", "wohngeld", "-data", "testdata/wohngeld.data.json"}, 1,
			[]string{"FAIL problem-json", "FAIL owner-get", "FAIL owner-put", "FAIL owner-evidence", "15 passed, 4 failed, 1 skipped"}},
		{"with the provider's auto login there is no second citizen, and an unproven owner rule fails", nil, "erika",
			[]string{"-service", "wohngeld", "-data", "testdata/wohngeld.data.json"}, 1,
			[]string{"skip owner-get", "both logged in as subject", "security checks skipped without a waiver: owner-get"}},
		{"skipped owner checks pass only when waived", nil, "erika",
			[]string{"-service", "wohngeld", "-data", "testdata/wohngeld.data.json", "-waive", "owner-get,owner-put,owner-evidence"}, 0,
			[]string{"skip owner-get"}},
		{"an unknown service fails", nil, "",
			[]string{"-service", "hundesteuer"}, 1, []string{"FAIL catalogue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := newExample(t, tt.wrap)
			if tt.auto != "" {
				if err := ex.idp.SetAutoLogin(tt.auto); err != nil {
					t.Fatal(err)
				}
			}
			var out, errs bytes.Buffer
			code := run(t.Context(), append([]string{"check", "-url", ex.base + "/api"}, tt.args...), &out, &errs)
			all := out.String() + errs.String()
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
		})
	}
}

func TestCheckPrintsJSON(t *testing.T) {
	ex := newExample(t, nil)
	var out bytes.Buffer
	code := run(t.Context(), []string{"check", "-json", "-url", ex.base + "/api", "-service", "wohngeld"}, &out, io.Discard)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	var rep ozgtest.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if res, ok := rep.Result("draft-create"); !ok || res.Status != ozgtest.Passed {
		t.Fatalf("draft-create = %+v", res)
	}
}

func TestCheckUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no url", []string{"-service", "x"}, "-url must be"},
		{"a url that is no http url", []string{"-url", "ftp://x/api", "-service", "x"}, "-url must be"},
		{"no service", []string{"-url", "http://127.0.0.1:1/api"}, "-service is required"},
		{"a login URL without {level}", []string{"-url", "http://127.0.0.1:1/api", "-service", "x", "-login", "http://127.0.0.1:1/auth/login"}, "{level}"},
		{"one persona for both citizens", []string{"-url", "http://127.0.0.1:1/api", "-service", "x", "-other", "erika"}, "differ"},
		{"a bad evidence flag", []string{"-url", "http://127.0.0.1:1/api", "-service", "x", "-evidence", "nofile"}, "REQUIREMENT=FILE"},
		{"sample data that is not JSON", []string{"-url", "http://127.0.0.1:1/api", "-service", "x", "-data", "testdata/bad/notjson.txt"}, "-data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs bytes.Buffer
			if code := run(context.Background(), append([]string{"check"}, tt.args...), io.Discard, &errs); code != 2 {
				t.Fatalf("exit %d, want 2: %s", code, errs.String())
			}
			if !strings.Contains(errs.String(), tt.want) {
				t.Fatalf("stderr lacks %q: %s", tt.want, errs.String())
			}
		})
	}
}
