package saml_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/saml"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

// samlPortal is a small portal: a Gate with the SAML service provider in front of services
// that require basic, substantial and high, against the local BundID-like SAML IdP.
type samlPortal struct {
	idp *samltest.Provider
	app *httptest.Server
}

func newSAMLPortal(t *testing.T) *samlPortal {
	t.Helper()
	ks := testKeys(t)
	idp, idpSrv := samltest.NewServer(&samltest.Options{Key: ks.idp, Certificate: ks.idpCert})
	t.Cleanup(idpSrv.Close)
	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	ring, err := identity.NewKeyring(identity.Key{ID: "2026-11", Secret: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := saml.New(saml.Config{
		EntityID: app.URL + "/saml/metadata", ACSURL: app.URL + "/auth/callback", IdPMetadata: idp.Metadata(),
		Key: ks.sp, Certificate: ks.spCert,
	}, &saml.Options{Keys: ring})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := identity.NewSessions(ring, &identity.SessionOptions{Insecure: true}) // httptest is http
	if err != nil {
		t.Fatal(err)
	}
	gate := identity.NewGate(sessions, sp, nil, nil)
	mux.Handle("/saml/metadata", sp.MetadataHandler())
	// The login route sees the session's principal, so a step-up forces authentication.
	mux.Handle("/auth/login", gate.Authenticate(gate.LoginHandler()))
	mux.Handle("/auth/callback", sp.ACS(gate.CallbackHandler()))
	for path, level := range map[string]identity.Level{"/antrag": identity.LevelBasic, "/wohngeld": identity.LevelSubstantial, "/bescheid": identity.LevelHigh} {
		mux.Handle(path, gate.Authenticate(gate.RequireLevel(level)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := identity.PrincipalFrom(r.Context())
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(p)
		}))))
	}
	resp, err := http.Get(app.URL + "/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := idp.AddServiceProvider(md); err != nil {
		t.Fatal(err)
	}
	return &samlPortal{idp: idp, app: app}
}

// open navigates the browser to path and plays the pages that post forms on load: the
// identity provider's answer is posted cross-site, so without the portal's SameSite=Lax
// cookies (a second client without the jar), and the portal's re-post with them.
func (p *samlPortal) open(t *testing.T, b *http.Client, path string) (int, *identity.Principal) {
	t.Helper()
	req, _ := http.NewRequest("GET", p.app.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			var pr identity.Principal
			if resp.StatusCode == http.StatusOK {
				if err := json.Unmarshal(body, &pr); err != nil {
					t.Fatal(err)
				}
				return resp.StatusCode, &pr
			}
			return resp.StatusCode, nil
		}
		form, err := samltest.ParseForm(bytes.NewReader(body), resp.Request.URL, "SAMLResponse")
		if err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		client := b
		if !strings.HasPrefix(resp.Request.URL.String(), p.app.URL) {
			client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		}
		if resp, err = form.Submit(client); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("the browser went round in circles")
	return 0, nil
}

func TestTheGateLogsInWithSAMLAtEachLevel(t *testing.T) {
	p := newSAMLPortal(t)
	for _, tt := range []struct {
		persona, path string
		level         identity.Level
	}{{"lena", "/antrag", identity.LevelBasic}, {"max", "/wohngeld", identity.LevelSubstantial}, {"erika", "/bescheid", identity.LevelHigh}} {
		t.Run(tt.persona+" opens "+tt.path, func(t *testing.T) {
			if err := p.idp.SetAutoLogin(tt.persona); err != nil {
				t.Fatal(err)
			}
			b := browser(t)
			status, pr := p.open(t, b, tt.path)
			if status != http.StatusOK || pr.Level != tt.level || pr.Subject == "" {
				t.Fatalf("after login: %d %+v", status, pr)
			}
		})
	}
}

func TestTheGateStepsUpWithForceAuthn(t *testing.T) {
	p := newSAMLPortal(t)
	if err := p.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	b := browser(t)
	status, pr := p.open(t, b, "/antrag")
	if status != http.StatusOK || pr.Level != identity.LevelBasic || p.idp.LastRequest().ForceAuthn {
		t.Fatalf("basic login: %d %+v, ForceAuthn %v", status, pr, p.idp.LastRequest().ForceAuthn)
	}
	status, pr = p.open(t, b, "/bescheid")
	last := p.idp.LastRequest()
	if status != http.StatusOK || pr.Level != identity.LevelHigh || pr.Subject != "bPK2-ERIKA-7f3a9c" {
		t.Fatalf("step-up: %d %+v", status, pr)
	}
	if !last.ForceAuthn || len(last.ClassRefs) != 1 || last.ClassRefs[0] != "STORK-QAA-Level-4" {
		t.Fatalf("the step-up request: %+v", last)
	}
}
