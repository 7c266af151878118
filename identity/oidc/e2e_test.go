package oidc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/oidc"
)

// harness is a provider, a relying party and a tiny app with /login and /callback.
type harness struct {
	idp    *identitytest.Provider
	app    *httptest.Server
	rp     *oidc.RelyingParty
	client *http.Client

	mu      sync.Mutex
	current *identity.Principal // the app's login, put on /login's context as the Gate does
}

// newBrowser gives the harness a fresh browser: no cookies at the provider or the app.
func (h *harness) newBrowser() {
	jar, _ := cookiejar.New(nil)
	h.client = &http.Client{Jar: jar}
	h.setCurrent(nil)
}

func (h *harness) setCurrent(p *identity.Principal) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.current = p
}

func newHarness(t *testing.T, cfg func(*oidc.Config), opts *oidc.Options) *harness {
	t.Helper()
	idp, srv := identitytest.NewServer(nil)
	t.Cleanup(srv.Close)
	return newHarnessWith(t, idp, cfg, opts)
}

// newHarnessAt is a harness against a provider the test serves itself.
func newHarnessAt(t *testing.T, idp *identitytest.Provider) *harness {
	return newHarnessWith(t, idp, nil, nil)
}

func newHarnessWith(t *testing.T, idp *identitytest.Provider, cfg func(*oidc.Config), opts *oidc.Options) *harness {
	t.Helper()
	h := &harness{idp: idp}
	mux := http.NewServeMux()
	h.app = httptest.NewServer(mux)
	t.Cleanup(h.app.Close)
	h.idp.AddClient(identitytest.Client{
		ID: "portal", Secret: "s3cret", RedirectURIs: []string{h.app.URL + "/callback"},
		PostLogoutRedirectURIs: []string{h.app.URL + "/bye"},
	})
	c := oidc.Config{
		Issuer: h.idp.Issuer(), ClientID: "portal", ClientSecret: "s3cret",
		RedirectURL: h.app.URL + "/callback", PostLogoutRedirectURL: h.app.URL + "/bye",
	}
	if cfg != nil {
		cfg(&c)
	}
	var err error
	if h.rp, err = oidc.New(context.Background(), c, opts); err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		l, err := identity.ParseLevel(r.URL.Query().Get("level"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		cur := h.current
		h.mu.Unlock()
		if cur != nil {
			r = r.WithContext(identity.WithPrincipal(r.Context(), cur))
		}
		if err := h.rp.BeginLogin(w, r, l, "/done"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		p, ret, err := h.rp.FinishLogin(w, r)
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		h.setCurrent(p)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"principal": p, "returnTo": ret})
	})
	h.newBrowser()
	return h
}

type loginResult struct {
	Principal *identity.Principal `json:"principal"`
	ReturnTo  string              `json:"returnTo"`
	Error     string              `json:"error"`
}

func (h *harness) login(t *testing.T, persona string, level identity.Level) (loginResult, int) {
	t.Helper()
	if err := h.idp.SetAutoLogin(persona); err != nil {
		t.Fatal(err)
	}
	resp, err := h.client.Get(h.app.URL + "/login?level=" + level.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res loginResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatalf("callback answer: %v", err)
	}
	return res, resp.StatusCode
}

func TestLoginAtEachLevelGivesThePersonasPrincipal(t *testing.T) {
	h := newHarness(t, nil, nil)
	tests := []struct {
		persona string
		level   identity.Level
		subject string
		method  identity.Method
	}{
		{"lena", identity.LevelBasic, "bPK2-LENA-90dd11", identity.MethodPassword},
		{"max", identity.LevelSubstantial, "bPK2-MAX-21be04", identity.MethodELSTER},
		{"erika", identity.LevelHigh, "bPK2-ERIKA-7f3a9c", identity.MethodEID},
	}
	for _, tt := range tests {
		t.Run(tt.persona+" logs in at "+tt.level.String(), func(t *testing.T) {
			h.newBrowser()
			res, code := h.login(t, tt.persona, tt.level)
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, res.Error)
			}
			p := res.Principal
			if p.Subject != tt.subject || p.Level != tt.level || p.Method != tt.method || p.Issuer != h.idp.Issuer() {
				t.Errorf("principal = %+v", p)
			}
			if res.ReturnTo != "/done" {
				t.Errorf("returnTo = %q", res.ReturnTo)
			}
		})
	}
	h.newBrowser()
	res, _ := h.login(t, "erika", identity.LevelHigh)
	p := res.Principal
	if p.GivenNames != "Erika" || p.FamilyName != "Mustermann" || p.BirthDate != "1964-08-12" ||
		p.Address == nil || p.Address.City != "Köln" || p.MailboxHandle != "postkorb-erika-0001" {
		t.Errorf("citizen facts = %+v", p)
	}
}

func TestStepUpFromBasicToHigh(t *testing.T) {
	tests := []struct {
		name      string
		current   bool // the app puts the basic login on the context, as the Gate does
		wantLevel identity.Level
	}{
		{"with the current login on the context the provider is made to authenticate anew", true, identity.LevelHigh},
		{"without it the provider answers from its session and the login is refused as too low", false, identity.LevelNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil, nil)
			res, code := h.login(t, "erika", identity.LevelBasic)
			if code != http.StatusOK || res.Principal.Level != identity.LevelBasic || res.Principal.Method != identity.MethodPassword {
				t.Fatalf("basic login: %d %+v %s", code, res.Principal, res.Error)
			}
			if !tt.current {
				h.setCurrent(nil)
			}
			res, code = h.login(t, "erika", identity.LevelHigh)
			if tt.wantLevel == identity.LevelNone {
				if code != http.StatusForbidden || !strings.Contains(res.Error, "trust level too low") {
					t.Fatalf("step-up without the current login: %d %+v %s", code, res.Principal, res.Error)
				}
				return
			}
			if code != http.StatusOK || res.Principal.Level != tt.wantLevel || res.Principal.Method != identity.MethodEID {
				t.Fatalf("step-up: %d %+v %s", code, res.Principal, res.Error)
			}
		})
	}
}

func TestALoginBelowTheRequestedLevelIsRefused(t *testing.T) {
	h := newHarness(t, nil, nil)
	// max has no eID card: the provider logs him in at substantial although high was asked.
	res, code := h.login(t, "max", identity.LevelHigh)
	if code != http.StatusForbidden || res.Principal != nil {
		t.Fatalf("status %d, principal %+v", code, res.Principal)
	}
	if res.Error == "" || !strings.Contains(res.Error, "trust level too low") {
		t.Errorf("error = %q", res.Error)
	}
}

func TestUserinfoIsMergedWhenConfigured(t *testing.T) {
	h := newHarness(t, func(c *oidc.Config) { c.UseUserinfo = true }, nil)
	res, code := h.login(t, "max", identity.LevelSubstantial)
	if code != http.StatusOK || res.Principal.FamilyName != "Mustermann" {
		t.Fatalf("%d %+v %s", code, res.Principal, res.Error)
	}
}

func TestLogoutSendsTheIDTokenAsHintAndEndsTheProviderSession(t *testing.T) {
	h := newHarness(t, nil, nil)
	if res, code := h.login(t, "erika", identity.LevelHigh); code != http.StatusOK {
		t.Fatalf("login: %d %s", code, res.Error)
	}
	h.mu.Lock()
	p := h.current
	h.mu.Unlock()
	if strings.Count(p.LogoutHint, ".") != 2 {
		t.Fatalf("the principal keeps no ID token for logout: %q", p.LogoutHint)
	}
	u, _ := url.Parse(h.rp.EndSessionURL(p))
	if u.Query().Get("id_token_hint") != p.LogoutHint || u.Query().Get("client_id") != "portal" {
		t.Fatalf("end-session URL %s lacks id_token_hint or client_id", u)
	}
	noFollow := &http.Client{Jar: h.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u.String() + "&state=xyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Path != "/bye" || loc.Query().Get("state") != "xyz" {
		t.Fatalf("logout answered %d to %q", resp.StatusCode, loc)
	}
	// The provider session has ended: a silent login (prompt=none) finds none.
	authURL, _ := url.Parse(h.rp.AuthCodeURL("state-0123456789abcdef", "nonce", strings.Repeat("v", 43), identity.LevelBasic))
	q := authURL.Query()
	q.Set("prompt", "none")
	authURL.RawQuery = q.Encode()
	resp, err = noFollow.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc == nil || loc.Query().Get("error") != "login_required" {
		t.Fatalf("prompt=none after logout answered %d to %q, want error=login_required", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestLogoutWithoutAnIDTokenMakesTheProviderAskTheCitizen(t *testing.T) {
	h := newHarness(t, nil, nil)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range []*identity.Principal{nil, {Subject: "s", Level: identity.LevelBasic, Issuer: h.idp.Issuer()}} {
		u := h.rp.EndSessionURL(p)
		if strings.Contains(u, "id_token_hint") {
			t.Fatalf("end-session URL %s has a hint without an ID token", u)
		}
		resp, err := noFollow.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
			t.Fatalf("logout without hint answered %d to %q, want the confirmation page", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func TestACallbackWithoutThePromisedIssIsRefused(t *testing.T) {
	h := newHarness(t, nil, nil)
	if !h.rp.Metadata().ISSParameterSupported {
		t.Fatal("identitytest does not publish authorization_response_iss_parameter_supported")
	}
	_ = h.idp.SetAutoLogin("erika")
	noFollow := &http.Client{Jar: h.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range []struct {
		name, iss, want string
	}{
		{"a callback without iss is refused", "", "without iss"},
		{"a callback from another issuer is refused", "https://other-idp.example", "from issuer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := noFollow.Get(h.app.URL + "/login?level=high")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			resp, err = noFollow.Get(resp.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			cb, _ := url.Parse(resp.Header.Get("Location"))
			q := cb.Query()
			if q.Get("iss") != h.idp.Issuer() {
				t.Fatalf("the provider's response lacks iss: %s", cb)
			}
			if tt.iss == "" {
				q.Del("iss")
			} else {
				q.Set("iss", tt.iss)
			}
			cb.RawQuery = q.Encode()
			resp, err = noFollow.Get(cb.String())
			if err != nil {
				t.Fatal(err)
			}
			var res loginResult
			_ = json.NewDecoder(resp.Body).Decode(&res)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(res.Error, tt.want) {
				t.Fatalf("answered %d %q", resp.StatusCode, res.Error)
			}
		})
	}
}

func TestStateMismatchIsRefused(t *testing.T) {
	h := newHarness(t, nil, nil)
	_ = h.idp.SetAutoLogin("erika")
	noFollow := &http.Client{Jar: h.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(h.app.URL + "/login?level=high")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = noFollow.Get(resp.Header.Get("Location")) // the provider answers with a code
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cb, _ := url.Parse(resp.Header.Get("Location"))
	q := cb.Query()
	q.Set("state", "forged-state")
	cb.RawQuery = q.Encode()
	resp, err = noFollow.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	var res loginResult
	_ = json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(res.Error, "state") {
		t.Fatalf("forged state answered %d %q", resp.StatusCode, res.Error)
	}
}

func TestTwoLoginsBegunInTwoTabsBothFinish(t *testing.T) {
	h := newHarness(t, nil, nil)
	_ = h.idp.SetAutoLogin("erika")
	noFollow := &http.Client{Jar: h.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	callbackOf := func(level string) string {
		resp, err := noFollow.Get(h.app.URL + "/login?level=" + level)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		resp, err = noFollow.Get(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("Location")
	}
	// The second tab is answered from the provider session the first began, at high.
	first, second := callbackOf("high"), callbackOf("basic")
	for _, tt := range []struct {
		cb   string
		want identity.Level
	}{{second, identity.LevelHigh}, {first, identity.LevelHigh}} {
		resp, err := noFollow.Get(tt.cb)
		if err != nil {
			t.Fatal(err)
		}
		var res loginResult
		_ = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if resp.StatusCode != 200 || res.Principal.Level != tt.want {
			t.Fatalf("callback %d: %+v %s", resp.StatusCode, res.Principal, res.Error)
		}
	}
}
