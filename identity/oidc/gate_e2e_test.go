package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/oidc"
)

// portal is a small portal: a Gate with the relying party in front of three services that
// require basic, substantial and high, all against the local BundID-like provider.
type portal struct {
	idp *identitytest.Provider
	app *httptest.Server
}

func newPortal(t *testing.T) *portal {
	t.Helper()
	idp, idpSrv := identitytest.NewServer(nil)
	t.Cleanup(idpSrv.Close)
	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	idp.AddClient(identitytest.Client{ID: "portal", Secret: "s3cret", RedirectURIs: []string{app.URL + "/auth/callback"}, PostLogoutRedirectURIs: []string{app.URL + "/bye"}})

	ring, err := identity.NewKeyring(identity.Key{ID: "2026-11", Secret: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := oidc.New(context.Background(), oidc.Config{
		Issuer: idp.Issuer(), ClientID: "portal", ClientSecret: "s3cret",
		RedirectURL: app.URL + "/auth/callback", PostLogoutRedirectURL: app.URL + "/bye",
	}, &oidc.Options{Keys: ring})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := identity.NewSessions(ring, &identity.SessionOptions{Insecure: true}) // httptest is http
	if err != nil {
		t.Fatal(err)
	}
	gate := identity.NewGate(sessions, rp, rp, nil)
	mux.Handle("/auth/login", gate.LoginHandler())
	mux.Handle("/auth/callback", gate.CallbackHandler())
	mux.Handle("/auth/logout", gate.LogoutHandler())
	mux.HandleFunc("/bye", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"bye":true}`)) })
	for path, level := range map[string]identity.Level{"/antrag": identity.LevelBasic, "/wohngeld": identity.LevelSubstantial, "/bescheid": identity.LevelHigh} {
		mux.Handle(path, gate.Authenticate(gate.RequireLevel(level)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := identity.PrincipalFrom(r.Context())
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"service": path, "principal": p})
		}))))
	}
	return &portal{idp: idp, app: app}
}

type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, client: &http.Client{Jar: jar}}
}

type page struct {
	status    int
	service   string
	principal *identity.Principal
	doc       map[string]any
}

func (b *browser) do(method, url string, html bool, hdr map[string]string) page {
	b.t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if html {
		req.Header.Set("Accept", "text/html")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Service   string              `json:"service"`
		Principal *identity.Principal `json:"principal"`
	}
	var doc map[string]any
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	_ = json.Unmarshal(raw, &out)
	_ = json.Unmarshal(raw, &doc)
	return page{status: resp.StatusCode, service: out.Service, principal: out.Principal, doc: doc}
}

func TestPortalLoginAtEachLevel(t *testing.T) {
	p := newPortal(t)
	for _, tt := range []struct {
		persona, path string
		level         identity.Level
	}{
		{"lena", "/antrag", identity.LevelBasic},
		{"max", "/wohngeld", identity.LevelSubstantial},
		{"erika", "/bescheid", identity.LevelHigh},
	} {
		t.Run(tt.persona+" opens "+tt.path, func(t *testing.T) {
			_ = p.idp.SetAutoLogin(tt.persona)
			b := newBrowser(t)
			got := b.do("GET", p.app.URL+tt.path, true, nil)
			if got.status != 200 || got.service != tt.path || got.principal.Level != tt.level {
				t.Fatalf("after login: %d %s %+v", got.status, got.service, got.principal)
			}
			// The same browser now calls the service as an API client with its cookie.
			if got := b.do("GET", p.app.URL+tt.path, false, nil); got.status != 200 {
				t.Fatalf("second request: %d", got.status)
			}
		})
	}
}

func TestPortalStepUpFromBasicToHighAndLogout(t *testing.T) {
	p := newPortal(t)
	_ = p.idp.SetAutoLogin("erika")
	b := newBrowser(t)
	got := b.do("GET", p.app.URL+"/antrag", true, nil)
	if got.status != 200 || got.principal.Level != identity.LevelBasic {
		t.Fatalf("basic login: %d %+v", got.status, got.principal)
	}
	api := b.do("GET", p.app.URL+"/bescheid", false, nil)
	if api.status != 403 || api.doc["requiredLevel"] != "high" || api.doc["level"] != "basic" {
		t.Fatalf("API at basic on a high service: %d %v", api.status, api.doc)
	}
	got = b.do("GET", p.app.URL+"/bescheid", true, nil)
	if got.status != 200 || got.principal.Level != identity.LevelHigh || got.principal.Method != identity.MethodEID || got.principal.Subject != "bPK2-ERIKA-7f3a9c" {
		t.Fatalf("step-up: %d %+v", got.status, got.principal)
	}

	if got := b.do("POST", p.app.URL+"/auth/logout", false, map[string]string{"Origin": "https://evil.example"}); got.status != 403 {
		t.Fatalf("logout from a foreign origin answered %d", got.status)
	}
	if got := b.do("POST", p.app.URL+"/auth/logout", false, map[string]string{"Origin": p.app.URL}); got.status != 200 || got.doc["bye"] != true {
		t.Fatalf("logout ended at %d %v", got.status, got.doc)
	}
	if got := b.do("GET", p.app.URL+"/bescheid", false, nil); got.status != 401 || got.doc["requiredLevel"] != "high" {
		t.Fatalf("after logout: %d %v", got.status, got.doc)
	}
	// The logout ended the provider session too (the id_token_hint named it): a new login in
	// the same browser meets the provider's login page instead of its session.
	_ = p.idp.SetAutoLogin("")
	req, _ := http.NewRequest("GET", p.app.URL+"/antrag", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/authorize" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("login after logout ended at %d %s", resp.StatusCode, resp.Request.URL)
	}
}

func TestPortalAPIClientsUseBearerTokens(t *testing.T) {
	p := newPortal(t)
	now := time.Now()
	tok, err := p.idp.Sign(map[string]any{
		"iss": p.idp.Issuer(), "sub": "kc-erika", "aud": "portal", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		"acr": "STORK-QAA-Level-3", identity.ClaimBPK2: "bPK2-ERIKA-7f3a9c",
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	if got := b.do("GET", p.app.URL+"/wohngeld", false, map[string]string{"Authorization": "Bearer " + tok}); got.status != 200 || got.principal.Level != identity.LevelSubstantial {
		t.Fatalf("bearer at substantial: %d %+v", got.status, got.principal)
	}
	if got := b.do("GET", p.app.URL+"/bescheid", false, map[string]string{"Authorization": "Bearer " + tok}); got.status != 403 {
		t.Fatalf("bearer at substantial on high: %d", got.status)
	}
	if got := b.do("GET", p.app.URL+"/wohngeld", false, map[string]string{"Authorization": "Bearer " + tok + "x"}); got.status != 401 {
		t.Fatalf("tampered bearer: %d", got.status)
	}
}
