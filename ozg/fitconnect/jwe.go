package fitconnect

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
)

// MaxPayload is the default bound on one plaintext payload (the data, the metadata, one
// attachment). A JWE is built and opened in memory, so the bound caps the memory one payload
// takes: encrypting allocates about five times its size (53 MB for 10 MB, see the
// benchmarks: plaintext, ciphertext, base64 of it, the compact form).
const MaxPayload = 64 << 20

// Encrypt returns the compact JWE of plaintext for key: alg RSA-OAEP-256, enc A256GCM, the
// key's kid in the protected header, no compression, no cty. Each payload of a submission is
// encrypted on its own; [EncryptContent] names the payload's media type.
func Encrypt(plaintext []byte, key *EncryptionKey) ([]byte, error) {
	return EncryptContent(plaintext, "", key)
}

// EncryptContent is [Encrypt] with the payload's media type in the protected header's cty
// (e.g. "application/json" for the metadata and JSON data, "application/pdf" for an
// attachment), as other FIT-Connect clients send it. An empty contentType sets no cty.
func EncryptContent(plaintext []byte, contentType string, key *EncryptionKey) ([]byte, error) {
	if key == nil || key.Key == nil {
		return nil, fmt.Errorf("%w: no encryption key", ErrKey)
	}
	h := jwe.NewHeaders()
	if err := h.Set(jwe.KeyIDKey, key.KeyID); err != nil {
		return nil, fmt.Errorf("fitconnect: encrypt: %w", err)
	}
	if contentType != "" {
		if err := h.Set(jwe.ContentTypeKey, contentType); err != nil {
			return nil, fmt.Errorf("fitconnect: encrypt: %w", err)
		}
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
	Alg  string   `json:"alg"`
	Enc  string   `json:"enc"`
	Zip  string   `json:"zip"`
	Kid  string   `json:"kid"`
	Cty  string   `json:"cty"`
	Crit []string `json:"crit"`
}

// Decrypt opens the compact JWE compact with the destination's private key: the header must
// say RSA-OAEP-256 and A256GCM; the plaintext may be at most max bytes (0 means MaxPayload).
// Any failure, a tampered ciphertext among them, wraps ErrDecrypt; a plaintext over the
// bound wraps ErrTooLarge.
//
// Compression: a header with zip "DEF" (RFC 7516 §4.1.3, raw DEFLATE) is accepted, as some
// FIT-Connect clients send it; the decompressed plaintext is bounded by max like any other,
// and decompression stops at max+1 bytes, so that a small "zip bomb" cannot take more memory
// than an uncompressed payload may. Other zip values are refused. This package never
// compresses what it sends.
func Decrypt(compact []byte, priv *rsa.PrivateKey, max int64) ([]byte, error) {
	out, _, err := decrypt(compact, priv, max)
	return out, err
}

func decrypt(compact []byte, priv *rsa.PrivateKey, max int64) ([]byte, jweHeader, error) {
	var h jweHeader
	fail := func(format string, args ...any) ([]byte, jweHeader, error) {
		return nil, h, fmt.Errorf("%w: %s", ErrDecrypt, fmt.Sprintf(format, args...))
	}
	if max <= 0 {
		max = MaxPayload
	}
	if priv == nil {
		return fail("no private key")
	}
	compact = bytes.TrimSpace(compact)
	// base64 of ciphertext, key and header: 4/3 of the plaintext plus a little (deflate may
	// add a few bytes per 64 KiB block to what does not compress).
	if limit := max/3*4 + max/1000 + 8<<10; int64(len(compact)) > limit {
		return nil, h, fmt.Errorf("%w: JWE of %d bytes, plaintext limit %d", ErrTooLarge, len(compact), max)
	}
	parts := bytes.Split(compact, []byte("."))
	if len(parts) != 5 {
		return fail("not a compact JWE (%d parts)", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(string(parts[0]))
	if err != nil {
		return fail("header: %v", err)
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return fail("header: %v", err)
	}
	switch {
	case h.Alg != jwa.RSA_OAEP_256.String():
		return fail("alg %q, want RSA-OAEP-256", truncate(h.Alg, 32))
	case h.Enc != jwa.A256GCM.String():
		return fail("enc %q, want A256GCM", truncate(h.Enc, 32))
	case h.Zip != "" && h.Zip != jwa.Deflate.String():
		return fail("compression %q, only DEF is understood", truncate(h.Zip, 16))
	case len(h.Crit) > 0:
		return fail("crit %q not understood", h.Crit)
	}
	var seg [3][]byte // encrypted key, iv, tag
	for i, p := range [3]int{1, 2, 4} {
		if seg[i], err = base64.RawURLEncoding.DecodeString(string(parts[p])); err != nil {
			return fail("segment %d: %v", p+1, err)
		}
	}
	encKey, iv, tag := seg[0], seg[1], seg[2]
	if len(iv) != 12 || len(tag) != 16 {
		return fail("iv of %d bytes and tag of %d bytes, want 12 and 16", len(iv), len(tag))
	}
	// The ciphertext is decoded straight into a buffer with room for the tag, which GCM
	// wants behind it, and opened in place: one copy of the payload, not three.
	sealed := make([]byte, base64.RawURLEncoding.DecodedLen(len(parts[3]))+len(tag))
	n, err := base64.RawURLEncoding.Decode(sealed, parts[3])
	if err != nil {
		return fail("segment 4: %v", err)
	}
	sealed = append(sealed[:n], tag...)
	cek, err := rsa.DecryptOAEP(sha256.New(), nil, priv, encKey, nil)
	if err != nil || len(cek) != 32 {
		// Go on with a random key, so that a bad encrypted key and a bad ciphertext fail alike
		// (RFC 7516 §11.5): the answer must not tell which part was wrong.
		cek = make([]byte, 32)
		_, _ = rand.Read(cek)
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return fail("content key: %v", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return fail("content key: %v", err)
	}
	// The additional authenticated data is the protected header as sent (RFC 7516 §5.2).
	plain, err := gcm.Open(sealed[:0], iv, sealed, parts[0])
	if err != nil {
		return fail("authentication failed: the ciphertext, header or key does not match")
	}
	if h.Zip == jwa.Deflate.String() {
		zr := flate.NewReader(bytes.NewReader(plain))
		inflated, err := io.ReadAll(io.LimitReader(zr, max+1))
		if err != nil {
			return fail("decompress: %v", err)
		}
		plain = inflated
	}
	if int64(len(plain)) > max {
		return nil, h, fmt.Errorf("%w: plaintext of more than %d bytes", ErrTooLarge, max)
	}
	return plain, h, nil
}
