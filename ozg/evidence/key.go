package evidence

import "fmt"

// MaxKeyLength is the longest blob key a [BlobStore] accepts.
const MaxKeyLength = 256

// CheckKey reports whether key follows the key rules of [BlobStore]: 1 to 256 characters of
// [A-Za-z0-9/_.-], with no empty, "." or ".." segment. The error wraps [ErrInvalidKey] and
// says what is wrong. Implementations call it first in every method.
func CheckKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(key) > MaxKeyLength {
		return fmt.Errorf("%w: %d characters, at most %d", ErrInvalidKey, len(key), MaxKeyLength)
	}
	segStart := 0
	for i := 0; i <= len(key); i++ {
		if i == len(key) || key[i] == '/' {
			seg := key[segStart:i]
			if seg == "" || seg == "." || seg == ".." {
				return fmt.Errorf("%w: %q has an empty, \".\" or \"..\" segment", ErrInvalidKey, key)
			}
			segStart = i + 1
			continue
		}
		c := key[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		if !ok {
			return fmt.Errorf("%w: character %q at %d", ErrInvalidKey, c, i)
		}
	}
	return nil
}
