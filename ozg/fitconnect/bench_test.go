package fitconnect_test

import (
	"crypto/rand"
	"testing"

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
