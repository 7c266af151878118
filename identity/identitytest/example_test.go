package identitytest_test

import (
	"fmt"
	"net/http"

	"github.com/ozgkit/ozgkit/identity/identitytest"
)

// Mount the provider in an example app: its issuer is the URL it is served at.
func ExampleNew() {
	idp, err := identitytest.New("http://localhost:8080/idp", &identitytest.Options{
		Clients: []identitytest.Client{{
			ID: "wohngeld", Secret: "dev-only", RedirectURIs: []string{"http://localhost:8080/auth/callback"},
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/idp/", idp) // /idp/.well-known/openid-configuration, /idp/authorize, ...
	for _, p := range identitytest.DefaultPersonas() {
		fmt.Println(p.ID, p.MaxLevel)
	}
	// Output:
	// erika high
	// max substantial
	// lena basic
	// firma substantial
}
