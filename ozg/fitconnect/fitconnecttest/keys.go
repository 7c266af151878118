package fitconnecttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Keys are the private keys of a local submission service and its destination.
type Keys struct {
	// Encryption is the destination's RSA-4096 encryption key.
	Encryption *rsa.PrivateKey
	// Signing is the RSA-4096 key the service signs its Security Event Tokens with. The
	// destination signs its accept and reject events with it too, under another kid: one
	// key less to generate, distinct kids and key documents all the same.
	Signing *rsa.PrivateKey
}

// The fixed test keys: RSA-4096 private keys made for this package and published with it.
// They protect nothing; never use them outside tests and local development.
var (
	//go:embed testkeys/encryption.pem
	encryptionPEM []byte
	//go:embed testkeys/signing.pem
	signingPEM []byte
)

var (
	sharedOnce sync.Once
	shared     *Keys
	sharedErr  error
)

// SharedKeys returns the package's fixed test keys (RSA-4096, published with the package:
// they protect nothing). They are the same in every process, so that a fuzz corpus signed or
// encrypted with them stays valid across the fuzzing workers and runs, and no test waits
// seconds for a key to be generated. [GenerateKeys] makes fresh ones.
func SharedKeys() (*Keys, error) {
	sharedOnce.Do(func() {
		var k Keys
		if k.Encryption, sharedErr = parseKey(encryptionPEM); sharedErr != nil {
			return
		}
		if k.Signing, sharedErr = parseKey(signingPEM); sharedErr != nil {
			return
		}
		shared = &k
	})
	return shared, sharedErr
}

// GenerateKeys makes fresh RSA-4096 keys; it takes seconds.
func GenerateKeys() (*Keys, error) {
	var k Keys
	var err error
	if k.Encryption, err = rsa.GenerateKey(rand.Reader, 4096); err != nil {
		return nil, err
	}
	if k.Signing, err = rsa.GenerateKey(rand.Reader, 4096); err != nil {
		return nil, err
	}
	return &k, nil
}

func parseKey(b []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("fitconnecttest: test key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("fitconnecttest: test key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok || rk.N.BitLen() != 4096 {
		return nil, fmt.Errorf("fitconnecttest: test key is not RSA-4096")
	}
	return rk, nil
}

// JWK returns the public JWK of pub with the given alg, kid and key_ops, and x5c when given.
func JWK(pub *rsa.PublicKey, alg, kid string, keyOps []string, x5c []string) []byte {
	k, err := jwk.FromRaw(pub)
	if err != nil {
		panic(err) // an RSA public key always converts
	}
	m := map[string]any{}
	b, _ := json.Marshal(k)
	_ = json.Unmarshal(b, &m)
	m["alg"], m["kid"], m["key_ops"] = alg, kid, keyOps
	if len(x5c) > 0 {
		m["x5c"] = x5c
	}
	out, _ := json.Marshal(m)
	return out
}

// PKI is a small certificate authority: a root and an intermediate (ECDSA P-256, quick to
// make) that certify RSA keys, as the V-PKI certifies destination keys.
type PKI struct {
	Root         *x509.Certificate
	rootKey      *ecdsa.PrivateKey
	Intermediate *x509.Certificate
	interKey     *ecdsa.PrivateKey
}

// NewPKI makes a root and an intermediate valid from an hour ago for a year.
func NewPKI(name string) (*PKI, error) {
	p := &PKI{}
	var err error
	if p.rootKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if p.interKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	rootTmpl := caTemplate(name+" Root", 1)
	der, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &p.rootKey.PublicKey, p.rootKey)
	if err != nil {
		return nil, err
	}
	if p.Root, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	der, err = x509.CreateCertificate(rand.Reader, caTemplate(name+" Intermediate", 2), p.Root, &p.interKey.PublicKey, p.rootKey)
	if err != nil {
		return nil, err
	}
	if p.Intermediate, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	return p, nil
}

// Pool returns a pool holding the root only.
func (p *PKI) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root)
	return pool
}

// Chain certifies pub and returns the x5c chain (leaf, intermediate; standard base64 DER).
func (p *PKI) Chain(pub *rsa.PublicKey, subject string) ([]string, error) {
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: subject},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.Intermediate, pub, p.interKey)
	if err != nil {
		return nil, fmt.Errorf("fitconnecttest: certify: %w", err)
	}
	return []string{base64.StdEncoding.EncodeToString(der), base64.StdEncoding.EncodeToString(p.Intermediate.Raw)}, nil
}

func caTemplate(cn string, serial int64) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
}
