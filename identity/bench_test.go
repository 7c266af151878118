package identity

import (
	"context"
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
