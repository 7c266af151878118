package samltest_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/saml"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

// portal registers a service provider at a fresh provider and returns both.
func portal(t *testing.T, opts *samltest.Options, register bool) (*samltest.Provider, *saml.ServiceProvider) {
	t.Helper()
	idp, srv := samltest.NewServer(opts)
	t.Cleanup(srv.Close)
	key, cert, err := samltest.NewKeyPair("portal", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sp, err := saml.New(saml.Config{
		EntityID: "https://portal.example/saml/metadata", ACSURL: "https://portal.example/auth/callback",
		IdPMetadata: idp.Metadata(), Key: key, Certificate: cert,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if register {
		md, _ := sp.Metadata()
		if err := idp.AddServiceProvider(md); err != nil {
			t.Fatal(err)
		}
	}
	return idp, sp
}

func begin(t *testing.T, sp *saml.ServiceProvider, level identity.Level) string {
	t.Helper()
	el, _, err := sp.AuthnRequest(saml.Request{Level: level})
	if err != nil {
		t.Fatal(err)
	}
	u, err := sp.RedirectURL(el, "relay-state-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func TestTheChooserLogsInTheChosenPersonaAtTheChosenLevel(t *testing.T) {
	idp, sp := portal(t, nil, true)
	c := client()
	resp, err := c.Get(begin(t, sp, identity.LevelSubstantial))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Erika Mustermann", "Lena Beispiel", `value="substantial" selected`, `lang="de"`} {
		if !strings.Contains(string(page), want) {
			t.Fatalf("chooser page lacks %q:\n%s", want, page)
		}
	}
	form, err := samltest.ParseForm(strings.NewReader(string(page)), resp.Request.URL, "ticket")
	if err != nil {
		t.Fatal(err)
	}
	form.Fields.Set("persona", "erika")
	form.Fields.Set("level", "high")
	resp, err = form.Submit(c)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := samltest.ParseForm(resp.Body, resp.Request.URL, "SAMLResponse")
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if answer.Action != "https://portal.example/auth/callback" || answer.Fields.Get("RelayState") != "relay-state-0123456789" {
		t.Fatalf("answer form %+v", answer)
	}
	raw, _ := base64.StdEncoding.DecodeString(answer.Fields.Get("SAMLResponse"))
	if !strings.Contains(string(raw), "xmlenc11#aes256-gcm") || !strings.Contains(string(raw), "rsa-oaep") {
		t.Fatalf("the assertion is not encrypted with RSA-OAEP and AES-256-GCM: %.400s", raw)
	}
	p, err := sp.ParseResponse(t.Context(), raw, idp.LastRequest().ID, identity.LevelSubstantial)
	if err != nil || p.Level != identity.LevelHigh || p.Subject != "bPK2-ERIKA-7f3a9c" {
		t.Fatalf("%+v %v", p, err)
	}
	// The ticket is used up.
	if resp, err := form.Submit(c); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a second answer to the same ticket: %v %v", resp.StatusCode, err)
	}
}

func TestAPersonaIsCappedAtTheStrongestMeansTheyHave(t *testing.T) {
	idp, sp := portal(t, &samltest.Options{Encryption: samltest.EncryptNone}, true)
	if err := idp.SetAutoLogin("lena"); err != nil {
		t.Fatal(err)
	}
	form, err := samltest.Login(client(), begin(t, sp, identity.LevelHigh))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(form.Fields.Get("SAMLResponse"))
	if !strings.Contains(string(raw), ">STORK-QAA-Level-1<") || strings.Contains(string(raw), "EncryptedAssertion") {
		t.Fatalf("lena at high: %.600s", raw)
	}
}

func TestTheProviderRefusesWhatBundIDRefuses(t *testing.T) {
	for _, tt := range []struct {
		name     string
		register bool
		change   func(string) string
	}{
		{"a request from an unregistered service provider", false, func(u string) string { return u }},
		{"an unsigned request", true, func(u string) string { return u[:strings.Index(u, "&SigAlg=")] }},
		{"a request whose signature does not match", true, func(u string) string {
			v, _ := url.Parse(u)
			q := v.Query()
			q.Set("RelayState", "another-relay-state-000")
			return v.Scheme + "://" + v.Host + v.Path + "?SAMLRequest=" + url.QueryEscape(q.Get("SAMLRequest")) + "&RelayState=" + q.Get("RelayState") +
				"&SigAlg=" + url.QueryEscape(q.Get("SigAlg")) + "&Signature=" + url.QueryEscape(q.Get("Signature"))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			idp, sp := portal(t, nil, tt.register)
			if err := idp.SetAutoLogin("erika"); err != nil {
				t.Fatal(err)
			}
			resp, err := client().Get(tt.change(begin(t, sp, identity.LevelBasic)))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || strings.Contains(string(body), "SAMLResponse") {
				t.Fatalf("answered %d: %.300s", resp.StatusCode, body)
			}
		})
	}
}

func TestTheProviderSeesTheAKDBExtension(t *testing.T) {
	idp, sp := portal(t, nil, true)
	if err := idp.SetAutoLogin("max"); err != nil {
		t.Fatal(err)
	}
	if _, err := samltest.Login(client(), begin(t, sp, identity.LevelSubstantial)); err != nil {
		t.Fatal(err)
	}
	got := idp.LastRequest()
	if len(got.Attributes) != len(saml.BundIDAttributes()) || len(got.Required) != 2 || got.Required[0] != identity.ClaimBPK2 || got.Comparison != "minimum" {
		t.Fatalf("%+v", got)
	}
}

func TestUnknownPersonasAreRefused(t *testing.T) {
	idp, _ := portal(t, nil, false)
	if err := idp.SetAutoLogin("mallory"); err == nil {
		t.Fatal("SetAutoLogin accepted an unknown persona")
	}
	if _, err := samltest.New("ftp://x", nil); err == nil {
		t.Fatal("New accepted a non-http base URL")
	}
}
