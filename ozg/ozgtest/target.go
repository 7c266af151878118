package ozgtest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ozgkit/ozgkit/identity"
)

// ErrLevelUnavailable is what a [Target]'s Login returns (wrapped) when it cannot log in at
// the level asked for; the checks that need that level are then skipped, not failed.
var ErrLevelUnavailable = errors.New("ozgtest: login at this trust level is not available")

// Target describes a running portal (an ozg/portal Portal or anything that claims to serve the same
// journey) and one of its services, for [Check] and [Run]. Everything is reached over HTTP.
type Target struct {
	// BaseURL is the URL of the portal's API prefix, e.g. "http://127.0.0.1:8080/api": the
	// routes /services, /applications, /openapi.json live below it. Required.
	BaseURL string
	// ServiceID names the service to check, e.g. "wohngeld". Required.
	ServiceID string

	// Login returns a client logged in as citizen A at level, carrying whatever the portal
	// needs on every request (session cookie and CSRF token, or a bearer token). The checks
	// call it once for the service's level (at least basic) and once for basic when the
	// service needs more. When it cannot log in at level it returns an error wrapping
	// [ErrLevelUnavailable]. Required.
	Login func(ctx context.Context, level identity.Level) (*http.Client, error)
	// Other returns a client logged in as a second citizen B at level (the service's, at least
	// basic), for the rule that another owner's ids answer 404. B must not be A. Without it
	// the owner checks are skipped.
	Other func(ctx context.Context, level identity.Level) (*http.Client, error)
	// Waive lists security checks (by id, e.g. "owner-get") whose skip the caller accepts,
	// for instance when no second test citizen exists. Without a waiver a skipped security
	// check makes Report.Err fail: an unproven rule is not a pass.
	Waive []string
	// Anonymous sends the requests without login; nil means a plain client without cookies.
	Anonymous *http.Client

	// Data is valid and complete application data (the form's JSON document). Without it the
	// submission checks are skipped.
	Data json.RawMessage
	// Evidence holds a sample file per evidence requirement id. A required requirement without
	// one gets a small generated PDF when it accepts application/pdf; otherwise the submission
	// checks are skipped.
	Evidence map[string]File
	// Pay pays a fee at the payment provider: it gets A's client and the pay page URL the
	// portal answered (redirectUrl), acts as the citizen there, and returns the URL the
	// provider sends the citizen back to ("" means the portal's return route with the payment
	// id). Without it, a service whose fee is due before submission has its payment and
	// submission checks skipped.
	Pay func(ctx context.Context, c *http.Client, redirectURL string) (returnURL string, err error)
}

// File is a sample evidence file (Nachweis).
type File struct {
	Name    string
	Content []byte
}

// samplePDF is a minimal PDF: what content sniffing recognises as application/pdf.
var samplePDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
