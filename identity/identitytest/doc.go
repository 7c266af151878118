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
// to log in at; [Provider.SetAutoLogin] answers without the page, for tests.
//
// # What it refuses
//
// Like a real provider it refuses an unregistered redirect URI (without redirecting to it),
// a missing or non-S256 PKCE challenge, a wrong code_verifier, a reused or expired code, a
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
