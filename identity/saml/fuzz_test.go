package saml_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

// FuzzParseResponse feeds arbitrary bytes as a decoded SAML response to the request a
// genuine response answers. Nothing may panic; every refusal matches identity.ErrLogin or
// identity.ErrLevelTooLow; and at most one input is ever accepted (the replay cache is shared
// across inputs), for the persona the genuine response names.
func FuzzParseResponse(f *testing.F) {
	fx := newFixtureTB(f, &samltest.Options{Encryption: samltest.EncryptNone})
	loc, _ := fx.beginTB(f, identity.LevelBasic)
	if err := fx.idp.SetAutoLogin("lena"); err != nil {
		f.Fatal(err)
	}
	form, err := samltest.Login(browser(f), loc)
	if err != nil {
		f.Fatal(err)
	}
	genuine, _ := base64.StdEncoding.DecodeString(form.Fields.Get("SAMLResponse"))
	requestID := fx.idp.LastRequest().ID
	f.Add(genuine)
	f.Add([]byte(strings.Replace(string(genuine), "bPK2-LENA-90dd11", "bPK2-ERIKA-7f3a9c", 1)))
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"/></samlp:Status></samlp:Response>`))
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;&a;</r>`))
	f.Add([]byte{})
	accepted := 0
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := fx.sp.ParseResponse(context.Background(), raw, requestID, identity.LevelBasic)
		if err != nil {
			if !errors.Is(err, identity.ErrLogin) && !errors.Is(err, identity.ErrLevelTooLow) {
				t.Fatalf("refusal %v matches neither ErrLogin nor ErrLevelTooLow", err)
			}
			return
		}
		accepted++
		if accepted > 1 || p.Subject != "bPK2-LENA-90dd11" {
			t.Fatalf("accepted #%d: %+v", accepted, p)
		}
	})
}
