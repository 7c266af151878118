// Package saml is a SAML 2.0 service provider for BundID (and other SAML Servicekonten),
// built on github.com/crewjam/saml for XML signatures (goxmldsig), XML encryption and the
// SAML schema, with the BundID specifics and ozgkit's trust rules on top.
//
// # Login
//
// [New] takes a [Config] (entity id, assertion consumer service URL, the identity
// provider's metadata, the portal's keys) and returns a [ServiceProvider], which implements
// identity.Authenticator. BeginLogin sends a signed AuthnRequest with the HTTP-Redirect
// binding (signature over the query) or the HTTP-POST binding (enveloped signature):
// RequestedAuthnContext with Comparison="minimum" and the STORK-QAA-Level-1…4 class of the
// requested level, ForceAuthn="true" when the request carries a session principal below that
// level (a step-up), and the AKDB extension BundID reads, naming the requested attributes by
// OID ([BundIDAttributes]) and the display name. The transaction (RelayState, request id,
// level, return path) travels in a sealed, SameSite=Lax cookie.
//
// # Responses
//
// FinishLogin accepts responses posted with the HTTP-POST binding. It checks, in this order:
// the transaction cookie and RelayState; the XML signature of the Response or of the
// Assertion against the signing certificates in the configured metadata only (pinned; certificates
// inside the message are not trusted); decryption of an EncryptedAssertion with RSA-OAEP and
// AES-GCM or AES-CBC (CBC only inside a signed Response, against padding oracles); issuer,
// status, Destination, InResponseTo, audience, bearer recipient, and NotBefore/NotOnOrAfter
// with a small leeway (30 s); that the assertion id was not accepted before, in an
// identity.ReplayCache that all replicas share (ozg/sqlstore has one); and that the
// AuthnContextClassRef reaches the requested level, else identity.ErrLevelTooLow. STORK
// levels 1 and 2 are basic, 3 substantial, 4 high; a BundID trust level attribute naming a
// lower level lowers the login to it. Attributes become an identity.Principal through an
// identity.ClaimMapping keyed by OID (identity.BundIDClaims by default).
//
// # Mounting
//
// The identity provider posts its response cross-site, and browsers leave SameSite=Lax
// cookies out of such posts. Wrap the Gate's callback handler in [ServiceProvider.ACS]: it
// posts a response that arrived without its transaction cookie once more from the portal's
// own origin. Serve [ServiceProvider.MetadataHandler] for the identity provider's operator.
//
//	mux.Handle("/auth/callback", sp.ACS(gate.CallbackHandler()))
//	mux.Handle("/saml/metadata", sp.MetadataHandler())
//
// # Testing
//
// identity/samltest is a local BundID-like SAML identity provider with the personas of
// identity/identitytest. The tests here refuse the classic attacks (signature wrapping,
// unsigned or injected assertions, comment injection, replay, wrong audience, expiry,
// downgraded authentication context), and an interop test logs in through SimpleSAMLphp
// when OZGKIT_TEST_SIMPLESAMLPHP names an installation.
package saml
