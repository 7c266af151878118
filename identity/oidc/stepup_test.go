package oidc_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/oidc"
)

func TestAStepUpAsksForANewAuthentication(t *testing.T) {
	_, srv := identitytest.NewServer(nil)
	defer srv.Close()
	rp, err := oidc.New(context.Background(), oidc.Config{Issuer: srv.URL, ClientID: "portal", RedirectURL: "https://portal.example/cb"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		current *identity.Principal
		level   identity.Level
		force   bool
	}{
		{"a first login asks with acr_values only", nil, identity.LevelHigh, false},
		{"a login at basic stepping up to high forces a new authentication", &identity.Principal{Subject: "s", Level: identity.LevelBasic}, identity.LevelHigh, true},
		{"a login at high asking for substantial does not force one", &identity.Principal{Subject: "s", Level: identity.LevelHigh}, identity.LevelSubstantial, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/auth/login", nil)
			if tt.current != nil {
				r = r.WithContext(identity.WithPrincipal(r.Context(), tt.current))
			}
			rec := httptest.NewRecorder()
			if err := rp.BeginLogin(rec, r, tt.level, "/"); err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(rec.Header().Get("Location"))
			q := u.Query()
			acr, _ := identity.DefaultACRMapping().ACR(tt.level)
			if q.Get("acr_values") != acr {
				t.Errorf("acr_values = %q, want %q", q.Get("acr_values"), acr)
			}
			if forced := q.Get("prompt") == "login" && q.Get("max_age") == "0"; forced != tt.force {
				t.Errorf("prompt %q max_age %q, forced = %v, want %v", q.Get("prompt"), q.Get("max_age"), forced, tt.force)
			}
		})
	}
}

// TestAProviderThatIgnoresTheStepUpIsRefusedAsTooLow runs the relying party against a
// provider that drops prompt and max_age, as a provider would that answers from its session
// whatever it is asked: the login at the session's lower level is refused.
func TestAProviderThatIgnoresTheStepUpIsRefusedAsTooLow(t *testing.T) {
	var provider *identitytest.Provider
	var err error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/authorize") {
			q := r.URL.Query()
			q.Del("prompt")
			q.Del("max_age")
			r.URL.RawQuery = q.Encode()
		}
		provider.ServeHTTP(w, r)
	}))
	defer srv.Close()
	if provider, err = identitytest.New(srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	h := newHarnessAt(t, provider)
	if res, code := h.login(t, "erika", identity.LevelBasic); code != http.StatusOK {
		t.Fatalf("basic login: %d %s", code, res.Error)
	}
	res, code := h.login(t, "erika", identity.LevelHigh)
	if code != http.StatusForbidden || !strings.Contains(res.Error, "trust level too low") {
		t.Fatalf("step-up against a provider ignoring prompt=login: %d %+v %s", code, res.Principal, res.Error)
	}
}

func TestAProviderWithoutACRIsUsableOnlyWithLevelWithoutACR(t *testing.T) {
	idp, srv := identitytest.NewServer(nil)
	defer srv.Close()
	now := time.Now()
	tok, err := idp.Sign(map[string]any{"iss": idp.Issuer(), "sub": "u-1", "aud": "portal", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "given_name": "Lena"})
	if err != nil {
		t.Fatal(err)
	}
	claims := identity.StandardClaims()
	tests := []struct {
		name  string
		level identity.Level
		want  identity.Level
	}{
		{"by default a token without acr is refused", identity.LevelNone, identity.LevelNone},
		{"with LevelWithoutACR basic it is a basic login", identity.LevelBasic, identity.LevelBasic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rp, err := oidc.New(context.Background(), oidc.Config{Issuer: idp.Issuer(), ClientID: "portal", RedirectURL: "https://portal.example/cb", Claims: &claims, LevelWithoutACR: tt.level}, nil)
			if err != nil {
				t.Fatal(err)
			}
			p, err := rp.VerifyBearer(context.Background(), tok)
			if tt.want == identity.LevelNone {
				if !errors.Is(err, identity.ErrClaims) || !strings.Contains(err.Error(), "trust level missing") {
					t.Fatalf("got %+v %v, want trust level missing", p, err)
				}
				return
			}
			if err != nil || p.Level != tt.want || p.Subject != "u-1" {
				t.Fatalf("got %+v %v", p, err)
			}
		})
	}
	if _, err := oidc.New(context.Background(), oidc.Config{Issuer: idp.Issuer(), ClientID: "portal", RedirectURL: "https://portal.example/cb", LevelWithoutACR: identity.Level(9)}, nil); err == nil {
		t.Error("an undefined LevelWithoutACR was accepted")
	}
}
