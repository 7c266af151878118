package identity

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// BenchmarkSessionDecode decodes the same session cookie again and again, as a portal does
// on every request of a session: answered from the decoded-cookie cache after the first.
func BenchmarkSessionDecode(b *testing.B) {
	s, _ := newTestSessions(b)
	value := startCookie(b, s).Value
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Decode(context.Background(), value); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionDecodeUncached decrypts (JWE dir + A256GCM) and parses the cookie every time.
func BenchmarkSessionDecodeUncached(b *testing.B) {
	ring, err := NewKeyring(testKey("k1", 1))
	if err != nil {
		b.Fatal(err)
	}
	clk := &testClock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	s, err := NewSessions(ring, &SessionOptions{Now: clk.Now, CacheSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	value := startCookie(b, s).Value
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Decode(context.Background(), value); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionDecodeUncachedWithLogoutHint is BenchmarkSessionDecodeUncached for a
// session that also keeps a 1.8 KB ID token as its logout hint, as an OIDC login does.
func BenchmarkSessionDecodeUncachedWithLogoutHint(b *testing.B) {
	ring, err := NewKeyring(testKey("k1", 1))
	if err != nil {
		b.Fatal(err)
	}
	clk := &testClock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	s, err := NewSessions(ring, &SessionOptions{Now: clk.Now, CacheSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	p := *erika
	p.LogoutHint = "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIiwidHlwIjoiSldUIn0." + strings.Repeat("e", 1400) + "." + strings.Repeat("s", 342)
	rec := httptest.NewRecorder()
	if _, err := s.Start(rec, httptest.NewRequest("GET", "/", nil), &p); err != nil {
		b.Fatal(err)
	}
	value := rec.Result().Cookies()[0].Value
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sess, err := s.Decode(context.Background(), value)
		if err != nil || sess.Principal.LogoutHint == "" {
			b.Fatal(sess, err)
		}
	}
	b.ReportMetric(float64(len(value)), "cookie-bytes")
}
