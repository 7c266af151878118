package fitconnect_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"

	"github.com/ozgkit/ozgkit/ozg/fitconnect"
)

func BenchmarkEncrypt10MB(b *testing.B) {
	plain := make([]byte, 10<<20)
	_, _ = rand.Read(plain)
	key := encKey(b)
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := fitconnect.Encrypt(plain, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt10MB(b *testing.B) {
	plain := make([]byte, 10<<20)
	_, _ = rand.Read(plain)
	c, err := fitconnect.Encrypt(plain, encKey(b))
	if err != nil {
		b.Fatal(err)
	}
	priv := keys(b).Encryption
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := fitconnect.Decrypt(c, priv, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildMetadata(b *testing.B) {
	f := newFixture(b, []byte("a"), []byte("b"), []byte("c"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fitconnect.BuildMetadata(f.sub, testRoute); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecryptCompressed10MB opens a 10 MB payload another client sent with zip DEF.
func BenchmarkDecryptCompressed10MB(b *testing.B) {
	plain := bytes.Repeat([]byte(`{"einkommen":[1200,1300],"name":"Erika Mustermann"},`), 10<<20/52)
	k := keys(b)
	c, err := jwe.Encrypt(plain, jwe.WithKey(jwa.RSA_OAEP_256, &k.Encryption.PublicKey), jwe.WithContentEncryption(jwa.A256GCM), jwe.WithCompress(jwa.Deflate))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := fitconnect.Decrypt(c, k.Encryption, 0); err != nil {
			b.Fatal(err)
		}
	}
}
