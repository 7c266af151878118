package saml

import (
	"errors"
	"fmt"

	"github.com/ozgkit/ozgkit/identity"
)

// Errors; each but ErrMetadata also matches the identity sentinel named.
var (
	// ErrState: the callback does not belong to a login begun in this browser (no or another
	// transaction cookie, wrong RelayState, login expired). Matches identity.ErrLogin.
	ErrState = fmt.Errorf("%w: state", identity.ErrLogin)
	// ErrResponse: the SAML response is malformed or not valid: signature, encryption,
	// issuer, InResponseTo, destination, audience, recipient, validity period, status.
	// Matches identity.ErrLogin.
	ErrResponse = fmt.Errorf("%w: saml response", identity.ErrLogin)
	// ErrReplayed: the assertion was accepted before. Matches identity.ErrLogin and
	// identity.ErrReplayed.
	ErrReplayed = fmt.Errorf("%w: saml assertion: %w", identity.ErrLogin, identity.ErrReplayed)
	// ErrMetadata: the configured identity provider metadata is unusable.
	ErrMetadata = errors.New("saml: identity provider metadata")
)

// StatusError is a response whose status is not Success: the identity provider could not or
// would not log the citizen in. It matches identity.ErrLogin, and identity.ErrLevelTooLow
// when the status says the requested authentication context cannot be met (NoAuthnContext).
type StatusError struct {
	Code    string // top-level status code URI
	SubCode string // second-level status code URI, if any
	Message string
}

func (e *StatusError) Error() string {
	s := "saml: identity provider answered " + e.Code
	if e.SubCode != "" {
		s += " / " + e.SubCode
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is makes a *StatusError match identity.ErrLogin, and identity.ErrLevelTooLow for
// NoAuthnContext.
func (e *StatusError) Is(target error) bool {
	return target == identity.ErrLogin || (target == identity.ErrLevelTooLow && e.SubCode == statusNoAuthnContext)
}

const statusNoAuthnContext = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext"
