package evidence

import (
	"context"
	"io"
)

// BlobStore keeps the bytes of uploaded files under opaque keys chosen by the caller (never
// derived from a user's file name).
//
// Contract, checked by the conformance suite:
//   - Put streams r to the store under key and returns the number of bytes written. It never
//     holds the whole content in memory. A Put that fails (r returns an error, ctx is canceled,
//     the disk is full) leaves nothing behind under key; a Put that succeeds is durable and
//     replaces any earlier content under key atomically.
//   - Open returns a reader of the content; the caller closes it.
//   - Stat returns the content's size in bytes.
//   - Delete removes key; deleting a missing key is not an error.
//   - Open and Stat of a missing key return an error that wraps fs.ErrNotExist.
//   - A key is 1 to 256 characters of [A-Za-z0-9/_.-], with no empty, "." or ".." segment;
//     any other key is refused with an error wrapping ErrInvalidKey.
//   - Implementations are safe for concurrent use.
//
// Package mailbox declares an interface with exactly this method set, so one implementation
// serves both without either package importing the other.
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Stat(ctx context.Context, key string) (int64, error)
	Delete(ctx context.Context, key string) error
}
