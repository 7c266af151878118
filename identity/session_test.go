package identity

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func testKey(id string, b byte) Key { return Key{ID: id, Secret: bytes.Repeat([]byte{b}, 32)} }

type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

func newTestSessions(t testing.TB, keys ...Key) (*Sessions, *testClock) {
	t.Helper()
	if len(keys) == 0 {
		keys = []Key{testKey("k1", 1)}
	}
	ring, err := NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	clk := &testClock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	s, err := NewSessions(ring, &SessionOptions{IdleTimeout: 30 * time.Minute, MaxAge: 2 * time.Hour, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s, clk
}

var erika = &Principal{Subject: "bPK2-ERIKA", Issuer: "https://idp.example", Level: LevelHigh, Method: MethodEID,
	GivenNames: "Erika", FamilyName: "Mustermann", Address: &Address{City: "Köln"}}

func startCookie(t testing.TB, s *Sessions) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	if _, err := s.Start(rec, httptest.NewRequest("GET", "/", nil), erika); err != nil {
		t.Fatal(err)
	}
	return rec.Result().Cookies()[0]
}

func TestASessionRoundTripsThroughItsCookie(t *testing.T) {
	s, _ := newTestSessions(t)
	c := startCookie(t, s)
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("cookie attributes = %+v", c)
	}
	if strings.Contains(c.Value, "Erika") || strings.Contains(c.Value, "ERIKA") {
		t.Error("the cookie must not show the principal in clear")
	}
	sess, err := s.Decode(context.Background(), c.Value)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Principal.Subject != erika.Subject || sess.Principal.Address.City != "Köln" || len(sess.CSRFToken) < 32 {
		t.Errorf("session = %+v", sess)
	}
}

func TestBadSessionCookiesAreRefused(t *testing.T) {
	s, clk := newTestSessions(t)
	value := startCookie(t, s).Value
	tamper := func(i int) string {
		b := []byte(value)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	dot := strings.LastIndex(value, ".")
	retiredRing, _ := NewKeyring(testKey("k2", 2))
	retired, _ := NewSessions(retiredRing, &SessionOptions{Now: clk.Now})
	tests := []struct {
		name  string
		value string
		s     *Sessions
		want  error
	}{
		{"a tampered ciphertext is refused", tamper(dot - 3), s, ErrSessionInvalid},
		{"a tampered tag is refused", tamper(len(value) - 2), s, ErrSessionInvalid},
		{"a tampered header is refused", tamper(5), s, ErrSessionInvalid},
		{"a cookie sealed with a retired key is refused", value, retired, ErrSessionInvalid},
		{"an empty cookie is refused", "", s, ErrSessionInvalid},
		{"an overlong cookie is refused", strings.Repeat("a.", MaxSealed), s, ErrSessionInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.s.Decode(context.Background(), tt.value); !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSessionsExpireWhenIdleAndAfterTheirMaxAge(t *testing.T) {
	s, clk := newTestSessions(t)
	c := startCookie(t, s)
	clk.t = clk.t.Add(31 * time.Minute)
	if _, err := s.Decode(context.Background(), c.Value); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("idle session: %v", err)
	}

	s, clk = newTestSessions(t)
	value := startCookie(t, s).Value
	for i := range 6 { // active every 20 minutes for two hours: idle never, but too old at the end
		clk.t = clk.t.Add(20 * time.Minute)
		sess, err := s.Decode(context.Background(), value)
		if err != nil {
			if !errors.Is(err, ErrSessionExpired) || i != 5 {
				t.Fatalf("at %v: %v", clk.t, err)
			}
			return
		}
		rec := httptest.NewRecorder()
		if err := s.Touch(rec, sess); err != nil {
			t.Fatal(err)
		}
		value = rec.Result().Cookies()[0].Value
	}
	t.Fatal("a session refreshed every 20 minutes must still end after its max age of 2 hours")
}

func TestRotatedKeysStillOpenOldSessions(t *testing.T) {
	old, clk := newTestSessions(t, testKey("k1", 1))
	value := startCookie(t, old).Value
	ring, _ := NewKeyring(testKey("k2", 2), testKey("k1", 1))
	rotated, _ := NewSessions(ring, &SessionOptions{Now: clk.Now, Store: old.store}) // a replica after rotation
	if _, err := rotated.Decode(context.Background(), value); err != nil {
		t.Fatalf("a session sealed with the previous key must open during rotation: %v", err)
	}
	fresh := startCookie(t, rotated).Value
	if _, err := old.Decode(context.Background(), fresh); !errors.Is(err, ErrSessionInvalid) {
		t.Fatalf("the old ring must not know the new key: %v", err)
	}
}

func TestKeyringsRefuseBadKeys(t *testing.T) {
	for name, keys := range map[string][]Key{
		"no key":          nil,
		"a short secret":  {{ID: "a", Secret: []byte("short")}},
		"an empty ID":     {{ID: "", Secret: make([]byte, 32)}},
		"a duplicated ID": {testKey("a", 1), testKey("a", 2)},
	} {
		if _, err := NewKeyring(keys...); err == nil {
			t.Errorf("%s was accepted", name)
		}
	}
}
