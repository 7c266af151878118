package oidc

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

// BenchmarkIDTokenVerify is a full ID token verification with a cached JWKS: signature
// (RS256, 2048 bit), alg allow-list, kid lookup, issuer, audience, exp/iat/nbf, claims map.
func BenchmarkIDTokenVerify(b *testing.B) {
	f := newFixture(b, nil)
	tok := f.sign(b, nil)
	ctx := context.Background()
	if _, err := f.rp.verifyToken(ctx, tok, []string{"portal"}, false); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.rp.verifyToken(ctx, tok, []string{"portal"}, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawRSAVerify verifies the same token's signature with crypto/rsa alone: the floor.
func BenchmarkRawRSAVerify(b *testing.B) {
	f := newFixture(b, nil)
	tok := f.sign(b, nil)
	key, err := f.idp.CurrentKey(jwa.RS256)
	if err != nil {
		b.Fatal(err)
	}
	var priv rsa.PrivateKey
	if err := key.Raw(&priv); err != nil {
		b.Fatal(err)
	}
	pub := &priv.PublicKey
	i := strings.LastIndexByte(tok, '.')
	input := tok[:i]
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h := sha256.Sum256([]byte(input))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBearerCached answers a repeated bearer token from the verification cache.
func BenchmarkBearerCached(b *testing.B) {
	f := newFixture(b, nil)
	tok := f.sign(b, nil)
	ctx := context.Background()
	if _, err := f.rp.VerifyBearer(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.rp.VerifyBearer(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
