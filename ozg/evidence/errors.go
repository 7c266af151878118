package evidence

import "errors"

// ErrInvalidKey: a blob key breaks the key rules of [BlobStore].
var ErrInvalidKey = errors.New("evidence: invalid blob key")
