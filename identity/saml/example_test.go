package saml_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/saml"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

// Put the SAML service provider in front of a portal: the Gate's login and callback routes
// with the local BundID-like identity provider (in production: BundID's metadata and the
// portal's own keys).
func ExampleNew() {
	idp, err := samltest.New("http://localhost:8080/idp", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	key, cert, err := samltest.NewKeyPair("localhost", time.Now()) // development only
	if err != nil {
		fmt.Println(err)
		return
	}
	sp, err := saml.New(saml.Config{
		EntityID:                "http://localhost:8080/saml/metadata",
		ACSURL:                  "http://localhost:8080/auth/callback",
		IdPMetadata:             idp.Metadata(),
		Key:                     key,
		Certificate:             cert,
		OrganizationDisplayName: "Stadt Musterhausen",
	}, nil) // Options: the session keyring and a shared ReplayCache when running replicas
	if err != nil {
		fmt.Println(err)
		return
	}
	md, _ := sp.Metadata()
	if err := idp.AddServiceProvider(md); err != nil {
		fmt.Println(err)
		return
	}
	ring, _ := identity.NewKeyring(identity.Key{ID: "dev", Secret: make([]byte, 32)})
	sessions, _ := identity.NewSessions(ring, &identity.SessionOptions{Insecure: true})
	gate := identity.NewGate(sessions, sp, nil, nil)

	mux := http.NewServeMux()
	mux.Handle("/idp/", idp)
	mux.Handle("/saml/metadata", sp.MetadataHandler())
	mux.Handle("/auth/login", gate.Authenticate(gate.LoginHandler()))
	mux.Handle("/auth/callback", sp.ACS(gate.CallbackHandler()))
	fmt.Println(sp.IdPEntityID())
	// Output: http://localhost:8080/idp/metadata
}
