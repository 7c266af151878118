// Package samltest is a local SAML 2.0 identity provider that behaves like BundID: it
// verifies signed AuthnRequests (HTTP-Redirect and HTTP-POST), reads the requested level from
// the RequestedAuthnContext (STORK-QAA-Level-1…4) and the requested attributes from the AKDB
// extension, and answers with a signed Response and a signed assertion, encrypted with
// RSA-OAEP and AES-256-GCM (or AES-128-CBC, or not at all), carrying the BundID attributes by
// OID and the achieved level as AuthnContextClassRef and trust level attribute.
//
// # Use
//
// Under test, [NewServer] starts it on loopback; in the examples, [New] gives an
// http.Handler to mount. The personas are those of identity/identitytest
// (identitytest.DefaultPersonas), so the example can run either protocol with the same test
// citizens. [Provider.AddServiceProvider] registers the portal by its SP metadata.
//
// The single sign-on endpoint shows a small page to choose a persona and a level;
// [Provider.SetAutoLogin] answers without it, at the requested level capped at the persona's
// strongest. [Provider.LastRequest] tells what the last AuthnRequest asked for (level,
// ForceAuthn, attributes), and [Provider.SetAssertionHook] lets tests change an assertion
// before it is signed, to build correctly signed but wrong ones. [Login] and [ParseForm] play
// the browser's part of the HTTP-POST binding in tests.
//
// It is built on github.com/crewjam/saml's IdentityProvider.
package samltest
