package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/ozgkit/ozgkit/identity"
)

// FuzzVerifyToken feeds arbitrary strings to token verification: it must never panic, every
// refusal must match identity.ErrInvalidToken, and whatever it accepts must carry exactly the
// claims the provider signed.
func FuzzVerifyToken(f *testing.F) {
	fx := newFixture(f, nil)
	valid := fx.sign(f, nil)
	ctx := context.Background()
	want, err := fx.rp.verifyToken(ctx, valid, []string{"portal"}, true)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add("")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIiwiY3JpdCI6WyJiNjQiXSwiYjY0IjpmYWxzZX0.e30.AAAA")
	f.Add(`{"payload":"e30","signatures":[{"protected":"e30","signature":""}]}`)
	f.Fuzz(func(t *testing.T, token string) {
		got, err := fx.rp.verifyToken(ctx, token, []string{"portal"}, true)
		if err != nil {
			if !errors.Is(err, identity.ErrInvalidToken) {
				t.Fatalf("error %v does not match ErrInvalidToken", err)
			}
			return
		}
		if !reflect.DeepEqual(got.claims, want.claims) {
			t.Fatalf("accepted claims nobody signed: %v", got.claims)
		}
	})
}

// FuzzSignedClaims signs arbitrary payloads with the provider's real key, so the fuzzer
// reaches the claim checks behind a valid signature: nothing may panic, and what passes
// must have this issuer, this audience and not be expired.
func FuzzSignedClaims(f *testing.F) {
	fx := newFixture(f, nil)
	key, err := fx.idp.CurrentKey(jwa.ES256) // EC signs fast enough to fuzz
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(fx.claims())
	f.Add(good)
	f.Add([]byte(`{"iss":"` + fx.idp.Issuer() + `","aud":["portal",7],"exp":"soon","iat":1e300,"sub":{}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"iss":null,"exp":-1}`))
	ctx := context.Background()
	now := fx.clock.Now()
	f.Fuzz(func(t *testing.T, payload []byte) {
		tok, err := jws.Sign(payload, jws.WithKey(jwa.ES256, key))
		if err != nil {
			return
		}
		v, err := fx.rp.verifyToken(ctx, string(tok), []string{"portal"}, true)
		if err != nil {
			if !errors.Is(err, identity.ErrInvalidToken) {
				t.Fatalf("error %v does not match ErrInvalidToken", err)
			}
			return
		}
		azp, _ := v.claims["azp"].(string)
		if v.token.Issuer() != fx.idp.Issuer() || (!slices.Contains(v.token.Audience(), "portal") && azp != "portal") ||
			!v.token.Expiration().Add(fx.rp.leeway).After(now) {
			t.Fatalf("accepted %s", payload)
		}
	})
}
