package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
)

// Key is a symmetric key for sealing cookies: 32 random bytes (AES-256) and an ID that is
// written into each sealed value's header, so values sealed with an older key still open
// while that key is in the [Keyring].
type Key struct {
	ID     string
	Secret []byte
}

// Keyring seals and opens small values (the session cookie, the login transaction) as
// compact JWE with alg "dir" and enc "A256GCM": encrypted and authenticated. The first key
// seals; every key opens. To rotate, put a new key first and keep the old ones until every
// value sealed with them has expired; a key removed from the ring is retired and what it
// sealed no longer opens.
type Keyring struct {
	keys    []Key
	byID    map[string][]byte
	current Key
}

// Errors of [Keyring.Open].
var (
	// ErrSealed is returned (wrapped) for any value that does not open: malformed, tampered,
	// sealed with a retired key, or with other algorithms.
	ErrSealed = errors.New("identity: sealed value does not open")
)

// MaxSealed bounds the length of a sealed value [Keyring.Open] accepts: a cookie is at most
// about 4 KiB.
const MaxSealed = 8 << 10

// NewKeyring returns a keyring. It needs at least one key; every key must have a unique,
// non-empty ID of at most 64 printable ASCII characters and a 32-byte secret.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("identity: keyring needs at least one key")
	}
	k := &Keyring{byID: map[string][]byte{}}
	for i, key := range keys {
		switch {
		case key.ID == "" || len(key.ID) > 64 || strings.IndexFunc(key.ID, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0:
			return nil, fmt.Errorf("identity: key %d: ID must be 1 to 64 printable ASCII characters", i)
		case len(key.Secret) != 32:
			return nil, fmt.Errorf("identity: key %q: secret must be 32 bytes, is %d", key.ID, len(key.Secret))
		}
		if _, dup := k.byID[key.ID]; dup {
			return nil, fmt.Errorf("identity: key ID %q used twice", key.ID)
		}
		secret := append([]byte(nil), key.Secret...)
		k.byID[key.ID] = secret
		k.keys = append(k.keys, Key{ID: key.ID, Secret: secret})
	}
	k.current = k.keys[0]
	return k, nil
}

// Seal encrypts plaintext with the current key.
func (k *Keyring) Seal(plaintext []byte) (string, error) {
	hdr := jwe.NewHeaders()
	if err := hdr.Set(jwe.KeyIDKey, k.current.ID); err != nil {
		return "", err
	}
	out, err := jwe.Encrypt(plaintext,
		jwe.WithKey(jwa.DIRECT, k.current.Secret),
		jwe.WithContentEncryption(jwa.A256GCM),
		jwe.WithProtectedHeaders(hdr),
		jwe.WithCompact())
	if err != nil {
		return "", fmt.Errorf("identity: seal: %w", err)
	}
	return string(out), nil
}

// Open decrypts a value sealed by [Keyring.Seal] with any key of the ring. Anything else,
// including values over [MaxSealed] bytes, compressed ones or ones with other algorithms, is
// refused with an error wrapping [ErrSealed].
func (k *Keyring) Open(sealed string) ([]byte, error) {
	if len(sealed) > MaxSealed {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrSealed, len(sealed), MaxSealed)
	}
	if strings.Count(sealed, ".") != 4 {
		return nil, fmt.Errorf("%w: not a compact JWE", ErrSealed)
	}
	var why error
	kp := jwe.KeyProviderFunc(func(_ context.Context, sink jwe.KeySink, r jwe.Recipient, m *jwe.Message) error {
		h := m.ProtectedHeaders()
		switch {
		case h.Algorithm() != jwa.DIRECT || r.Headers().Algorithm() != jwa.DIRECT:
			why = fmt.Errorf("alg %q, want dir", h.Algorithm())
		case h.ContentEncryption() != jwa.A256GCM:
			why = fmt.Errorf("enc %q, want A256GCM", h.ContentEncryption())
		case h.Compression() != jwa.NoCompress:
			why = errors.New("compressed values are not accepted")
		default:
			secret, ok := k.byID[h.KeyID()]
			if !ok {
				why = fmt.Errorf("key %q is not (or no longer) in the keyring", truncate(h.KeyID(), 64))
				return why
			}
			sink.Key(jwa.DIRECT, secret)
			return nil
		}
		return why
	})
	out, err := jwe.Decrypt([]byte(sealed), jwe.WithKeyProvider(kp))
	if err != nil {
		if why != nil {
			return nil, fmt.Errorf("%w: %v", ErrSealed, why)
		}
		return nil, fmt.Errorf("%w: %v", ErrSealed, err)
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
