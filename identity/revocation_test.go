package identity

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// scriptedLogin is an Authenticator whose provider logs in whoever the callback's "as"
// query names, at the level its "level" query names: enough to drive the gate's login,
// step-up and logout over HTTP without a provider.
type scriptedLogin struct{ principals map[string]*Principal }

func (a scriptedLogin) BeginLogin(w http.ResponseWriter, r *http.Request, level Level, returnTo string) error {
	http.Redirect(w, r, "/auth/callback", http.StatusSeeOther)
	return nil
}

func (a scriptedLogin) FinishLogin(w http.ResponseWriter, r *http.Request) (*Principal, string, error) {
	p, ok := a.principals[r.URL.Query().Get("as")]
	if !ok {
		return nil, "", ErrLogin
	}
	cp := *p
	if l, err := ParseLevel(r.URL.Query().Get("level")); err == nil && l != LevelNone {
		cp.Level = l
	}
	return &cp, "/", nil
}

func (scriptedLogin) EndSessionURL(*Principal) string { return "" }

// revocationPortal is a gate with login, callback and logout and one page at level basic
// that answers the subject and level of its principal.
func revocationPortal(t *testing.T, s *Sessions) http.Handler {
	t.Helper()
	g := NewGate(s, scriptedLogin{principals: map[string]*Principal{"erika": erika, "lena": {Subject: "bPK2-LENA", Level: LevelBasic}}}, nil, nil)
	mux := http.NewServeMux()
	mux.Handle("/auth/callback", g.CallbackHandler())
	mux.Handle("/auth/logout", g.LogoutHandler())
	mux.Handle("/antrag", g.Authenticate(g.RequireLevel(LevelBasic)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := PrincipalFrom(r.Context())
		_, _ = w.Write([]byte(p.Subject + " " + p.Level.String()))
	}))))
	return mux
}

// login runs the callback (as the provider's redirect would) with the cookies given and
// returns the new session cookie.
func login(t *testing.T, app http.Handler, as, level string, old *http.Cookie) *http.Cookie {
	t.Helper()
	r := httptest.NewRequest("GET", "http://portal.example/auth/callback?as="+as+"&level="+level, nil)
	if old != nil {
		r.AddCookie(old)
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, r)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("login as %s answered %d: %s", as, rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "ozgkit_session" && c.MaxAge > 0 {
			return c
		}
	}
	t.Fatalf("login as %s set no session cookie", as)
	return nil
}

func page(app http.Handler, c *http.Cookie) (int, string) {
	r := httptest.NewRequest("GET", "http://portal.example/antrag", nil)
	r.AddCookie(c)
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, r)
	return rec.Code, rec.Body.String()
}

func TestAnEndedSessionsCookieIsRefusedWhenReplayed(t *testing.T) {
	tests := []struct {
		name string
		// end ends the session of old and returns the cookie that replaces it, if any.
		end func(t *testing.T, app http.Handler, old *http.Cookie) *http.Cookie
		// replacementSees is what the page shows with the new cookie ("" for none).
		replacementSees string
	}{
		{"the cookie of a logged-out session is refused", func(t *testing.T, app http.Handler, old *http.Cookie) *http.Cookie {
			r := httptest.NewRequest("POST", "http://portal.example/auth/logout", nil)
			r.Header.Set("Origin", "http://portal.example")
			r.AddCookie(old)
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, r)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("logout answered %d: %s", rec.Code, rec.Body)
			}
			return nil
		}, ""},
		{"the cookie of a session stepped up to a higher level is refused", func(t *testing.T, app http.Handler, old *http.Cookie) *http.Cookie {
			return login(t, app, "erika", "high", old)
		}, "bPK2-ERIKA high"},
		{"the cookie of a session replaced by a new login is refused", func(t *testing.T, app http.Handler, old *http.Cookie) *http.Cookie {
			return login(t, app, "lena", "basic", old)
		}, "bPK2-LENA basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestSessions(t)
			app := revocationPortal(t, s)
			old := login(t, app, "erika", "basic", nil)
			if code, body := page(app, old); code != 200 || body != "bPK2-ERIKA basic" {
				t.Fatalf("before: %d %q", code, body)
			}
			fresh := tt.end(t, app, old)
			if code, body := page(app, old); code != http.StatusUnauthorized {
				t.Fatalf("the old cookie still opens the page: %d %q", code, body)
			}
			if fresh != nil {
				if code, body := page(app, fresh); code != 200 || body != tt.replacementSees {
					t.Fatalf("the new cookie: %d %q, want %q", code, body, tt.replacementSees)
				}
			}
		})
	}
}

func TestASessionEndedOnOneReplicaIsRefusedOnAnother(t *testing.T) {
	a, clk := newTestSessions(t)
	ring, _ := NewKeyring(testKey("k1", 1))
	b, err := NewSessions(ring, &SessionOptions{IdleTimeout: 30 * time.Minute, MaxAge: 2 * time.Hour, Now: clk.Now, Store: a.store})
	if err != nil {
		t.Fatal(err)
	}
	c := startCookie(t, a)
	sess, err := b.Decode(context.Background(), c.Value)
	if err != nil {
		t.Fatalf("replica b must accept a session started on a: %v", err)
	}
	if err := a.End(context.Background(), httptest.NewRecorder(), sess); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Decode(context.Background(), c.Value); !errors.Is(err, ErrSessionEnded) {
		t.Fatalf("replica b after logout on a: %v, want ErrSessionEnded", err)
	}
}

func TestEndAllEndsEverySessionOfTheSubjectOnly(t *testing.T) {
	s, _ := newTestSessions(t)
	laptop, phone := startCookie(t, s), startCookie(t, s)
	rec := httptest.NewRecorder()
	if _, err := s.Start(rec, httptest.NewRequest("GET", "/", nil), &Principal{Subject: "bPK2-LENA", Level: LevelBasic}); err != nil {
		t.Fatal(err)
	}
	lena := rec.Result().Cookies()[0]
	if n, err := s.EndAll(context.Background(), erika.Subject); err != nil || n != 2 {
		t.Fatalf("EndAll = %d, %v; want 2", n, err)
	}
	for name, c := range map[string]*http.Cookie{"laptop": laptop, "phone": phone} {
		if _, err := s.Decode(context.Background(), c.Value); !errors.Is(err, ErrSessionEnded) {
			t.Errorf("%s: %v, want ErrSessionEnded", name, err)
		}
	}
	if _, err := s.Decode(context.Background(), lena.Value); err != nil {
		t.Errorf("another subject's session ended: %v", err)
	}
}

func TestRefreshedCookiesNeverOutliveTheAbsoluteExpiry(t *testing.T) {
	s, clk := newTestSessions(t) // idle 30 min, max age 2 h
	c := startCookie(t, s)
	if c.MaxAge != int((2 * time.Hour).Seconds()) {
		t.Fatalf("a new cookie's Max-Age = %d, want the full 2 hours", c.MaxAge)
	}
	for _, after := range []time.Duration{20 * time.Minute, 40 * time.Minute, 60 * time.Minute, 80 * time.Minute, 100 * time.Minute, 119 * time.Minute} {
		clk.t = clk.t.Add(after - clk.t.Sub(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)))
		sess, err := s.Decode(context.Background(), c.Value)
		if err != nil {
			t.Fatalf("after %v: %v", after, err)
		}
		rec := httptest.NewRecorder()
		if err := s.Touch(rec, sess); err != nil {
			t.Fatal(err)
		}
		c = rec.Result().Cookies()[0]
		if left := int((2*time.Hour - after).Seconds()); c.MaxAge != left {
			t.Fatalf("after %v the refreshed cookie's Max-Age = %d, want the %d seconds left", after, c.MaxAge, left)
		}
	}
	clk.t = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	if _, err := s.Decode(context.Background(), c.Value); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("at the absolute expiry: %v, want ErrSessionExpired", err)
	}
}

// failingStore is a session store whose database is down.
type failingStore struct{ SessionStore }

var errDown = errors.New("connection refused")

func (failingStore) Lookup(context.Context, string, time.Time) (SessionRecord, error) {
	return SessionRecord{}, errDown
}
func (failingStore) Revoke(context.Context, string) error { return errDown }

func TestAFailingSessionStoreNeitherAcceptsNorDropsTheSession(t *testing.T) {
	s, _ := newTestSessions(t)
	c := startCookie(t, s)
	app := revocationPortal(t, s)
	s.store = failingStore{s.store}

	code, body := page(app, c)
	if code != http.StatusServiceUnavailable || strings.Contains(body, "bPK2") {
		t.Fatalf("page with the store down: %d %q, want 503", code, body)
	}
	r := httptest.NewRequest("GET", "http://portal.example/antrag", nil)
	r.AddCookie(c)
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, r)
	if len(rec.Result().Cookies()) != 0 {
		t.Fatal("the cookie was deleted although the store only failed to answer")
	}
	if _, err := s.Decode(context.Background(), c.Value); err == nil || errors.Is(err, ErrSessionEnded) || !errors.Is(err, errDown) {
		t.Fatalf("Decode with the store down: %v", err)
	}
}
