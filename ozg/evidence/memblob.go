package evidence

import (
	"context"
	"io"

	"github.com/ozgkit/ozgkit/internal/memblob"
)

// MemoryBlobStore is a [BlobStore] in memory, for tests and examples. Unlike the contract's
// general rule it necessarily holds each content whole in memory (only after the reader is
// fully read; a failed Put keeps nothing).
type MemoryBlobStore struct{ s *memblob.Store }

// NewMemoryBlobStore returns an empty store.
func NewMemoryBlobStore() *MemoryBlobStore {
	return &MemoryBlobStore{s: memblob.New("evidence")}
}

// Put implements [BlobStore].
func (m *MemoryBlobStore) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	return m.s.Put(ctx, key, r)
}

// Open implements [BlobStore].
func (m *MemoryBlobStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	return m.s.Open(ctx, key)
}

// Stat implements [BlobStore].
func (m *MemoryBlobStore) Stat(ctx context.Context, key string) (int64, error) {
	return m.s.Stat(ctx, key)
}

// Delete implements [BlobStore].
func (m *MemoryBlobStore) Delete(ctx context.Context, key string) error { return m.s.Delete(ctx, key) }

// Len returns the number of stored blobs (for tests that check nothing was left behind).
func (m *MemoryBlobStore) Len() int { return m.s.Len() }
