package evidence

import "github.com/ozgkit/ozgkit/internal/memblob"

// MaxKeyLength is the longest blob key a [BlobStore] accepts.
const MaxKeyLength = memblob.MaxKeyLength

// CheckKey reports whether key follows the key rules of [BlobStore]: 1 to 256 characters of
// [A-Za-z0-9/_.-], with no empty, "." or ".." segment. The error wraps [ErrInvalidKey] and
// says what is wrong. Implementations call it first in every method.
func CheckKey(key string) error { return memblob.CheckKey(key) }
