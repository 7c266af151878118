package samltest_test

import (
	"fmt"
	"net/http"

	"github.com/ozgkit/ozgkit/identity/samltest"
)

// Mount the local SAML identity provider in an example app; register the portal with its
// SP metadata (identity/saml's ServiceProvider.Metadata) before the first login.
func ExampleNew() {
	idp, err := samltest.New("http://localhost:8080/idp", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/idp/", idp) // /idp/metadata, /idp/sso, /idp/choose
	fmt.Println(idp.EntityID())
	// Output: http://localhost:8080/idp/metadata
}
