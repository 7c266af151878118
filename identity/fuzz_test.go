package identity

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// FuzzSessionDecode feeds arbitrary cookie values to the session decoder (without its cache,
// so every input is parsed): it must never panic, and whatever it accepts must be exactly
// the session that was sealed.
func FuzzSessionDecode(f *testing.F) {
	ring, err := NewKeyring(testKey("k1", 1))
	if err != nil {
		f.Fatal(err)
	}
	clk := &testClock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	store := NewMemorySessionStore()
	s, err := NewSessions(ring, &SessionOptions{Now: clk.Now, CacheSize: -1, Store: store})
	if err != nil {
		f.Fatal(err)
	}
	// A fixed session (the fuzzing workers each run this setup, so nothing random may go
	// into what they compare; the IV may differ, the content may not).
	const id = "fixed-session-id-0123456789abcdefghijklmnop"
	if err := store.Create(context.Background(), SessionRecord{ID: id, Subject: erika.Subject, Created: clk.t, Expires: clk.t.Add(time.Hour)}); err != nil {
		f.Fatal(err)
	}
	b, _ := json.Marshal(wireSession{V: sessionVersion, I: id, P: *erika, C: clk.t.Unix(), T: clk.t.Unix(), X: "fixed-csrf-token-0123456789abcdefghij"})
	valid, err := ring.Seal(b)
	if err != nil {
		f.Fatal(err)
	}
	want, err := s.Decode(context.Background(), valid)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add("")
	f.Add("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiazEifQ....")
	f.Add("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiazEiLCJ6aXAiOiJERUYifQ..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA")
	f.Add(`{"protected":"e30","ciphertext":"","iv":"","tag":""}`)
	f.Fuzz(func(t *testing.T, value string) {
		got, err := s.Decode(context.Background(), value)
		if err != nil {
			if !errors.Is(err, ErrSessionInvalid) && !errors.Is(err, ErrSessionExpired) && !errors.Is(err, ErrSessionEnded) {
				t.Fatalf("error %v matches no session error", err)
			}
			return
		}
		if !sameSession(got, want) {
			t.Fatalf("accepted a session that was never sealed: %+v", got)
		}
	})
}

// FuzzClaimMapping maps arbitrary JSON claims: it must never panic, and a principal it
// returns must be authenticated and within the bounds.
func FuzzClaimMapping(f *testing.F) {
	seed, _ := json.Marshal(bundIDClaims())
	f.Add(seed)
	f.Add([]byte(`{"sub":"x","acr":"STORK-QAA-Level-1","address":{"street_address":7}}`))
	f.Add([]byte(`{"urn:oid:1.3.6.1.4.1.25484.494450.3":["a",1],"acr":["STORK-QAA-Level-4"],"amr":{"x":1}}`))
	mappings := []ClaimMapping{BundIDClaims(), StandardClaims()}
	acr := DefaultACRMapping()
	f.Fuzz(func(t *testing.T, data []byte) {
		var claims map[string]any
		if json.Unmarshal(data, &claims) != nil {
			return
		}
		for _, m := range mappings {
			p, err := m.Principal(claims, "iss", acr)
			if err != nil {
				if !errors.Is(err, ErrClaims) {
					t.Fatalf("error %v is no ClaimsError", err)
				}
				continue
			}
			if !p.Authenticated() || len(p.Subject) > maxSubject || len(p.GivenNames) > maxClaimLen {
				t.Fatalf("principal out of bounds: %+v", p)
			}
		}
	})
}

func sameSession(a, b *Session) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
