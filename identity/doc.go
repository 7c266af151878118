// Package identity knows who the citizen is and how sure we are of it.
//
// # Trust levels
//
// [Level] is the Vertrauensniveau a login reached: none < basic < low < substantial < high.
// BundID's username/password login (STORK-QAA-Level-1/-2) is basic and does NOT meet eIDAS low;
// an ELSTER certificate (STORK-QAA-Level-3) is eIDAS substantial; the German eID card
// (STORK-QAA-Level-4) is eIDAS high. A service requires a level; a login meets it when
// [Level.Meets] says so. [ParseSTORK], [ParseEIDAS], [Level.STORK] and [Level.EIDAS] translate
// the two vocabularies; an [ACRMapping] (data, see [DefaultACRMapping]) translates whatever
// acr values a broker uses, both ways.
//
// # Principal and claims
//
// A [Principal] is who logged in: a stable subject (for BundID the bPK2 pseudonym, never the
// e-mail address), level, method, issuer, auth time, the citizen facts a form may prefill
// (names, birth data, address, nationality, e-mail, Postfach handle; each optional) and, for
// organisation accounts, an [Organisation]. A [ClaimMapping] says as data which claims carry
// which field: [BundIDClaims] for the BundID attribute OIDs, [StandardClaims] for OpenID
// Connect's standard claims.
//
// # Logins, sessions and the gate
//
// An [Authenticator] runs a browser login at an identity provider (identity/oidc's
// RelyingParty; identity/saml's ServiceProvider for BundID over SAML 2.0); a
// [BearerVerifier] checks API clients' tokens. After login the principal lives in a session
// cookie that [Sessions] seals with a [Keyring] (JWE dir + A256GCM, several keys for
// rotation), with idle and absolute expiry. The cookie carries a session id that a
// [SessionStore] must confirm on every request: logout, a step-up and a new login end the
// old session in the store, so its cookie is refused from then on, on every replica that
// shares the store ([MemorySessionStore] for one process; ozg/sqlstore for several).
// [Sessions.EndAll] ends every session of a person. A [Gate] puts it all in front of handlers:
// [Gate.Authenticate] (session cookie or bearer token, CSRF check for state-changing
// requests), [Gate.RequireLevel] (401/403 as problem+json with the required level, browsers
// redirected to a login or step-up), and the login, callback and logout handlers.
// [PrincipalFrom] reads the principal in a handler.
//
// # Step-up and logout
//
// [Gate.LoginHandler] puts the browser's current principal on the context the
// Authenticator's BeginLogin sees. An authenticator that finds an authenticated principal
// below the requested level makes the provider authenticate anew (OpenID Connect
// prompt=login and max_age=0, SAML ForceAuthn): a provider that holds a session at the lower
// level would otherwise answer with it again. [Principal.LogoutHint] keeps what the
// authenticator needs to end the provider session (the ID token for id_token_hint); the
// session cookie carries it while it fits, and JSON never shows it.
//
// [Level.German] names the levels as citizens read them: Basisregistrierung, niedrig,
// substanziell, hoch.
//
// A [ReplayCache] makes one-time values of an identity provider (SAML assertion ids) one-time
// across replicas: [MemoryReplayCache] for one process, ozg/sqlstore's for several.
//
// # Testing
//
// identity/identitytest is a local BundID-like OpenID provider for tests and examples,
// identity/samltest its SAML counterpart with the same personas; identity/sessiontest is the
// conformance suite every [SessionStore] passes.
//
// identity is a leaf package: it imports nothing else of ozgkit but internal packages.
package identity
