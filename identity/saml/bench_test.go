package saml_test

import (
	"context"
	"encoding/base64"
	"net/http/httptest"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

// BenchmarkBeginLogin measures building, deflating and signing an AuthnRequest (HTTP-Redirect).
func BenchmarkBeginLogin(b *testing.B) {
	fx := newFixtureTB(b, nil)
	r := httptest.NewRequest("GET", "/auth/login", nil)
	b.ReportAllocs()
	for b.Loop() {
		if err := fx.sp.BeginLogin(httptest.NewRecorder(), r, identity.LevelSubstantial, "/"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseResponse measures verifying a response: signatures, decryption (AES-256-GCM),
// conditions, replay cache, attribute mapping. Making each response at the provider is not
// timed.
func BenchmarkParseResponse(b *testing.B) {
	for _, enc := range []samltest.Encryption{samltest.EncryptAES256GCM, samltest.EncryptNone} {
		b.Run(string(enc), func(b *testing.B) {
			fx := newFixtureTB(b, &samltest.Options{Encryption: enc})
			if err := fx.idp.SetAutoLogin("erika"); err != nil {
				b.Fatal(err)
			}
			client := browser(b)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				loc, _ := fx.beginTB(b, identity.LevelHigh)
				form, err := samltest.Login(client, loc)
				if err != nil {
					b.Fatal(err)
				}
				raw, _ := base64.StdEncoding.DecodeString(form.Fields.Get("SAMLResponse"))
				id := fx.idp.LastRequest().ID
				b.StartTimer()
				if _, err := fx.sp.ParseResponse(context.Background(), raw, id, identity.LevelHigh); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
