package saml_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func TestServiceProviderIsAConformingAuthenticator(t *testing.T) {
	for _, enc := range []samltest.Encryption{samltest.EncryptAES256GCM, samltest.EncryptAES128CBC} {
		t.Run(string(enc), func(t *testing.T) {
			identitytest.RunAuthenticatorConformance(t, func(t *testing.T) identitytest.AuthenticatorHarness {
				f := newFixture(t, &samltest.Options{Encryption: enc}, nil)
				return identitytest.AuthenticatorHarness{
					Authenticator: f.sp,
					LoginForm: func(t *testing.T, authURL, persona string) (string, url.Values) {
						form := f.respond(t, authURL, persona)
						return form.Action, form.Fields
					},
				}
			})
		})
	}
}
