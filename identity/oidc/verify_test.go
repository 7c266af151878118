package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
)

// clock is a settable clock shared by provider claims and relying party.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	idp   *identitytest.Provider
	srv   *httptest.Server
	rp    *RelyingParty
	clock *clock
}

func newFixture(t testing.TB, opts *Options) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}}
	f.idp, f.srv = identitytest.NewServer(&identitytest.Options{Now: f.clock.Now})
	t.Cleanup(f.srv.Close)
	if opts == nil {
		opts = &Options{}
	}
	opts.Now = f.clock.Now
	var err error
	f.rp, err = New(context.Background(), Config{Issuer: f.idp.Issuer(), ClientID: "portal", RedirectURL: "http://127.0.0.1/callback"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// claims returns valid ID token claims for erika at high.
func (f *fixture) claims() map[string]any {
	now := f.clock.Now()
	return map[string]any{
		"iss": f.idp.Issuer(), "sub": "kc-erika", "aud": "portal", "azp": "portal",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": "n-0123456789",
		"acr": "STORK-QAA-Level-4", identity.ClaimBPK2: "bPK2-ERIKA", identity.ClaimGivenName: "Erika",
	}
}

func (f *fixture) sign(t testing.TB, change func(map[string]any)) string {
	t.Helper()
	c := f.claims()
	if change != nil {
		change(c)
	}
	tok, err := f.idp.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestAValidIDTokenVerifiesWithRSAAndEC(t *testing.T) {
	f := newFixture(t, nil)
	for _, alg := range []jwa.SignatureAlgorithm{jwa.RS256, jwa.ES256} {
		if err := f.idp.SetSigningAlgorithm(alg); err != nil {
			t.Fatal(err)
		}
		tok := f.sign(t, func(c map[string]any) { c["nonce"] = "n-" + alg.String() })
		claims, err := f.rp.VerifyIDToken(context.Background(), tok, "n-"+alg.String())
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if claims["sub"] != "kc-erika" {
			t.Errorf("%s: claims = %v", alg, claims)
		}
	}
}

func TestBadIDTokensAreRefused(t *testing.T) {
	f := newFixture(t, nil)
	rsaKey, _ := f.idp.CurrentKey(jwa.RS256)
	var pub rsa.PublicKey
	_ = rsaKey.Raw(&pub)
	pubDER, _ := x509.MarshalPKIXPublicKey(&pub)
	rogue, _ := rsa.GenerateKey(rand.Reader, 2048)
	rogueJWK, _ := jwk.FromRaw(rogue)
	_ = rogueJWK.Set(jwk.KeyIDKey, "rogue-1")

	b64 := base64.RawURLEncoding.EncodeToString
	payload := func(c map[string]any) []byte {
		b, _ := jsonMarshal(c)
		return b
	}

	tests := []struct {
		name  string
		token func() string
		nonce string
		want  error
	}{
		{"alg none is refused", func() string {
			return b64([]byte(`{"alg":"none","kid":"`+rsaKey.KeyID()+`"}`)) + "." + b64(payload(f.claims())) + "."
		}, "n-0123456789", ErrAlgorithm},
		{"HS256 keyed with the RSA public key is refused", func() string {
			// Signed by hand: the attack is an HMAC whose secret is the public key.
			input := b64([]byte(`{"alg":"HS256","kid":"`+rsaKey.KeyID()+`"}`)) + "." + b64(payload(f.claims()))
			mac := hmac.New(sha256.New, pubDER)
			mac.Write([]byte(input))
			return input + "." + b64(mac.Sum(nil))
		}, "n-0123456789", ErrAlgorithm},
		{"an expired token is refused", func() string {
			return f.sign(t, func(c map[string]any) { c["exp"] = f.clock.Now().Add(-time.Minute).Unix() })
		}, "n-0123456789", identity.ErrInvalidToken},
		{"a token not yet valid is refused", func() string {
			return f.sign(t, func(c map[string]any) { c["nbf"] = f.clock.Now().Add(5 * time.Minute).Unix() })
		}, "n-0123456789", identity.ErrInvalidToken},
		{"a token issued in the future is refused", func() string {
			return f.sign(t, func(c map[string]any) { c["iat"] = f.clock.Now().Add(5 * time.Minute).Unix() })
		}, "n-0123456789", identity.ErrInvalidToken},
		{"a wrong issuer is refused", func() string {
			return f.sign(t, func(c map[string]any) { c["iss"] = "https://evil.example" })
		}, "n-0123456789", identity.ErrInvalidToken},
		{"a wrong audience is refused", func() string {
			return f.sign(t, func(c map[string]any) { c["aud"] = "other-client" })
		}, "n-0123456789", identity.ErrInvalidToken},
		{"a missing nonce is refused", func() string {
			return f.sign(t, func(c map[string]any) { delete(c, "nonce") })
		}, "n-0123456789", ErrNonce},
		{"another login's nonce is refused", func() string { return f.sign(t, nil) }, "n-other", ErrNonce},
		{"an unknown kid is refused after a refresh", func() string {
			tok, err := jws.Sign(payload(f.claims()), jws.WithKey(jwa.RS256, rogueJWK))
			if err != nil {
				t.Fatal(err)
			}
			return string(tok)
		}, "n-0123456789", ErrUnknownKey},
		{"a tampered payload is refused", func() string {
			parts := strings.Split(f.sign(t, nil), ".")
			c := f.claims()
			c["acr"] = "STORK-QAA-Level-4"
			c[identity.ClaimBPK2] = "bPK2-SOMEONE-ELSE"
			parts[1] = b64(payload(c))
			return strings.Join(parts, ".")
		}, "n-0123456789", identity.ErrInvalidToken},
		{"a JSON-serialised JWS is refused", func() string { return `{"payload":"e30","signatures":[]}` }, "n-0123456789", identity.ErrInvalidToken},
		{"garbage is refused", func() string { return "a.b.c" }, "n-0123456789", identity.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.rp.VerifyIDToken(context.Background(), tt.token(), tt.nonce)
			if !errors.Is(err, tt.want) || !errors.Is(err, identity.ErrInvalidToken) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAReplayedIDTokenIsRefused(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.sign(t, nil)
	if _, err := f.rp.VerifyIDToken(context.Background(), tok, "n-0123456789"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rp.VerifyIDToken(context.Background(), tok, "n-0123456789"); !errors.Is(err, ErrNonce) {
		t.Fatalf("replay gave %v, want ErrNonce", err)
	}
}

func TestANewKidIsFetchedAtOnceAndEachUnknownKidOnlyOncePerMinute(t *testing.T) {
	f := newFixture(t, &Options{JWKSMinRefresh: time.Minute})
	ctx := context.Background()
	fetches := func(want int, after string) {
		t.Helper()
		if n := f.rp.jwks.fetches; n != want {
			t.Fatalf("fetches after %s = %d, want %d", after, n, want)
		}
	}
	if _, err := f.rp.VerifyBearer(ctx, f.sign(t, nil)); err != nil {
		t.Fatal(err)
	}
	fetches(1, "the first token")
	// The provider rotates ten seconds later: the first token with the new kid must verify
	// although the last fetch was less than JWKSMinRefresh ago.
	f.clock.Add(10 * time.Second)
	if err := f.idp.RotateKeys(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rp.VerifyBearer(ctx, f.sign(t, nil)); err != nil {
		t.Fatalf("token with the new key: %v", err)
	}
	fetches(2, "the rotation")

	rogue, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, _ := jwk.FromRaw(rogue)
	rogueToken := func(kid string) string {
		_ = rk.Set(jwk.KeyIDKey, kid)
		b, _ := jsonMarshal(f.claims())
		tok, _ := jws.Sign(b, jws.WithKey(jwa.ES256, rk))
		return string(tok)
	}
	for range 5 {
		if _, err := f.rp.VerifyBearer(ctx, rogueToken("rogue-a")); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("rogue token: %v", err)
		}
	}
	fetches(3, "one unknown kid five times within a minute")
	f.clock.Add(61 * time.Second)
	if _, err := f.rp.VerifyBearer(ctx, rogueToken("rogue-a")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("rogue token: %v", err)
	}
	fetches(4, "the same unknown kid a minute later")

	for i := range 2 * maxMissedKids {
		if _, err := f.rp.VerifyBearer(ctx, rogueToken(fmt.Sprintf("made-up-%d", i))); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("rogue token %d: %v", i, err)
		}
	}
	fetches(4+maxMissedKids-1, fmt.Sprintf("%d made-up kids within a minute", 2*maxMissedKids))
	// A kid the provider really has still verifies while made-up ones are refused unfetched.
	if _, err := f.rp.VerifyBearer(ctx, f.sign(t, func(c map[string]any) { c["jti"] = "other" })); err != nil {
		t.Fatalf("a known kid during the flood: %v", err)
	}
}

func TestBearerTokensAreCachedUntilTheyExpire(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	tok := f.sign(t, func(c map[string]any) { c["exp"] = f.clock.Now().Add(time.Minute).Unix() })
	p1, err := f.rp.VerifyBearer(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	p1.Subject = "changed by the caller"
	p2, err := f.rp.VerifyBearer(ctx, tok)
	if err != nil || p2.Subject != "bPK2-ERIKA" || p2.Level != identity.LevelHigh {
		t.Fatalf("cached answer = %+v, %v", p2, err)
	}
	if f.rp.bearer.Len() != 1 {
		t.Fatalf("cache holds %d", f.rp.bearer.Len())
	}
	f.clock.Add(2 * time.Minute)
	if _, err := f.rp.VerifyBearer(ctx, tok); !errors.Is(err, identity.ErrInvalidToken) {
		t.Fatalf("expired cached token gave %v", err)
	}
}

func TestOnlyAsymmetricAlgorithmsMayBeAllowed(t *testing.T) {
	_, srv := identitytest.NewServer(nil)
	defer srv.Close()
	for _, alg := range []jwa.SignatureAlgorithm{jwa.HS256, jwa.NoSignature, jwa.EdDSA} {
		_, err := New(context.Background(), Config{Issuer: srv.URL, ClientID: "c", RedirectURL: "http://x/cb", Algorithms: []jwa.SignatureAlgorithm{alg}}, nil)
		if err == nil {
			t.Errorf("%s was accepted in the allow-list", alg)
		}
	}
}

func TestDiscoveryForAnotherIssuerIsRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"https://evil.example","authorization_endpoint":"https://evil.example/a","token_endpoint":"https://evil.example/t","jwks_uri":"https://evil.example/j"}`))
	}))
	defer srv.Close()
	_, err := Discover(context.Background(), srv.Client(), srv.URL)
	if !errors.Is(err, ErrDiscovery) {
		t.Fatalf("error = %v", err)
	}
}
