package oidc_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/oidc"
)

// A portal service that requires the eID card (high), behind a Gate with the relying party,
// logging in at the local BundID-like provider.
func Example() {
	idp, idpSrv := identitytest.NewServer(nil)
	defer idpSrv.Close()
	mux := http.NewServeMux()
	portal := httptest.NewServer(mux)
	defer portal.Close()
	idp.AddClient(identitytest.Client{ID: "portal", Secret: "secret", RedirectURIs: []string{portal.URL + "/auth/callback"}})

	keys, _ := identity.NewKeyring(identity.Key{ID: "2026-11", Secret: bytes.Repeat([]byte{42}, 32)}) // use random keys
	rp, err := oidc.New(context.Background(), oidc.Config{
		Issuer: idp.Issuer(), ClientID: "portal", ClientSecret: "secret",
		RedirectURL: portal.URL + "/auth/callback",
	}, &oidc.Options{Keys: keys})
	if err != nil {
		fmt.Println(err)
		return
	}
	sessions, _ := identity.NewSessions(keys, &identity.SessionOptions{Insecure: true}) // http://127.0.0.1
	gate := identity.NewGate(sessions, rp, rp, nil)
	mux.Handle("/auth/login", gate.LoginHandler())
	mux.Handle("/auth/callback", gate.CallbackHandler())
	mux.Handle("/bescheid", gate.Authenticate(gate.RequireLevel(identity.LevelHigh)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := identity.PrincipalFrom(r.Context())
			fmt.Fprintf(w, "Guten Tag, %s %s (%v, %v)", p.GivenNames, p.FamilyName, p.Level, p.Method)
		}))))

	_ = idp.SetAutoLogin("erika") // no chooser page in an example
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	req, _ := http.NewRequest("GET", portal.URL+"/bescheid", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := browser.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: Guten Tag, Erika Mustermann (high, eid)
}

// A provider that sends no acr (a plain username-and-password provider, say) is refused
// unless the configuration names the level its logins get. Here its tokens count as basic.
func ExampleConfig_levelWithoutACR() {
	idp, srv := identitytest.NewServer(nil)
	defer srv.Close()
	claims := identity.StandardClaims()
	rp, err := oidc.New(context.Background(), oidc.Config{
		Issuer: idp.Issuer(), ClientID: "portal", RedirectURL: "https://portal.example/auth/callback",
		Claims:          &claims,
		LevelWithoutACR: identity.LevelBasic, // off by default: BundID brokers always send acr
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Now()
	token, _ := idp.Sign(map[string]any{ // a token without acr, as such a provider issues it
		"iss": idp.Issuer(), "sub": "user-17", "aud": "portal", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	})
	p, err := rp.VerifyBearer(context.Background(), token)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Subject, p.Level, p.Level.German())
	// Output: user-17 basic Basisregistrierung
}
