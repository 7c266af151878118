package fitconnect

import (
	"errors"
	"fmt"
)

// Sentinel errors, checked with errors.Is. Errors returned by this package wrap one of them
// with the detail of what was wrong.
var (
	// ErrKey: an encryption or signature key does not meet the rules (size, exponent,
	// key_ops, alg, kid, certificate chain).
	ErrKey = errors.New("fitconnect: key refused")
	// ErrUntrusted: the key's x5c certificate chain does not lead to a configured trust anchor.
	ErrUntrusted = errors.New("fitconnect: certificate chain not trusted")
	// ErrTooLarge: a payload is larger than the configured bound.
	ErrTooLarge = errors.New("fitconnect: payload too large")
	// ErrDecrypt: a JWE could not be decrypted (wrong key, tampered ciphertext, bad header).
	ErrDecrypt = errors.New("fitconnect: decryption failed")
	// ErrMetadata: a metadata document is missing facts or does not fit the schema's rules.
	ErrMetadata = errors.New("fitconnect: invalid metadata")
	// ErrHashMismatch: decrypted content does not have the SHA-512 the metadata announces.
	ErrHashMismatch = errors.New("fitconnect: hash mismatch")
	// ErrEvent: a Security Event Token of the event log failed verification.
	ErrEvent = errors.New("fitconnect: invalid security event token")
	// ErrCallback: a callback's authentication failed (missing headers, bad HMAC).
	ErrCallback = errors.New("fitconnect: callback not authentic")
	// ErrCallbackExpired: a callback's timestamp is older than five minutes (or too far
	// in the future).
	ErrCallbackExpired = errors.New("fitconnect: callback timestamp out of range")
	// ErrNoRoute: no destination is configured for the submission's service.
	ErrNoRoute = errors.New("fitconnect: no route for service")
)

// APIError is a failed call to the Submission API, with the problem details (RFC 7807) the
// service sent, if any.
type APIError struct {
	Method string
	Path   string
	Status int
	// Type, Title and Detail come from an application/problem+json body.
	Type, Title, Detail string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("fitconnect: %s %s: status %d", e.Method, e.Path, e.Status)
	if e.Title != "" {
		msg += ": " + e.Title
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Temporary reports whether retrying may cure the failure: every 5xx, 408 and 429.
func (e *APIError) Temporary() bool {
	return e.Status >= 500 || e.Status == 408 || e.Status == 429
}
