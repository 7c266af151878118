package saml_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity/saml"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

func TestNewRefusesAnIncompleteConfig(t *testing.T) {
	ks := testKeys(t)
	idp, err := samltest.New("https://idp.example", &samltest.Options{Key: ks.idp, Certificate: ks.idpCert})
	if err != nil {
		t.Fatal(err)
	}
	good := func() saml.Config {
		return saml.Config{EntityID: "https://portal.example/saml/metadata", ACSURL: acsURL, IdPMetadata: idp.Metadata(), Key: ks.sp, Certificate: ks.spCert}
	}
	for _, tt := range []struct {
		name   string
		change func(*saml.Config)
		want   string
	}{
		{"without an entity id", func(c *saml.Config) { c.EntityID = "" }, "EntityID"},
		{"with a relative ACS URL", func(c *saml.Config) { c.ACSURL = "/auth/callback" }, "ACSURL"},
		{"without a key", func(c *saml.Config) { c.Key = nil }, "Key"},
		{"with another key's certificate", func(c *saml.Config) { c.Certificate = ks.otherCert }, "not the certificate"},
		{"with an unknown binding", func(c *saml.Config) { c.Binding = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP" }, "Binding"},
		{"without metadata", func(c *saml.Config) { c.IdPMetadata = nil }, "metadata"},
		{"with metadata that is not XML", func(c *saml.Config) { c.IdPMetadata = []byte("{}") }, "metadata"},
		{"with an SP's metadata instead of the IdP's", func(c *saml.Config) {
			sp, err := saml.New(good(), nil)
			if err != nil {
				t.Fatal(err)
			}
			c.IdPMetadata, _ = sp.Metadata()
		}, "no identity provider"},
		{"with metadata without a signing certificate", func(c *saml.Config) {
			c.IdPMetadata = []byte(strings.ReplaceAll(string(idp.Metadata()), "X509Certificate", "X509Ignored"))
		}, "signing certificate"},
		{"naming an entity the metadata lacks", func(c *saml.Config) { c.IdPEntityID = "https://other.example" }, "no identity provider"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good()
			tt.change(&cfg)
			_, err := saml.New(cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestParseIdPMetadataPicksTheIdentityProviderFromAnAggregate(t *testing.T) {
	ks := testKeys(t)
	var entities []string
	for _, base := range []string{"https://idp-a.example", "https://idp-b.example"} {
		idp, err := samltest.New(base, &samltest.Options{Key: ks.idp, Certificate: ks.idpCert, Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		md := string(idp.Metadata())
		entities = append(entities, md[strings.Index(md, "<EntityDescriptor"):])
	}
	aggregate := []byte(`<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + strings.Join(entities, "") + `</EntitiesDescriptor>`)
	if _, err := saml.ParseIdPMetadata(aggregate, ""); !errors.Is(err, saml.ErrMetadata) || !strings.Contains(err.Error(), "2 identity providers") {
		t.Fatalf("two IdPs, none named: %v", err)
	}
	ed, err := saml.ParseIdPMetadata(aggregate, "https://idp-b.example/metadata")
	if err != nil || ed.EntityID != "https://idp-b.example/metadata" {
		t.Fatalf("%v %v", ed, err)
	}
}
