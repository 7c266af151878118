package fitconnect_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/fitconnect"
	"github.com/ozgkit/ozgkit/ozg/fitconnect/fitconnecttest"
)

var (
	smallOnce sync.Once
	smallKey  *rsa.PrivateKey
)

// small2048 is a 2048-bit key, quick to make, too small for FIT-Connect.
func small2048(t testing.TB) *rsa.PrivateKey {
	smallOnce.Do(func() {
		var err error
		if smallKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return smallKey
}

// edit changes members of a JWK document.
func edit(t *testing.T, doc []byte, set map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	out, _ := json.Marshal(m)
	return out
}

func TestCheckEncryptionKey(t *testing.T) {
	k := keys(t)
	pki, err := fitconnecttest.NewPKI("Test V-PKI")
	if err != nil {
		t.Fatal(err)
	}
	other, err := fitconnecttest.NewPKI("Other CA")
	if err != nil {
		t.Fatal(err)
	}
	pub := &k.Encryption.PublicKey
	chain, err := pki.Chain(pub, "destination")
	if err != nil {
		t.Fatal(err)
	}
	otherChain, err := other.Chain(pub, "destination")
	if err != nil {
		t.Fatal(err)
	}
	signingChain, err := pki.Chain(&k.Signing.PublicKey, "someone else")
	if err != nil {
		t.Fatal(err)
	}
	good := fitconnecttest.JWK(pub, "RSA-OAEP-256", "enc-1", []string{"wrapKey"}, chain)
	trusted := &fitconnect.KeyPolicy{Roots: pki.Pool()}
	cases := []struct {
		name    string
		doc     []byte
		kid     string
		policy  *fitconnect.KeyPolicy
		wantErr error
		naming  string
	}{
		{"a 4096-bit key with wrapKey and a chain to the anchor is accepted", good, "enc-1", trusted, nil, ""},
		{"a key without x5c is accepted when the chain check is explicitly off", fitconnecttest.JWK(pub, "RSA-OAEP-256", "enc-1", []string{"wrapKey"}, nil), "enc-1", &fitconnect.KeyPolicy{InsecureSkipChainCheck: true}, nil, ""},
		{"a key is refused when no anchors are configured", fitconnecttest.JWK(pub, "RSA-OAEP-256", "enc-1", []string{"wrapKey"}, nil), "enc-1", nil, fitconnect.ErrUntrusted, "trust anchors"},
		{"a 2048-bit key is refused", fitconnecttest.JWK(&small2048(t).PublicKey, "RSA-OAEP-256", "enc-1", []string{"wrapKey"}, nil), "enc-1", nil, fitconnect.ErrKey, "2048 bit"},
		{"a key for verify only is refused", fitconnecttest.JWK(pub, "RSA-OAEP-256", "enc-1", []string{"verify"}, nil), "enc-1", nil, fitconnect.ErrKey, "key_ops"},
		{"a key without key_ops is refused", edit(t, good, map[string]any{"key_ops": nil}), "enc-1", nil, fitconnect.ErrKey, "key_ops"},
		{"a key for RSA1_5 is refused", edit(t, good, map[string]any{"alg": "RSA1_5"}), "enc-1", nil, fitconnect.ErrKey, "alg"},
		{"a key with another kid is refused", good, "enc-2", nil, fitconnect.ErrKey, "kid"},
		{"a key without kid is refused", edit(t, good, map[string]any{"kid": nil}), "", nil, fitconnect.ErrKey, "kid"},
		{"a key with exponent 3 is refused", edit(t, good, map[string]any{"e": "Aw"}), "enc-1", nil, fitconnect.ErrKey, "exponent"},
		{"an EC key is refused", edit(t, good, map[string]any{"kty": "EC"}), "enc-1", nil, fitconnect.ErrKey, "kty"},
		{"a published private key is refused", edit(t, good, map[string]any{"d": "AQAB"}), "enc-1", nil, fitconnect.ErrKey, "private"},
		{"a key whose x5c chains to another CA is refused", fitconnecttest.JWK(pub, "RSA-OAEP-256", "enc-1", []string{"wrapKey"}, otherChain), "enc-1", trusted, fitconnect.ErrUntrusted, "authority"},
		{"a key whose x5c certifies another key is refused", fitconnecttest.JWK(pub, "RSA-OAEP-256", "enc-1", []string{"wrapKey"}, signingChain), "enc-1", trusted, fitconnect.ErrUntrusted, "not for this key"},
		{"a key without x5c is refused when anchors are configured", fitconnecttest.JWK(pub, "RSA-OAEP-256", "enc-1", []string{"wrapKey"}, nil), "enc-1", trusted, fitconnect.ErrUntrusted, "no x5c"},
		{"a chain of garbage is refused", edit(t, good, map[string]any{"x5c": []string{"bm90IGEgY2VydA=="}}), "enc-1", trusted, fitconnect.ErrUntrusted, "x5c[0]"},
		{"a document that is not JSON is refused", []byte("{"), "enc-1", nil, fitconnect.ErrKey, "not a JWK"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := fitconnect.CheckEncryptionKey(c.doc, c.kid, c.policy)
			if c.wantErr == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !got.Key.Equal(pub) || got.KeyID != "enc-1" {
					t.Errorf("key %+v", got)
				}
				return
			}
			if !errors.Is(err, c.wantErr) || !strings.Contains(err.Error(), c.naming) {
				t.Errorf("err = %v, want %v naming %q", err, c.wantErr, c.naming)
			}
		})
	}
}

func TestCheckSignatureKeyWantsPS512AndVerify(t *testing.T) {
	pub := &keys(t).Signing.PublicKey
	if _, err := fitconnect.CheckSignatureKey(fitconnecttest.JWK(pub, "PS512", "sig", []string{"verify"}, nil), "sig", &fitconnect.KeyPolicy{InsecureSkipChainCheck: true}); err != nil {
		t.Fatalf("good signature key refused: %v", err)
	}
	for name, doc := range map[string][]byte{
		"an RS256 key":         fitconnecttest.JWK(pub, "RS256", "sig", []string{"verify"}, nil),
		"a key for wrapKey":    fitconnecttest.JWK(pub, "PS512", "sig", []string{"wrapKey"}, nil),
		"a 2048-bit PS512 key": fitconnecttest.JWK(&small2048(t).PublicKey, "PS512", "sig", []string{"verify"}, nil),
	} {
		if _, err := fitconnect.CheckSignatureKey(doc, "sig", nil); !errors.Is(err, fitconnect.ErrKey) {
			t.Errorf("%s: err = %v, want ErrKey", name, err)
		}
	}
}
