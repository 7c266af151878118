package identity

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTheLogoutHintIsKeptInTheSessionButNeverInJSON(t *testing.T) {
	s, _ := newTestSessions(t)
	hint := "eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("x", 1500) + ".sig"
	p := *erika
	p.LogoutHint = hint
	tests := []struct {
		name     string
		hint     string
		wantKept bool
	}{
		{"a hint of an ordinary ID token's size is kept", hint, true},
		{"a hint longer than MaxLogoutHint is left out", strings.Repeat("h", MaxLogoutHint+1), false},
		{"a hint that would make the cookie too large is left out, the login stays", strings.Repeat("h", MaxLogoutHint), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := *erika
			p.LogoutHint = tt.hint
			rec := httptest.NewRecorder()
			if _, err := s.Start(rec, httptest.NewRequest("GET", "/", nil), &p); err != nil {
				t.Fatalf("start: %v", err)
			}
			c := rec.Result().Cookies()[0]
			if len(c.Value) > maxCookie {
				t.Fatalf("cookie of %d bytes", len(c.Value))
			}
			sess, err := s.Decode(context.Background(), c.Value)
			if err != nil {
				t.Fatal(err)
			}
			if kept := sess.Principal.LogoutHint == tt.hint; kept != tt.wantKept {
				t.Fatalf("hint kept = %v, want %v (got %d bytes)", kept, tt.wantKept, len(sess.Principal.LogoutHint))
			}
		})
	}
	b, _ := json.Marshal(&p)
	if strings.Contains(string(b), "eyJhbGciOiJSUzI1NiJ9") {
		t.Errorf("the principal's JSON shows the hint: %s", b)
	}
}

func TestAPrincipalWithoutLevelClaimGetsTheAssumedLevelOnlyWhenConfigured(t *testing.T) {
	claims := map[string]any{"sub": "u-1", "given_name": "Lena"}
	m := StandardClaims()
	if _, err := m.Principal(claims, "https://idp.example", DefaultACRMapping()); !errors.Is(err, ErrClaims) || !strings.Contains(err.Error(), "trust level missing") {
		t.Fatalf("without AssumedLevel: %v, want trust level missing", err)
	}
	m.AssumedLevel = LevelBasic
	p, err := m.Principal(claims, "https://idp.example", DefaultACRMapping())
	if err != nil || p.Level != LevelBasic {
		t.Fatalf("with AssumedLevel basic: %+v %v", p, err)
	}
	claims["acr"] = "urn:made-up:loa"
	if _, err := m.Principal(claims, "https://idp.example", DefaultACRMapping()); !errors.Is(err, ErrClaims) {
		t.Fatalf("an unmapped acr with AssumedLevel set: %v, want refused", err)
	}
	claims["acr"] = ACRStorkQAA3
	if p, err := m.Principal(claims, "https://idp.example", DefaultACRMapping()); err != nil || p.Level != LevelSubstantial {
		t.Fatalf("a mapped acr with AssumedLevel set: %+v %v, want substantial", p, err)
	}
}

// recordingAuthenticator remembers what BeginLogin saw on its request's context.
type recordingAuthenticator struct {
	seen *Principal
	ok   bool
}

func (a *recordingAuthenticator) BeginLogin(w http.ResponseWriter, r *http.Request, _ Level, _ string) error {
	a.seen, a.ok = PrincipalFrom(r.Context())
	w.WriteHeader(http.StatusFound)
	return nil
}

func (a *recordingAuthenticator) FinishLogin(http.ResponseWriter, *http.Request) (*Principal, string, error) {
	return nil, "", ErrLogin
}

func (a *recordingAuthenticator) EndSessionURL(*Principal) string { return "" }

func TestTheLoginHandlerShowsTheAuthenticatorTheCurrentLogin(t *testing.T) {
	s, _ := newTestSessions(t)
	basic := &Principal{Subject: "bPK2-ERIKA", Issuer: "https://idp.example", Level: LevelBasic}
	tests := []struct {
		name    string
		session *Principal
	}{
		{"a browser logged in at basic passes its principal on", basic},
		{"a browser without a session passes none", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &recordingAuthenticator{}
			g := NewGate(s, a, nil, nil)
			r := httptest.NewRequest("GET", "/auth/login?level=high&return=/bescheid", nil)
			if tt.session != nil {
				withSession(t, s, tt.session, r)
			}
			rec := httptest.NewRecorder()
			g.LoginHandler().ServeHTTP(rec, r)
			if rec.Code != http.StatusFound {
				t.Fatalf("status %d", rec.Code)
			}
			if a.ok != (tt.session != nil) || (a.ok && (a.seen.Subject != tt.session.Subject || a.seen.Level != tt.session.Level)) {
				t.Fatalf("BeginLogin saw %+v (%v), want %+v", a.seen, a.ok, tt.session)
			}
		})
	}
}

func TestLevelsHaveOneGermanNameEach(t *testing.T) {
	want := map[Level]string{LevelNone: "keins", LevelBasic: "Basisregistrierung", LevelLow: "niedrig", LevelSubstantial: "substanziell", LevelHigh: "hoch"}
	seen := map[string]bool{}
	for l, name := range want {
		if got := l.German(); got != name {
			t.Errorf("%v.German() = %q, want %q", l, got, name)
		}
		seen[l.German()] = true
	}
	if len(seen) != len(want) {
		t.Errorf("German names are not distinct: %v", seen)
	}
}
