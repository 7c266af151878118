package evidence

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"sync"
)

// MemoryBlobStore is a [BlobStore] in memory, for tests and examples. Unlike the contract's
// general rule it necessarily holds each content whole in memory (only after the reader is
// fully read; a failed Put keeps nothing).
type MemoryBlobStore struct {
	mu    sync.RWMutex
	blobs map[string][]byte
}

// NewMemoryBlobStore returns an empty store.
func NewMemoryBlobStore() *MemoryBlobStore {
	return &MemoryBlobStore{blobs: make(map[string][]byte)}
}

// Put implements [BlobStore].
func (s *MemoryBlobStore) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, ctxReader{ctx, r})
	if err != nil {
		return 0, fmt.Errorf("evidence: put blob %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("evidence: put blob %q: %w", key, err)
	}
	s.mu.Lock()
	s.blobs[key] = buf.Bytes()
	s.mu.Unlock()
	return n, nil
}

// Open implements [BlobStore].
func (s *MemoryBlobStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	b, err := s.get(ctx, key, "open")
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// Stat implements [BlobStore].
func (s *MemoryBlobStore) Stat(ctx context.Context, key string) (int64, error) {
	b, err := s.get(ctx, key, "stat")
	if err != nil {
		return 0, err
	}
	return int64(len(b)), nil
}

func (s *MemoryBlobStore) get(ctx context.Context, key, op string) ([]byte, error) {
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
		return nil, fmt.Errorf("evidence: %s blob %q: %w", op, key, fs.ErrNotExist)
	}
	return b, nil
}

// Delete implements [BlobStore].
func (s *MemoryBlobStore) Delete(ctx context.Context, key string) error {
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

// Len returns the number of stored blobs (for tests that check nothing was left behind).
func (s *MemoryBlobStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.blobs)
}

// ctxReader fails a read once ctx is done, so a long copy stops on cancel.
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
