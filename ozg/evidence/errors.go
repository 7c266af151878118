package evidence

import (
	"errors"
	"fmt"

	"github.com/ozgkit/ozgkit/internal/memblob"
)

// ErrInvalidKey: a blob key breaks the key rules of [BlobStore]. It is the same value as
// mailbox.ErrInvalidBlobKey, so one blob store serves both packages with one contract.
var ErrInvalidKey = memblob.ErrInvalidKey

// Errors of the upload pipeline and the stores, checked with errors.Is. Every refusal of an
// upload is a *[RefusedError] that wraps one of the Err...Refused sentinels below as well.
var (
	// ErrNotFound: no evidence with that id (or not in that application).
	ErrNotFound = errors.New("evidence: not found")
	// ErrExists: an evidence with that id is already stored.
	ErrExists = errors.New("evidence: already exists")

	// ErrTooLarge: the file is larger than the requirement's MaxSize or than what is left of
	// the application's total size budget.
	ErrTooLarge = errors.New("evidence: file too large")
	// ErrEmpty: the file has no content.
	ErrEmpty = errors.New("evidence: file is empty")
	// ErrMediaType: the sniffed media type is not accepted by the requirement.
	ErrMediaType = errors.New("evidence: media type not accepted")
	// ErrExtensionMismatch: the file name's extension contradicts the sniffed content.
	ErrExtensionMismatch = errors.New("evidence: file name extension contradicts content")
	// ErrTooManyFiles: the requirement or the application already has the most files allowed.
	ErrTooManyFiles = errors.New("evidence: too many files")
	// ErrInfected: the scanner found malware; the file was discarded.
	ErrInfected = errors.New("evidence: file infected")
	// ErrUnknownRequirement: the upload names a requirement the service does not have.
	ErrUnknownRequirement = errors.New("evidence: unknown requirement")

	// ErrNotClean: the evidence is not (yet) scanned clean and cannot be downloaded or used.
	ErrNotClean = errors.New("evidence: not scanned clean")
	// ErrScanFailed: the scanner could not give a verdict (daemon down, size limit, timeout).
	ErrScanFailed = errors.New("evidence: scan failed")
)

// RefusedError is an upload the pipeline refused. Field names the part of the request at
// fault ("file" or "requirement"); Message and MessageEN say what is wrong for the citizen.
// It wraps the sentinel (Err) that classifies it.
type RefusedError struct {
	Err       error
	Field     string
	Message   string
	MessageEN string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%v: %s", e.Err, e.MessageEN)
}

func (e *RefusedError) Unwrap() error { return e.Err }

func refused(err error, field, de, en string) *RefusedError {
	return &RefusedError{Err: err, Field: field, Message: de, MessageEN: en}
}
