package oidc_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/oidc"
)

func TestRelyingPartyIsAConformingAuthenticator(t *testing.T) {
	identitytest.RunAuthenticatorConformance(t, func(t *testing.T) identitytest.AuthenticatorHarness {
		idp, srv := identitytest.NewServer(nil)
		t.Cleanup(srv.Close)
		const callback = "https://portal.example/auth/callback"
		idp.AddClient(identitytest.Client{ID: "portal", Secret: "pw", RedirectURIs: []string{callback}})
		rp, err := oidc.New(context.Background(), oidc.Config{Issuer: idp.Issuer(), ClientID: "portal", ClientSecret: "pw", RedirectURL: callback}, nil)
		if err != nil {
			t.Fatal(err)
		}
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		return identitytest.AuthenticatorHarness{
			Authenticator: rp,
			Login: func(t *testing.T, authURL, persona string) string {
				if err := idp.SetAutoLogin(persona); err != nil {
					t.Fatal(err)
				}
				resp, err := noFollow.Get(authURL)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusFound {
					t.Fatalf("provider answered %d", resp.StatusCode)
				}
				return resp.Header.Get("Location")
			},
		}
	})
}
