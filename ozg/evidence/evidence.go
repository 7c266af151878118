package evidence

import "time"

// ScanState is where an evidence stands in virus scanning. Only [ScanClean] evidence is usable:
// downloadable, and counted as present at submission.
type ScanState string

const (
	// ScanPending: stored, not yet scanned (queued scanning).
	ScanPending ScanState = "pending"
	// ScanClean: the scanner found nothing.
	ScanClean ScanState = "clean"
	// ScanInfected: the scanner found malware; the bytes were deleted, the record stays so
	// the citizen sees why (queued scanning only: a synchronous upload is refused instead).
	ScanInfected ScanState = "infected"
	// ScanFailed: the scanner could not give a verdict during a synchronous upload, or the file
	// is too long for it; see [Manager.Rescan].
	ScanFailed ScanState = "failed"
)

// Evidence (Nachweis) is one uploaded file bound to an evidence requirement of an application.
type Evidence struct {
	// ID is random (a UUID) and says nothing about the file.
	ID string `json:"id"`
	// ApplicationID is the application (Antrag) the file belongs to.
	ApplicationID string `json:"applicationId"`
	// RequirementID is the [Requirement] the file fulfils.
	RequirementID string `json:"requirement"`
	// FileName is the client's file name after [SanitizeFileName]; metadata only, never a path.
	FileName string `json:"fileName"`
	// MediaType is sniffed from the content, without parameters, e.g. "application/pdf".
	MediaType string `json:"mediaType"`
	// Size in bytes.
	Size int64 `json:"size"`
	// SHA512 is the lower-case hex SHA-512 of the content, as FIT-Connect metadata carries it.
	SHA512 string `json:"sha512"`
	// ScanState says whether the file is usable; ScanDetail names the signature found or why
	// the scan failed.
	ScanState  ScanState `json:"scanState"`
	ScanDetail string    `json:"scanDetail,omitempty"`
	// BlobKey is where the bytes are in the [BlobStore]; random, never derived from FileName.
	BlobKey   string    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Usable reports whether the evidence is scanned clean.
func (e Evidence) Usable() bool { return e.ScanState == ScanClean }
