package identitytest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
)

// AuthenticatorHarness connects an identity.Authenticator under test with the provider it
// logs in at.
type AuthenticatorHarness struct {
	// Authenticator is the implementation under test (an OIDC relying party, a SAML service
	// provider...).
	Authenticator identity.Authenticator
	// Login plays the browser at the provider: given the URL BeginLogin redirected to, it logs
	// persona in (at the level the request asks for, capped at the persona's MaxLevel, as
	// [Provider.SetAutoLogin] does) and returns the callback URL the provider sends the
	// browser back to. The personas are those of [DefaultPersonas].
	Login func(t *testing.T, authURL, persona string) (callbackURL string)
	// LoginForm, when set, is used instead of Login for providers that send the browser back
	// with a form it posts to the callback (SAML's HTTP-POST binding): it plays the browser
	// like Login and returns the callback URL and the form's fields.
	LoginForm func(t *testing.T, authURL, persona string) (callbackURL string, form url.Values)
}

// callback plays the browser at the provider and returns a function that builds the
// callback request the browser then sends (a GET of the callback URL, or a POST of the form),
// as often as a test needs it.
func (h AuthenticatorHarness) callback(t *testing.T, authURL, persona string) func() *http.Request {
	t.Helper()
	if h.LoginForm == nil {
		cb := h.Login(t, authURL, persona)
		return func() *http.Request { return httptest.NewRequest("GET", cb, nil) }
	}
	cb, form := h.LoginForm(t, authURL, persona)
	body := form.Encode()
	return func() *http.Request {
		r := httptest.NewRequest("POST", cb, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
}

// RunAuthenticatorConformance checks the contract of identity.Authenticator: a login
// carries returnTo through, reaches the requested level, yields the persona's stable
// subject, and clears the transaction cookie; a login below the requested level fails with
// identity.ErrLevelTooLow; a callback without a begun login, from another browser, or
// replayed fails with identity.ErrLogin. newHarness is called once per subtest.
func RunAuthenticatorConformance(t *testing.T, newHarness func(t *testing.T) AuthenticatorHarness) {
	t.Run("a login at each level reaches it and carries returnTo through", func(t *testing.T) {
		for _, tt := range []struct {
			persona string
			level   identity.Level
		}{{"lena", identity.LevelBasic}, {"max", identity.LevelSubstantial}, {"erika", identity.LevelHigh}} {
			h := newHarness(t)
			p, ret, err := runLogin(t, h, tt.persona, tt.level, "/antrag/7?step=2")
			if err != nil {
				t.Fatalf("%s at %v: %v", tt.persona, tt.level, err)
			}
			if p.Level != tt.level || ret != "/antrag/7?step=2" || p.Subject == "" {
				t.Errorf("%s at %v: principal %+v, returnTo %q", tt.persona, tt.level, p, ret)
			}
		}
	})
	t.Run("the subject is stable across logins at different levels", func(t *testing.T) {
		h := newHarness(t)
		p1, _, err1 := runLogin(t, h, "erika", identity.LevelBasic, "/")
		p2, _, err2 := runLogin(t, h, "erika", identity.LevelHigh, "/")
		if err1 != nil || err2 != nil || p1.Subject != p2.Subject || p1.Level != identity.LevelBasic || p2.Level != identity.LevelHigh {
			t.Fatalf("basic %+v %v, high %+v %v", p1, err1, p2, err2)
		}
	})
	t.Run("a login below the requested level is refused", func(t *testing.T) {
		h := newHarness(t)
		if _, _, err := runLogin(t, h, "lena", identity.LevelSubstantial, "/"); !errors.Is(err, identity.ErrLevelTooLow) {
			t.Fatalf("lena (basic only) asked for substantial: %v, want ErrLevelTooLow", err)
		}
	})
	t.Run("a callback without a begun login is refused", func(t *testing.T) {
		h := newHarness(t)
		rec := httptest.NewRecorder()
		begin := httptest.NewRequest("GET", "/login", nil)
		if err := h.Authenticator.BeginLogin(rec, begin, identity.LevelBasic, "/"); err != nil {
			t.Fatal(err)
		}
		cb := h.callback(t, rec.Header().Get("Location"), "erika")
		// Another browser: it has the callback URL but not the transaction cookie.
		if _, _, err := h.Authenticator.FinishLogin(httptest.NewRecorder(), cb()); !errors.Is(err, identity.ErrLogin) {
			t.Fatalf("callback without the cookie: %v, want ErrLogin", err)
		}
	})
	t.Run("a replayed callback is refused", func(t *testing.T) {
		h := newHarness(t)
		rec := httptest.NewRecorder()
		if err := h.Authenticator.BeginLogin(rec, httptest.NewRequest("GET", "/login", nil), identity.LevelBasic, "/"); err != nil {
			t.Fatal(err)
		}
		cb := h.callback(t, rec.Header().Get("Location"), "erika")
		callback := func() error {
			r := cb()
			for _, c := range rec.Result().Cookies() {
				r.AddCookie(c)
			}
			_, _, err := h.Authenticator.FinishLogin(httptest.NewRecorder(), r)
			return err
		}
		if err := callback(); err != nil {
			t.Fatalf("first callback: %v", err)
		}
		if err := callback(); err == nil || !(errors.Is(err, identity.ErrLogin) || errors.Is(err, identity.ErrInvalidToken)) {
			t.Fatalf("replayed callback: %v, want ErrLogin or ErrInvalidToken", err)
		}
	})
}

// runLogin begins a login, lets the provider answer and finishes it, checking the
// transaction cookie is set and then cleared.
func runLogin(t *testing.T, h AuthenticatorHarness, persona string, level identity.Level, returnTo string) (*identity.Principal, string, error) {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := h.Authenticator.BeginLogin(rec, httptest.NewRequest("GET", "/login", nil), level, returnTo); err != nil {
		t.Fatalf("BeginLogin: %v", err)
	}
	if rec.Code < 300 || rec.Code > 399 || rec.Header().Get("Location") == "" {
		t.Fatalf("BeginLogin answered %d without a redirect", rec.Code)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) == 0 {
		t.Fatal("BeginLogin set no transaction cookie")
	}
	for _, c := range cookies {
		if !c.HttpOnly || c.SameSite == http.SameSiteNoneMode {
			t.Errorf("transaction cookie %s must be HttpOnly and not SameSite=None", c.Name)
		}
	}
	r := h.callback(t, rec.Header().Get("Location"), persona)()
	for _, c := range cookies {
		r.AddCookie(c)
	}
	out := httptest.NewRecorder()
	p, ret, err := h.Authenticator.FinishLogin(out, r)
	cleared := false
	for _, c := range out.Result().Cookies() {
		if c.Name == cookies[0].Name && c.MaxAge < 0 {
			cleared = true
		}
	}
	if !cleared {
		t.Errorf("FinishLogin did not clear the transaction cookie %s", cookies[0].Name)
	}
	return p, ret, err
}
