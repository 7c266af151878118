// Package oidc is an OpenID Connect relying party for BundID behind an OIDC broker (or any
// OpenID provider), built on github.com/lestrrat-go/jwx/v2 for every JOSE operation.
//
// # Login
//
// [New] reads the provider's discovery document. [RelyingParty] implements
// identity.Authenticator: BeginLogin sends the browser to the provider with the authorization
// code flow, PKCE (S256), state, nonce and acr_values for the required trust level (a step-up
// when the session's level is too low); FinishLogin checks state, exchanges the code, verifies
// the ID token, fetches userinfo when configured, maps the claims to an identity.Principal
// with the configured identity.ClaimMapping, and refuses a login below the requested level.
//
// # Tokens
//
// ID tokens and bearer tokens are verified against an allow-list of asymmetric algorithms
// (RS256, PS256, ES256 by default; "none" and HMAC are never accepted), the issuer, the
// audience, expiry, not-before and issued-at with a small leeway, and for ID tokens the nonce,
// which is accepted once. Keys come from the provider's JWKS by kid; the JWKS is cached and
// fetched again when a token names an unknown kid, at most once per JWKSMinRefresh.
//
// [RelyingParty.VerifyBearer] (identity.BearerVerifier) answers a repeated token from a
// bounded cache keyed by the token's SHA-256 until the token expires.
package oidc
