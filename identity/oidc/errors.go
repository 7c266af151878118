package oidc

import (
	"errors"
	"fmt"

	"github.com/ozgkit/ozgkit/identity"
)

// Errors; each also matches the identity sentinel named.
var (
	// ErrUnknownKey: the token names a kid the provider's JWKS does not have, even after a
	// refresh. Matches identity.ErrInvalidToken.
	ErrUnknownKey = fmt.Errorf("%w: unknown signing key", identity.ErrInvalidToken)
	// ErrAlgorithm: the token's alg is not on the allow-list. Matches identity.ErrInvalidToken.
	ErrAlgorithm = fmt.Errorf("%w: algorithm not allowed", identity.ErrInvalidToken)
	// ErrNonce: the ID token's nonce is missing, wrong or was used before. Matches
	// identity.ErrInvalidToken.
	ErrNonce = fmt.Errorf("%w: nonce", identity.ErrInvalidToken)
	// ErrState: the callback's state does not belong to a login begun here. Matches
	// identity.ErrLogin.
	ErrState = fmt.Errorf("%w: state", identity.ErrLogin)
	// ErrDiscovery: the discovery document is missing, malformed, or for another issuer.
	ErrDiscovery = errors.New("oidc: discovery")
)

// ProviderError is an OAuth 2.0 error the provider answered with, at the authorization or
// token endpoint. It matches identity.ErrLogin.
type ProviderError struct {
	Endpoint    string // "authorize", "token" or "userinfo"
	Code        string // e.g. "access_denied", "invalid_grant"
	Description string
}

func (e *ProviderError) Error() string {
	return fmt.Sprintf("oidc: %s endpoint: %s: %s", e.Endpoint, e.Code, e.Description)
}

// Unwrap makes a *ProviderError match identity.ErrLogin.
func (e *ProviderError) Unwrap() error { return identity.ErrLogin }
