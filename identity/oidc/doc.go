// Package oidc is an OpenID Connect relying party for BundID behind an OIDC broker (or any
// OpenID provider), built on github.com/lestrrat-go/jwx/v2 for every JOSE operation.
//
// # Login
//
// [New] reads the provider's discovery document. [RelyingParty] implements
// identity.Authenticator: BeginLogin sends the browser to the provider with the authorization
// code flow, PKCE (S256), state, nonce and acr_values for the required trust level;
// FinishLogin checks state and the response's iss (RFC 9207; required when the provider's
// metadata promises it), exchanges the code, verifies the ID token, fetches userinfo when
// configured, maps the claims to an identity.Principal with the configured
// identity.ClaimMapping, and refuses a login below the requested level.
//
// # Tokens
//
// ID tokens and bearer tokens are verified against an allow-list of asymmetric algorithms
// (RS256, PS256, ES256 by default; "none" and HMAC are never accepted), the issuer, the
// audience, expiry, not-before and issued-at with a small leeway, and for ID tokens the nonce,
// which is accepted once. Keys come from the provider's JWKS by kid; the JWKS is cached and
// fetched again at once when a token names a kid not seen before (so the first token after a
// key rotation verifies), at most once per JWKSMinRefresh for the same unknown kid and for at
// most 32 distinct unknown kids per JWKSMinRefresh.
//
// # Step-up and logout
//
// A login begun while the citizen is logged in below the required level (the Gate puts the
// session's principal on the request context, identity.PrincipalFrom) is a step-up: besides
// acr_values it sends prompt=login and max_age=0, because a provider holding a session may
// answer acr_values from it; the callback refuses a login below the level in any case. The ID
// token is kept in the principal (identity.Principal.LogoutHint, in the session cookie while
// it fits) and sent as id_token_hint at logout.
//
// # Providers without acr
//
// A provider that sends no acr is refused unless Config.LevelWithoutACR names the level its
// logins are given (off by default).
//
// [RelyingParty.VerifyBearer] (identity.BearerVerifier) answers a repeated token from a
// bounded cache keyed by the token's SHA-256 until the token expires.
package oidc
