// Package identitytest is a local OpenID Connect provider that behaves like BundID behind an
// OIDC broker: it hands out the BundID attribute set (bPK2, names, birth data, address,
// Postfach handle) as claims and the achieved trust level as a STORK-QAA acr.
//
// # Use
//
// Under test, [NewServer] starts it on loopback with httptest; in the examples, [New] gives an
// http.Handler to mount. Personas ([Persona]) stand for test citizens: [DefaultPersonas] has
// one at each of basic, substantial and high, and an organisation account.
//
// The authorize endpoint shows a small accessible HTML page to choose a persona and the level
// to log in at, naming the levels in the portal's words (identity.Level.German);
// [Provider.SetAutoLogin] answers without the page, for tests.
//
// # Sessions, prompt and max_age
//
// Like a real provider it remembers a login in the browser with a session cookie
// ([SessionCookie]) and answers a later authorization request from it, at the level of that
// login, whatever acr_values asks for: acr_values is voluntary. It authenticates anew only
// without a session, with prompt=login, or when the session is older than max_age; so a
// relying party that needs a higher level than the session's must ask with prompt=login (or
// max_age=0). prompt=none never shows a page: without a usable session it redirects with
// error=login_required (OpenID Connect Core 1.0 section 3.1.2.1).
//
// # Logout and userinfo
//
// The end-session endpoint (RP-Initiated Logout 1.0) takes GET and POST. With a valid
// id_token_hint it ends the provider session at once and redirects to a registered
// post_logout_redirect_uri; without one it asks the citizen to confirm first. The userinfo
// endpoint takes only the access token and answers errors with RFC 6750 Bearer challenges.
// Authorization responses carry iss, and the discovery document says so (RFC 9207).
//
// # What it refuses
//
// Like a real provider it refuses an unregistered redirect URI (without redirecting to it),
// a missing or non-S256 PKCE challenge, an unknown prompt value or prompt=none with others,
// a malformed max_age, a response_mode other than query, a wrong code_verifier, a reused or expired code, a
// code presented by another client or with another redirect URI, and a wrong client secret.
//
// # Conformance
//
// [RunAuthenticatorConformance] is the contract of identity.Authenticator as a test suite:
// identity/oidc's relying party passes it against this provider, identity/saml's service
// provider against identity/samltest. [RunReplayCacheConformance] is the contract of
// identity.ReplayCache.
//
// # Keys
//
// The JWKS holds an RSA and an EC P-256 key per generation. [Provider.RotateKeys] starts a new
// generation; the previous one stays published until the next rotation. Tokens are signed
// RS256 unless [Provider.SetSigningAlgorithm] says ES256. [Provider.Sign] signs any claims with
// the current keys, so relying-party tests can build the bad tokens they must refuse.
package identitytest
