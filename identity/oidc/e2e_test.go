package oidc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/oidc"
)

// harness is a provider, a relying party and a tiny app with /login and /callback.
type harness struct {
	idp    *identitytest.Provider
	idpSrv *httptest.Server
	app    *httptest.Server
	rp     *oidc.RelyingParty
	client *http.Client
}

func newHarness(t *testing.T, cfg func(*oidc.Config), opts *oidc.Options) *harness {
	t.Helper()
	h := &harness{}
	h.idp, h.idpSrv = identitytest.NewServer(nil)
	t.Cleanup(h.idpSrv.Close)
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
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"principal": p, "returnTo": ret})
	})
	jar, _ := cookiejar.New(nil)
	h.client = &http.Client{Jar: jar}
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
	res, _ := h.login(t, "erika", identity.LevelHigh)
	p := res.Principal
	if p.GivenNames != "Erika" || p.FamilyName != "Mustermann" || p.BirthDate != "1964-08-12" ||
		p.Address == nil || p.Address.City != "Köln" || p.MailboxHandle != "postkorb-erika-0001" {
		t.Errorf("citizen facts = %+v", p)
	}
}

func TestStepUpFromBasicToHigh(t *testing.T) {
	h := newHarness(t, nil, nil)
	res, code := h.login(t, "erika", identity.LevelBasic)
	if code != http.StatusOK || res.Principal.Level != identity.LevelBasic || res.Principal.Method != identity.MethodPassword {
		t.Fatalf("basic login: %d %+v %s", code, res.Principal, res.Error)
	}
	res, code = h.login(t, "erika", identity.LevelHigh)
	if code != http.StatusOK || res.Principal.Level != identity.LevelHigh || res.Principal.Method != identity.MethodEID {
		t.Fatalf("step-up: %d %+v %s", code, res.Principal, res.Error)
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

func TestEndSessionURLLeadsBackToThePortal(t *testing.T) {
	h := newHarness(t, nil, nil)
	u := h.rp.EndSessionURL(nil)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u + "&state=xyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Path != "/bye" || loc.Query().Get("state") != "xyz" {
		t.Fatalf("logout answered %d to %q", resp.StatusCode, loc)
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
	first, second := callbackOf("basic"), callbackOf("high")
	for _, tt := range []struct {
		cb   string
		want identity.Level
	}{{second, identity.LevelHigh}, {first, identity.LevelBasic}} {
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
