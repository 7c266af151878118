package fitconnect

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
)

// MaxPayload is the default bound on one plaintext payload (the data, the metadata, one
// attachment). A JWE is built and opened in memory, so the bound caps the memory one payload
// takes: encrypting allocates about five times its size (53 MB for 10 MB, see the
// benchmarks: plaintext, ciphertext, base64 of it, the compact form).
const MaxPayload = 64 << 20

// Encrypt returns the compact JWE of plaintext for key: alg RSA-OAEP-256, enc A256GCM, the
// key's kid in the protected header, no compression. Each payload of a submission is
// encrypted on its own.
func Encrypt(plaintext []byte, key *EncryptionKey) ([]byte, error) {
	if key == nil || key.Key == nil {
		return nil, fmt.Errorf("%w: no encryption key", ErrKey)
	}
	h := jwe.NewHeaders()
	if err := h.Set(jwe.KeyIDKey, key.KeyID); err != nil {
		return nil, fmt.Errorf("fitconnect: encrypt: %w", err)
	}
	out, err := jwe.Encrypt(plaintext,
		jwe.WithKey(jwa.RSA_OAEP_256, key.Key),
		jwe.WithContentEncryption(jwa.A256GCM),
		jwe.WithProtectedHeaders(h),
		jwe.WithCompact())
	if err != nil {
		return nil, fmt.Errorf("fitconnect: encrypt: %w", err)
	}
	return out, nil
}

// jweHeader is the protected header as Decrypt checks it before any key is used.
type jweHeader struct {
	Alg string `json:"alg"`
	Enc string `json:"enc"`
	Zip string `json:"zip"`
	Kid string `json:"kid"`
}

// Decrypt opens the compact JWE compact with the destination's private key: the header must
// say RSA-OAEP-256 and A256GCM and must not ask for compression; the plaintext may be at most
// max bytes (0 means MaxPayload). Any failure, a tampered ciphertext among them, wraps
// ErrDecrypt.
func Decrypt(compact []byte, priv *rsa.PrivateKey, max int64) ([]byte, error) {
	if max <= 0 {
		max = MaxPayload
	}
	compact = bytes.TrimSpace(compact)
	// base64 of ciphertext, key and header: 4/3 of the plaintext plus a little.
	if limit := max/3*4 + 8<<10; int64(len(compact)) > limit {
		return nil, fmt.Errorf("%w: JWE of %d bytes, plaintext limit %d", ErrTooLarge, len(compact), max)
	}
	parts := bytes.Split(compact, []byte("."))
	if len(parts) != 5 {
		return nil, fmt.Errorf("%w: not a compact JWE (%d parts)", ErrDecrypt, len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(string(parts[0]))
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrDecrypt, err)
	}
	var h jweHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrDecrypt, err)
	}
	switch {
	case h.Alg != jwa.RSA_OAEP_256.String():
		return nil, fmt.Errorf("%w: alg %q, want RSA-OAEP-256", ErrDecrypt, truncate(h.Alg, 32))
	case h.Enc != jwa.A256GCM.String():
		return nil, fmt.Errorf("%w: enc %q, want A256GCM", ErrDecrypt, truncate(h.Enc, 32))
	case h.Zip != "":
		return nil, fmt.Errorf("%w: compression %q not allowed", ErrDecrypt, truncate(h.Zip, 16))
	}
	out, err := jwe.Decrypt(compact, jwe.WithKey(jwa.RSA_OAEP_256, priv))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	if int64(len(out)) > max {
		return nil, fmt.Errorf("%w: plaintext of %d bytes, limit %d", ErrTooLarge, len(out), max)
	}
	return out, nil
}
