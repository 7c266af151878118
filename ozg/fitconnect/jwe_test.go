package fitconnect_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"

	"github.com/ozgkit/ozgkit/ozg/fitconnect"
)

func encKey(t testing.TB) *fitconnect.EncryptionKey {
	return &fitconnect.EncryptionKey{KeyID: "enc-1", Key: &keys(t).Encryption.PublicKey}
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	plain := []byte(`{"antrag":"Wohngeld","ä":"ü"}`)
	c, err := fitconnect.Encrypt(plain, encKey(t))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(c), ".")
	if len(parts) != 5 {
		t.Fatalf("not compact: %d parts", len(parts))
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	for _, want := range []string{`"alg":"RSA-OAEP-256"`, `"enc":"A256GCM"`, `"kid":"enc-1"`} {
		if !strings.Contains(string(h), want) {
			t.Errorf("header %s lacks %s", h, want)
		}
	}
	got, err := fitconnect.Decrypt(c, keys(t).Encryption, 0)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Decrypt = %q, %v", got, err)
	}
}

func TestDecryptRefusesBadInput(t *testing.T) {
	k := keys(t)
	plain := bytes.Repeat([]byte("Nachweis "), 100)
	good, err := fitconnect.Encrypt(plain, encKey(t))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(part int) []byte {
		p := strings.Split(string(good), ".")
		b, _ := base64.RawURLEncoding.DecodeString(p[part])
		b[len(b)/2] ^= 1
		p[part] = base64.RawURLEncoding.EncodeToString(b)
		return []byte(strings.Join(p, "."))
	}
	rsa15, err := jwe.Encrypt(plain, jwe.WithKey(jwa.RSA1_5, &k.Encryption.PublicKey), jwe.WithContentEncryption(jwa.A256GCM))
	if err != nil {
		t.Fatal(err)
	}
	cbc, err := jwe.Encrypt(plain, jwe.WithKey(jwa.RSA_OAEP_256, &k.Encryption.PublicKey), jwe.WithContentEncryption(jwa.A256CBC_HS512))
	if err != nil {
		t.Fatal(err)
	}
	zipped, err := jwe.Encrypt(plain, jwe.WithKey(jwa.RSA_OAEP_256, &k.Encryption.PublicKey), jwe.WithContentEncryption(jwa.A256GCM), jwe.WithCompress(jwa.Deflate))
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := fitconnect.Encrypt(plain, &fitconnect.EncryptionKey{KeyID: "x", Key: &k.Signing.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		in      []byte
		max     int64
		wantErr error
	}{
		{"a tampered ciphertext", flip(3), 0, fitconnect.ErrDecrypt},
		{"a tampered authentication tag", flip(4), 0, fitconnect.ErrDecrypt},
		{"a tampered encrypted key", flip(1), 0, fitconnect.ErrDecrypt},
		{"a tampered initialisation vector", flip(2), 0, fitconnect.ErrDecrypt},
		{"a JWE for another key", otherKey, 0, fitconnect.ErrDecrypt},
		{"alg RSA1_5", rsa15, 0, fitconnect.ErrDecrypt},
		{"enc A256CBC-HS512", cbc, 0, fitconnect.ErrDecrypt},
		{"a compressed payload over the bound once inflated", zipped, 100, fitconnect.ErrTooLarge},
		{"four parts", []byte("a.b.c.d"), 0, fitconnect.ErrDecrypt},
		{"a header that is not base64", []byte("!!.b.c.d.e"), 0, fitconnect.ErrDecrypt},
		{"a payload over the bound", good, 100, fitconnect.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			got, err := fitconnect.Decrypt(c.in, k.Encryption, c.max)
			if !errors.Is(err, c.wantErr) || got != nil {
				t.Errorf("Decrypt = %d bytes, %v; want %v", len(got), err, c.wantErr)
			}
		})
	}
}

// FuzzDecrypt seeds the corpus with payloads encrypted with the real test key (plain, with
// cty, compressed with DEF, empty) and asserts what authenticated encryption means: whatever
// decrypts is exactly the plaintext of one of the seeds (a forger without the key cannot make
// a ciphertext that opens), the seeds themselves round-trip exactly, and no plaintext exceeds
// the bound.
func FuzzDecrypt(f *testing.F) {
	k := keys(f)
	const bound = 1 << 10
	plains := [][]byte{[]byte("x"), []byte(`{"antrag":"Wohngeld"}`), bytes.Repeat([]byte("Nachweis "), 50), {}}
	for i, p := range plains {
		var c []byte
		var err error
		switch i % 3 {
		case 0:
			c, err = fitconnect.Encrypt(p, encKey(f))
		case 1:
			c, err = fitconnect.EncryptContent(p, "application/json", encKey(f))
		default:
			c, err = jwe.Encrypt(p, jwe.WithKey(jwa.RSA_OAEP_256, &k.Encryption.PublicKey), jwe.WithContentEncryption(jwa.A256GCM), jwe.WithCompress(jwa.Deflate))
		}
		if err != nil {
			f.Fatal(err)
		}
		if got, err := fitconnect.Decrypt(c, k.Encryption, bound); err != nil || !bytes.Equal(got, p) {
			f.Fatalf("seed %d does not round-trip: %q, %v", i, got, err)
		}
		f.Add(c)
	}
	f.Add([]byte("eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIn0.a.b.c.d"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := fitconnect.Decrypt(in, k.Encryption, bound)
		if err != nil {
			if !errors.Is(err, fitconnect.ErrDecrypt) && !errors.Is(err, fitconnect.ErrTooLarge) {
				t.Fatalf("error wraps neither ErrDecrypt nor ErrTooLarge: %v", err)
			}
			if out != nil {
				t.Fatal("a failure returned plaintext")
			}
			return
		}
		if len(out) > bound {
			t.Fatalf("plaintext of %d bytes over the bound", len(out))
		}
		for _, p := range plains {
			if bytes.Equal(out, p) {
				return
			}
		}
		t.Fatalf("decrypted %q, which was never encrypted", out)
	})
}
