package mailbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
)

// BlobStore keeps the bytes of attachments under opaque keys chosen by the mailbox
// ("mailbox/<message id>/<n>", never derived from a file name).
//
// It has exactly the method set of ozg/evidence.BlobStore, so one implementation (e.g. the
// evidence package's filesystem store) serves both without either package importing the other.
// The contract is the same:
//   - Put streams r to the store under key and returns the number of bytes written, without
//     holding the whole content in memory (except in a memory store). A Put that fails (r
//     returns an error, ctx is canceled, the disk is full) leaves nothing under key; a Put that
//     succeeds is durable and replaces earlier content under key atomically.
//   - Open returns a reader of the content; the caller closes it.
//   - Stat returns the content's size in bytes.
//   - Delete removes key; deleting a missing key is not an error.
//   - Open and Stat of a missing key return an error that wraps fs.ErrNotExist.
//   - A key is 1 to 256 characters of [A-Za-z0-9/_.-], with no empty, "." or ".." segment;
//     any other key is refused.
//   - Implementations are safe for concurrent use.
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Stat(ctx context.Context, key string) (int64, error)
	Delete(ctx context.Context, key string) error
}

// ErrInvalidBlobKey: a blob key breaks the key rules of [BlobStore].
var ErrInvalidBlobKey = errors.New("mailbox: invalid blob key")

// checkBlobKey applies the key rules of [BlobStore].
func checkBlobKey(key string) error {
	if key == "" || len(key) > 256 {
		return fmt.Errorf("%w: length %d, want 1 to 256", ErrInvalidBlobKey, len(key))
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("%w: %q has the character %q", ErrInvalidBlobKey, key, c)
		}
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: %q has an empty, \".\" or \"..\" segment", ErrInvalidBlobKey, key)
		}
	}
	return nil
}

// MemoryBlobStore is a [BlobStore] in memory, for tests and examples. Unlike a filesystem
// store it necessarily holds every blob in memory.
type MemoryBlobStore struct {
	mu    sync.RWMutex
	blobs map[string][]byte
}

// NewMemoryBlobStore returns an empty MemoryBlobStore.
func NewMemoryBlobStore() *MemoryBlobStore {
	return &MemoryBlobStore{blobs: make(map[string][]byte)}
}

var _ BlobStore = (*MemoryBlobStore)(nil)

// ctxReader fails reads once ctx is done, so a Put stops when its context is canceled.
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

// Put implements [BlobStore]. The content is stored only once r is read to its end.
func (s *MemoryBlobStore) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := checkBlobKey(key); err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, ctxReader{ctx, r})
	if err != nil {
		return 0, fmt.Errorf("mailbox: put blob %s: %w", key, err)
	}
	s.mu.Lock()
	s.blobs[key] = buf.Bytes()
	s.mu.Unlock()
	return n, nil
}

func (s *MemoryBlobStore) get(ctx context.Context, key string) ([]byte, error) {
	if err := checkBlobKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	b, ok := s.blobs[key]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("mailbox: blob %s: %w", key, fs.ErrNotExist)
	}
	return b, nil
}

// Open implements [BlobStore]. Stored content is never changed in place, so readers share it.
func (s *MemoryBlobStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	b, err := s.get(ctx, key)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// Stat implements [BlobStore].
func (s *MemoryBlobStore) Stat(ctx context.Context, key string) (int64, error) {
	b, err := s.get(ctx, key)
	if err != nil {
		return 0, err
	}
	return int64(len(b)), nil
}

// Delete implements [BlobStore].
func (s *MemoryBlobStore) Delete(ctx context.Context, key string) error {
	if err := checkBlobKey(key); err != nil {
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

// Len returns the number of blobs stored, for tests that check nothing was left behind.
func (s *MemoryBlobStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.blobs)
}
