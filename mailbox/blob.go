package mailbox

import (
	"context"
	"io"

	"github.com/ozgkit/ozgkit/internal/memblob"
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

// ErrInvalidBlobKey: a blob key breaks the key rules of [BlobStore]. It is the same value as
// ozg/evidence.ErrInvalidKey, so one blob store serves both packages with one contract.
var ErrInvalidBlobKey = memblob.ErrInvalidKey

// MemoryBlobStore is a [BlobStore] in memory, for tests and examples. Unlike a filesystem
// store it necessarily holds every blob in memory.
type MemoryBlobStore struct{ s *memblob.Store }

// NewMemoryBlobStore returns an empty MemoryBlobStore.
func NewMemoryBlobStore() *MemoryBlobStore {
	return &MemoryBlobStore{s: memblob.New("mailbox")}
}

var _ BlobStore = (*MemoryBlobStore)(nil)

// Put implements [BlobStore]. The content is stored only once r is read to its end.
func (m *MemoryBlobStore) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	return m.s.Put(ctx, key, r)
}

// Open implements [BlobStore]. Stored content is never changed in place, so readers share it.
func (m *MemoryBlobStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	return m.s.Open(ctx, key)
}

// Stat implements [BlobStore].
func (m *MemoryBlobStore) Stat(ctx context.Context, key string) (int64, error) {
	return m.s.Stat(ctx, key)
}

// Delete implements [BlobStore].
func (m *MemoryBlobStore) Delete(ctx context.Context, key string) error { return m.s.Delete(ctx, key) }

// Len returns the number of blobs stored, for tests that check nothing was left behind.
func (m *MemoryBlobStore) Len() int { return m.s.Len() }
