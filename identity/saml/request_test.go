package saml_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/saml"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

func TestTheAuthnRequestAsksForAtLeastTheLevelAndNamesTheAttributes(t *testing.T) {
	f := newFixture(t, nil, nil)
	for _, tt := range []struct {
		level identity.Level
		acr   string
	}{
		{identity.LevelBasic, "STORK-QAA-Level-1"},
		{identity.LevelLow, "STORK-QAA-Level-3"}, // BundID has no eIDAS low: the next stronger level
		{identity.LevelSubstantial, "STORK-QAA-Level-3"},
		{identity.LevelHigh, "STORK-QAA-Level-4"},
	} {
		if _, err := f.login(t, "erika", tt.level); err != nil {
			t.Fatalf("login at %v: %v", tt.level, err)
		}
		got := f.idp.LastRequest()
		if got.Comparison != "minimum" || !slices.Equal(got.ClassRefs, []string{tt.acr}) {
			t.Errorf("%v: RequestedAuthnContext %s %v, want minimum [%s]", tt.level, got.Comparison, got.ClassRefs, tt.acr)
		}
		if got.ForceAuthn {
			t.Errorf("%v: ForceAuthn without a session", tt.level)
		}
		if !slices.Contains(got.Required, identity.ClaimBPK2) || !slices.Contains(got.Attributes, identity.ClaimGivenName) || len(got.Attributes) != len(saml.BundIDAttributes()) {
			t.Errorf("%v: AKDB requested attributes %v (required %v)", tt.level, got.Attributes, got.Required)
		}
		if got.DisplayName != "Stadt Musterhausen" || got.Binding != string(saml.BindingRedirect) {
			t.Errorf("%v: display name %q, binding %q", tt.level, got.DisplayName, got.Binding)
		}
	}
}

func TestTheRedirectIsSignedOverItsQueryAndTheProviderRefusesItChanged(t *testing.T) {
	f := newFixture(t, nil, nil)
	loc, _ := f.begin(t, nil, identity.LevelSubstantial)
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	raw := u.RawQuery
	i := strings.Index(raw, "&Signature=")
	if i < 0 || u.Query().Get("SigAlg") != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" {
		t.Fatalf("redirect query without SigAlg/Signature: %s", raw)
	}
	sig, err := base64.StdEncoding.DecodeString(u.Query().Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(raw[:i]))
	if err := rsa.VerifyPKCS1v15(testKeys(t).sp.Public().(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("the query signature does not verify with the SP certificate: %v", err)
	}
	if err := f.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("RelayState", q.Get("RelayState")+"x")
	changed := *u
	changed.RawQuery = "SAMLRequest=" + url.QueryEscape(q.Get("SAMLRequest")) + "&RelayState=" + url.QueryEscape(q.Get("RelayState")) +
		"&SigAlg=" + url.QueryEscape(q.Get("SigAlg")) + "&Signature=" + url.QueryEscape(q.Get("Signature"))
	resp, err := http.Get(changed.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatal("the provider answered a request whose RelayState was changed after signing")
	}
}

func TestAStepUpFromALowerLevelForcesAuthentication(t *testing.T) {
	f := newFixture(t, nil, nil)
	for _, tt := range []struct {
		name    string
		session identity.Level // LevelNone: no principal on the request
		want    identity.Level
		force   bool
	}{
		{"without a session", identity.LevelNone, identity.LevelSubstantial, false},
		{"from basic to substantial", identity.LevelBasic, identity.LevelSubstantial, true},
		{"from substantial to high", identity.LevelSubstantial, identity.LevelHigh, true},
		{"at the level already held", identity.LevelHigh, identity.LevelHigh, false},
	} {
		r := httptest.NewRequest("GET", "/auth/login", nil)
		if tt.session != identity.LevelNone {
			r = r.WithContext(identity.WithPrincipal(context.Background(), &identity.Principal{Subject: "bPK2-ERIKA-7f3a9c", Level: tt.session}))
		}
		loc, cookies := f.begin(t, r, tt.want)
		form := f.respond(t, loc, "erika")
		if got := f.idp.LastRequest().ForceAuthn; got != tt.force {
			t.Errorf("%s: ForceAuthn %v, want %v", tt.name, got, tt.force)
		}
		if p, _, err := f.finish(form.Fields, cookies); err != nil || p.Level != tt.want {
			t.Errorf("%s: %+v, %v", tt.name, p, err)
		}
	}
}

func TestTheHTTPPOSTBindingSendsASignedRequestInAForm(t *testing.T) {
	f := newFixture(t, nil, func(c *saml.Config, _ *saml.Options) { c.Binding = saml.BindingPOST })
	rec := httptest.NewRecorder()
	if err := f.sp.BeginLogin(rec, httptest.NewRequest("GET", "/auth/login", nil), identity.LevelHigh, "/x"); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'nonce-") {
		t.Fatalf("BeginLogin answered %d, CSP %q", rec.Code, rec.Header().Get("Content-Security-Policy"))
	}
	form, err := samltest.ParseForm(rec.Body, &url.URL{Scheme: "https", Host: "portal.example"}, "SAMLRequest")
	if err != nil {
		t.Fatal(err)
	}
	xmlReq, _ := base64.StdEncoding.DecodeString(form.Fields.Get("SAMLRequest"))
	var probe struct {
		Signature  *struct{} `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
		Extensions *struct{} `xml:"urn:oasis:names:tc:SAML:2.0:protocol Extensions"`
	}
	if err := xml.Unmarshal(xmlReq, &probe); err != nil || probe.Signature == nil || probe.Extensions == nil {
		t.Fatalf("posted AuthnRequest without enveloped signature or extension (%v): %s", err, xmlReq)
	}
	if err := f.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	resp, err := form.Submit(browser(t))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("the provider refused the posted request: %d %s", resp.StatusCode, b)
	}
	answer, err := samltest.ParseForm(resp.Body, resp.Request.URL, "SAMLResponse")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.idp.LastRequest().Binding; got != string(saml.BindingPOST) {
		t.Errorf("the provider saw binding %q", got)
	}
	p, ret, err := f.finish(answer.Fields, rec.Result().Cookies())
	if err != nil || p.Level != identity.LevelHigh || ret != "/x" {
		t.Fatalf("%+v %q %v", p, ret, err)
	}
}

func TestTheAttributesBecomeThePrincipal(t *testing.T) {
	f := newFixture(t, nil, nil)
	p, err := f.login(t, "erika", identity.LevelHigh)
	if err != nil {
		t.Fatal(err)
	}
	want := identity.Principal{
		Subject: "bPK2-ERIKA-7f3a9c", Issuer: f.idp.EntityID(), Level: identity.LevelHigh, Method: identity.MethodEID,
		GivenNames: "Erika", FamilyName: "Mustermann", BirthName: "Gabler", BirthDate: "1964-08-12", PlaceOfBirth: "Berlin",
		Nationality: "D", Email: "erika.mustermann@example.org", MailboxHandle: "postkorb-erika-0001",
		Address: &identity.Address{Street: "Heidestraße 17", PostalCode: "51147", City: "Köln", Country: "DE"},
	}
	if p.AuthTime.IsZero() {
		t.Error("no AuthTime from the AuthnInstant")
	}
	p.AuthTime = want.AuthTime
	if *p.Address != *want.Address {
		t.Errorf("address %+v, want %+v", p.Address, want.Address)
	}
	p.Address = want.Address
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("principal\n%+v\nwant\n%+v", *p, want)
	}
}

func TestTheMetadataEndpointPublishesKeysAndTheACS(t *testing.T) {
	f := newFixture(t, nil, nil)
	rec := httptest.NewRecorder()
	f.sp.MetadataHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/saml/metadata", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/samlmetadata+xml" {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var md struct {
		EntityID string `xml:"entityID,attr"`
		SP       struct {
			Signed bool `xml:"AuthnRequestsSigned,attr"`
			Want   bool `xml:"WantAssertionsSigned,attr"`
			Keys   []struct {
				Use string `xml:"use,attr"`
			} `xml:"KeyDescriptor"`
			ACS []struct {
				Binding  string `xml:"Binding,attr"`
				Location string `xml:"Location,attr"`
			} `xml:"AssertionConsumerService"`
		} `xml:"SPSSODescriptor"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &md); err != nil {
		t.Fatal(err)
	}
	uses := []string{}
	for _, k := range md.SP.Keys {
		uses = append(uses, k.Use)
	}
	slices.Sort(uses)
	if md.EntityID != "https://portal.example/saml/metadata" || !md.SP.Signed || !md.SP.Want || !slices.Equal(uses, []string{"encryption", "signing"}) ||
		len(md.SP.ACS) != 1 || md.SP.ACS[0].Location != acsURL || md.SP.ACS[0].Binding != string(saml.BindingPOST) {
		t.Fatalf("metadata %+v", md)
	}
	rec = httptest.NewRecorder()
	f.sp.MetadataHandler().ServeHTTP(rec, httptest.NewRequest("POST", "/saml/metadata", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST answered %d", rec.Code)
	}
}

func TestTheACSPostsACrossSiteResponseOnceMoreFromThePortalsOrigin(t *testing.T) {
	f := newFixture(t, nil, nil)
	loc, cookies := f.begin(t, nil, identity.LevelBasic)
	form := f.respond(t, loc, "lena")
	reached := 0
	acs := f.sp.ACS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached++
		if _, _, err := f.sp.FinishLogin(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	post := func(fields url.Values, withCookies bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/auth/callback", strings.NewReader(fields.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withCookies {
			for _, c := range cookies {
				r.AddCookie(c)
			}
		}
		rec := httptest.NewRecorder()
		acs.ServeHTTP(rec, r)
		return rec
	}
	// The identity provider's cross-site post: the browser leaves the Lax cookie out.
	rec := post(form.Fields, false)
	if reached != 0 || rec.Code != http.StatusOK {
		t.Fatalf("cross-site post: reached %d, status %d", reached, rec.Code)
	}
	again, err := samltest.ParseForm(rec.Body, &url.URL{Scheme: "https", Host: "portal.example", Path: "/auth/callback"}, "SAMLResponse")
	if err != nil {
		t.Fatal(err)
	}
	if again.Action != "https://portal.example/auth/callback" || again.Fields.Get("SAMLResponse") != form.Fields.Get("SAMLResponse") || again.Fields.Get("RelayState") != form.Fields.Get("RelayState") {
		t.Fatalf("re-post form %+v", again)
	}
	// The same-site post from that page carries the cookie and reaches the callback.
	if rec := post(again.Fields, true); reached != 1 || rec.Code != http.StatusOK {
		t.Fatalf("same-site post: reached %d, status %d %s", reached, rec.Code, rec.Body)
	}
	// A second post without the cookie is not bounced again: the callback refuses it.
	if rec := post(again.Fields, false); reached != 2 || rec.Code != http.StatusBadRequest {
		t.Fatalf("re-posted without cookie: reached %d, status %d", reached, rec.Code)
	}
}
