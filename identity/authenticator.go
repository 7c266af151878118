package identity

import (
	"context"
	"errors"
	"net/http"
)

// Authenticator runs a browser login at an identity provider. identity/oidc's RelyingParty is
// one; a SAML authenticator speaking to BundID directly would be another. Implementations must
// be safe for concurrent use.
type Authenticator interface {
	// BeginLogin answers r by sending the browser to the identity provider, asking for a login
	// of at least level. It keeps what it needs to finish the login (state, nonce, PKCE
	// verifier, returnTo) in a sealed, short-lived cookie set on w. returnTo is a local path
	// the caller has already checked.
	//
	// r's context carries the citizen's current principal when there is one (read it with
	// [PrincipalFrom]; [Gate.LoginHandler] puts the session's principal there). When that
	// principal is authenticated below level (a step-up), the implementation must make the
	// provider authenticate the citizen anew (OpenID Connect: prompt=login and max_age=0;
	// SAML: ForceAuthn): a provider that holds a session at the lower level would otherwise
	// answer with that level again, since a requested level (acr_values,
	// RequestedAuthnContext) alone does not oblige it to re-authenticate.
	BeginLogin(w http.ResponseWriter, r *http.Request, level Level, returnTo string) error
	// FinishLogin completes the login from the provider's callback request: it checks the
	// transaction cookie and the provider's answer, and returns the principal and the
	// returnTo given to BeginLogin. A login below the requested level fails with an error
	// matching [ErrLevelTooLow]. It clears the transaction cookie of the login the callback
	// names, whether the login succeeds or not.
	FinishLogin(w http.ResponseWriter, r *http.Request) (*Principal, string, error)
	// EndSessionURL returns where to send the browser to end the session at the provider
	// (single logout), or "" when the provider offers none. p is the session's principal;
	// its LogoutHint is what this authenticator put there at login (OpenID Connect: the ID
	// token for id_token_hint), or "" when the session could not keep it.
	EndSessionURL(p *Principal) string
}

// BearerVerifier verifies a bearer token (an access token or ID token an API client sends in
// Authorization: Bearer) and returns its principal. Any token that is not valid now fails
// with an error matching [ErrInvalidToken]. Implementations must be safe for concurrent use.
type BearerVerifier interface {
	VerifyBearer(ctx context.Context, token string) (*Principal, error)
}

// Sentinel errors shared by authenticators.
var (
	// ErrLevelTooLow: the login reached a lower trust level than requested.
	ErrLevelTooLow = errors.New("identity: trust level too low")
	// ErrInvalidToken: a bearer or ID token is malformed, not verifiable, or not valid now.
	ErrInvalidToken = errors.New("identity: invalid token")
	// ErrLogin: a login could not be completed (state mismatch, provider error...).
	ErrLogin = errors.New("identity: login failed")
)
