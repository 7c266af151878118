package fitconnect

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// MinKeyBits is the smallest RSA modulus FIT-Connect accepts for encryption and signature keys.
const MinKeyBits = 4096

// maxJWK bounds the size of a JSON Web Key read from the network (x5c chains included).
const maxJWK = 64 << 10

// KeyPolicy is how keys from a destination are checked before use.
type KeyPolicy struct {
	// Roots are the trust anchors (the V-PKI root certificates) the x5c chain of every key
	// must lead to. Required unless InsecureSkipChainCheck is set.
	Roots *x509.CertPool
	// InsecureSkipChainCheck accepts keys without checking their x5c chain (and keys without
	// x5c). For test environments without a PKI only; a key is then trusted because the
	// transport to the submission service is.
	InsecureSkipChainCheck bool
	// Now is the time certificates must be valid at; nil means time.Now.
	Now func() time.Time
}

// EncryptionKey is a destination's public encryption key that passed CheckEncryptionKey.
type EncryptionKey struct {
	KeyID string
	Key   *rsa.PublicKey
}

// CheckEncryptionKey parses the JWK raw and checks it is fit to encrypt for a destination:
// kty RSA, alg RSA-OAEP-256, key_ops containing wrapKey, the kid wantKID (when wantKID is not
// empty), a modulus of at least 4096 bits, exponent 65537 (AQAB) and, when p.Roots is set, an
// x5c chain to one of the roots whose leaf carries this very key (required unless
// p.InsecureSkipChainCheck). Any failure wraps ErrKey
// (ErrUntrusted for the chain) and names what is wrong.
func CheckEncryptionKey(raw []byte, wantKID string, p *KeyPolicy) (*EncryptionKey, error) {
	pub, kid, err := checkRSAKey(raw, wantKID, jwa.RSA_OAEP_256.String(), "wrapKey", p)
	if err != nil {
		return nil, err
	}
	return &EncryptionKey{KeyID: kid, Key: pub}, nil
}

// CheckSignatureKey is CheckEncryptionKey for a destination's signature key: alg PS512 and
// key_ops containing verify.
func CheckSignatureKey(raw []byte, wantKID string, p *KeyPolicy) (*rsa.PublicKey, error) {
	pub, _, err := checkRSAKey(raw, wantKID, jwa.PS512.String(), "verify", p)
	return pub, err
}

// jwkFields are the members of a JWK this package checks itself, before jwx parses it.
type jwkFields struct {
	Kty    string   `json:"kty"`
	Alg    string   `json:"alg"`
	Kid    string   `json:"kid"`
	KeyOps []string `json:"key_ops"`
	E      string   `json:"e"`
	X5C    []string `json:"x5c"`
	D      string   `json:"d"`
}

func checkRSAKey(raw []byte, wantKID, alg, op string, p *KeyPolicy) (*rsa.PublicKey, string, error) {
	if p == nil {
		p = &KeyPolicy{}
	}
	if len(raw) > maxJWK {
		return nil, "", fmt.Errorf("%w: JWK of %d bytes, more than %d", ErrKey, len(raw), maxJWK)
	}
	var f jwkFields
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, "", fmt.Errorf("%w: not a JWK: %v", ErrKey, err)
	}
	switch {
	case f.Kty != "RSA":
		return nil, "", fmt.Errorf("%w: kty %q, want RSA", ErrKey, truncate(f.Kty, 16))
	case f.Alg != alg:
		return nil, "", fmt.Errorf("%w: alg %q, want %s", ErrKey, truncate(f.Alg, 32), alg)
	case !slices.Contains(f.KeyOps, op):
		return nil, "", fmt.Errorf("%w: key_ops %q lacks %s", ErrKey, f.KeyOps, op)
	case f.Kid == "":
		return nil, "", fmt.Errorf("%w: no kid", ErrKey)
	case wantKID != "" && f.Kid != wantKID:
		return nil, "", fmt.Errorf("%w: kid %q, want %q", ErrKey, truncate(f.Kid, 64), wantKID)
	case f.E != "AQAB":
		return nil, "", fmt.Errorf("%w: exponent %q, want AQAB", ErrKey, truncate(f.E, 16))
	case f.D != "":
		return nil, "", fmt.Errorf("%w: a private key was published", ErrKey)
	}
	k, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrKey, err)
	}
	var pub rsa.PublicKey
	if err := k.Raw(&pub); err != nil {
		return nil, "", fmt.Errorf("%w: not an RSA public key: %v", ErrKey, err)
	}
	if n := pub.N.BitLen(); n < MinKeyBits {
		return nil, "", fmt.Errorf("%w: %d bit modulus, want at least %d", ErrKey, n, MinKeyBits)
	}
	switch {
	case p.Roots != nil:
		if err := checkChain(&pub, f.X5C, p); err != nil {
			return nil, "", err
		}
	case !p.InsecureSkipChainCheck:
		return nil, "", fmt.Errorf("%w: no trust anchors configured (KeyPolicy.Roots); only test setups may set InsecureSkipChainCheck", ErrUntrusted)
	}
	return &pub, f.Kid, nil
}

// checkChain verifies the x5c chain (leaf first, standard base64 DER) against p.Roots and
// that the leaf certifies pub.
func checkChain(pub *rsa.PublicKey, x5c []string, p *KeyPolicy) error {
	if len(x5c) == 0 {
		return fmt.Errorf("%w: key has no x5c certificate chain", ErrUntrusted)
	}
	if len(x5c) > 8 {
		return fmt.Errorf("%w: x5c has %d certificates, more than 8", ErrUntrusted, len(x5c))
	}
	certs := make([]*x509.Certificate, len(x5c))
	for i, s := range x5c {
		der, err := decodeStdBase64(s)
		if err != nil {
			return fmt.Errorf("%w: x5c[%d]: %v", ErrUntrusted, i, err)
		}
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return fmt.Errorf("%w: x5c[%d]: %v", ErrUntrusted, i, err)
		}
	}
	leafKey, ok := certs[0].PublicKey.(*rsa.PublicKey)
	if !ok || !leafKey.Equal(pub) {
		return fmt.Errorf("%w: x5c leaf certificate is not for this key", ErrUntrusted)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots: p.Roots, Intermediates: inter, CurrentTime: now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUntrusted, err)
	}
	return nil
}

func decodeStdBase64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
