// Package memblob is the one in-memory blob store and key check behind
// ozg/evidence.MemoryBlobStore and mailbox.MemoryBlobStore, which share a method set but may not
// import each other.
package memblob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
)

// ErrInvalidKey: a blob key breaks the key rules. ozg/evidence and mailbox export it under
// their own names.
var ErrInvalidKey = errors.New("invalid blob key")

// MaxKeyLength is the longest blob key.
const MaxKeyLength = 256

// CheckKey applies the blob key rules: 1 to 256 characters of [A-Za-z0-9/_.-], with no empty,
// "." or ".." segment. Its errors wrap ErrInvalidKey.
func CheckKey(key string) error {
	invalid := ErrInvalidKey
	if key == "" {
		return fmt.Errorf("%w: empty", invalid)
	}
	if len(key) > MaxKeyLength {
		return fmt.Errorf("%w: %d characters, at most %d", invalid, len(key), MaxKeyLength)
	}
	segStart := 0
	for i := 0; i <= len(key); i++ {
		if i == len(key) || key[i] == '/' {
			seg := key[segStart:i]
			if seg == "" || seg == "." || seg == ".." {
				return fmt.Errorf("%w: %q has an empty, \".\" or \"..\" segment", invalid, key)
			}
			segStart = i + 1
			continue
		}
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("%w: character %q at %d", invalid, c, i)
		}
	}
	return nil
}

// Store keeps blobs in memory. Content is stored only once its reader is read to the end, so a
// failed Put keeps nothing. It is safe for concurrent use.
type Store struct {
	pkg   string // names the owning package in errors
	mu    sync.RWMutex
	blobs map[string][]byte
}

// New returns an empty store whose errors start with pkg.
func New(pkg string) *Store {
	return &Store{pkg: pkg, blobs: make(map[string][]byte)}
}

// Put stores what r yields under key.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, ctxReader{ctx, r})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("%s: put blob %q: %w", s.pkg, key, err)
	}
	s.mu.Lock()
	s.blobs[key] = buf.Bytes()
	s.mu.Unlock()
	return n, nil
}

// Open returns a reader of key's content. Stored content never changes in place, so readers
// share it.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	b, err := s.get(ctx, key, "open")
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// Stat returns the size of key's content.
func (s *Store) Stat(ctx context.Context, key string) (int64, error) {
	b, err := s.get(ctx, key, "stat")
	if err != nil {
		return 0, err
	}
	return int64(len(b)), nil
}

func (s *Store) get(ctx context.Context, key, op string) ([]byte, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	b, ok := s.blobs[key]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%s: %s blob %q: %w", s.pkg, op, key, fs.ErrNotExist)
	}
	return b, nil
}

// Delete removes key; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.blobs, key)
	s.mu.Unlock()
	return nil
}

// Len returns the number of stored blobs.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.blobs)
}

// ContextReader returns a reader of r that fails once ctx is done, so a long copy stops on
// cancel.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
