package saml_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/saml"
	"github.com/ozgkit/ozgkit/identity/samltest"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

// The attacker holds a valid response for their own account (lena) and wants to be let in as
// the victim (erika). Every case below must be refused, and none may ever yield the victim.
const victim = "bPK2-ERIKA-7f3a9c"

// capture runs a login of persona at level and returns the response the provider posts,
// parsed, without finishing the login.
func capture(t *testing.T, f *fixture, persona string, level identity.Level) (*etree.Document, url.Values, func(url.Values) (*identity.Principal, error)) {
	t.Helper()
	loc, cookies := f.begin(t, nil, level)
	form := f.respond(t, loc, persona)
	raw, err := base64.StdEncoding.DecodeString(form.Fields.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatal(err)
	}
	post := func(fields url.Values) (*identity.Principal, error) {
		p, _, err := f.finish(fields, cookies)
		return p, err
	}
	return doc, form.Fields, post
}

// withResponse returns fields carrying doc as the SAMLResponse.
func withResponse(t *testing.T, fields url.Values, doc *etree.Document) url.Values {
	t.Helper()
	doc.WriteSettings.CanonicalText = true
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	out := url.Values{}
	for k, v := range fields {
		out[k] = v
	}
	out.Set("SAMLResponse", base64.StdEncoding.EncodeToString(b))
	return out
}

func child(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

func assertionOf(t *testing.T, doc *etree.Document) *etree.Element {
	a := child(doc.Root(), "Assertion")
	if a == nil {
		t.Fatal("no plain Assertion in the response (is encryption off?)")
	}
	return a
}

// setSubject rewrites the bPK2 attribute value of an assertion element.
func setSubject(t *testing.T, assertion *etree.Element, value string) {
	for _, st := range assertion.SelectElements("AttributeStatement") {
		for _, at := range st.SelectElements("Attribute") {
			if at.SelectAttrValue("Name", "") == identity.ClaimBPK2 {
				at.SelectElement("AttributeValue").SetText(value)
				return
			}
		}
	}
	t.Fatal("no bPK2 attribute in the assertion")
}

func removeSignature(el *etree.Element) {
	if s := child(el, "Signature"); s != nil {
		el.RemoveChild(s)
	}
}

func refused(t *testing.T, name string, p *identity.Principal, err error) {
	t.Helper()
	t.Logf("%s: %v", name, err)
	if err == nil {
		t.Errorf("%s: accepted, principal %q", name, p.Subject)
		return
	}
	if !errors.Is(err, identity.ErrLogin) && !errors.Is(err, identity.ErrLevelTooLow) {
		t.Errorf("%s: %v, want an error matching identity.ErrLogin", name, err)
	}
}

func TestXMLSignatureWrappingIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		wrap func(t *testing.T, doc *etree.Document)
	}{
		{"a changed attribute in the signed assertion", func(t *testing.T, doc *etree.Document) {
			setSubject(t, assertionOf(t, doc), victim)
		}},
		{"a changed attribute in the signed assertion of an unsigned response", func(t *testing.T, doc *etree.Document) {
			removeSignature(doc.Root())
			setSubject(t, assertionOf(t, doc), victim)
		}},
		{"an evil assertion before the signed one in an unsigned response", func(t *testing.T, doc *etree.Document) {
			root := doc.Root()
			removeSignature(root)
			orig := assertionOf(t, doc)
			evil := orig.Copy()
			removeSignature(evil)
			setSubject(t, evil, victim)
			evil.CreateAttr("ID", "_evil")
			root.InsertChildAt(orig.Index(), evil)
		}},
		{"an evil assertion with the original's ID, the signed original wrapped inside it", func(t *testing.T, doc *etree.Document) {
			root := doc.Root()
			removeSignature(root)
			orig := assertionOf(t, doc)
			evil := orig.Copy()
			removeSignature(evil)
			setSubject(t, evil, victim)
			root.RemoveChild(orig)
			evil.AddChild(orig)
			root.AddChild(evil)
		}},
		{"an evil assertion carrying the original signature, the original inside the signature's Object", func(t *testing.T, doc *etree.Document) {
			root := doc.Root()
			removeSignature(root)
			orig := assertionOf(t, doc)
			evil := orig.Copy()
			setSubject(t, evil, victim)
			sig := child(evil, "Signature")
			obj := sig.CreateElement("ds:Object")
			root.RemoveChild(orig)
			obj.AddChild(orig)
			root.AddChild(evil)
		}},
		{"an evil response wrapping the signed response in its Extensions", func(t *testing.T, doc *etree.Document) {
			orig := doc.Root()
			evil := orig.Copy()
			removeSignature(evil)
			a := assertionOf(t, &etree.Document{Element: etree.Element{Child: []etree.Token{evil}}})
			removeSignature(a)
			setSubject(t, a, victim)
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(orig)
			evil.InsertChildAt(child(evil, "Status").Index(), ext)
			doc.SetRoot(evil)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, &samltest.Options{Encryption: samltest.EncryptNone}, nil)
			doc, fields, post := capture(t, f, "lena", identity.LevelBasic)
			tt.wrap(t, doc)
			p, err := post(withResponse(t, fields, doc))
			refused(t, tt.name, p, err)
		})
	}
}

func TestAnUnsignedAssertionIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(t *testing.T, doc *etree.Document)
	}{
		{"an unsigned assertion injected into a signed response", func(t *testing.T, doc *etree.Document) {
			evil := assertionOf(t, doc).Copy()
			removeSignature(evil)
			setSubject(t, evil, victim)
			evil.CreateAttr("ID", "_injected")
			doc.Root().InsertChildAt(assertionOf(t, doc).Index(), evil)
		}},
		{"the signed assertion replaced by an unsigned one in a signed response", func(t *testing.T, doc *etree.Document) {
			a := assertionOf(t, doc)
			removeSignature(a)
			setSubject(t, a, victim)
		}},
		{"neither the response nor the assertion signed", func(t *testing.T, doc *etree.Document) {
			removeSignature(doc.Root())
			removeSignature(assertionOf(t, doc))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, &samltest.Options{Encryption: samltest.EncryptNone}, nil)
			doc, fields, post := capture(t, f, "lena", identity.LevelBasic)
			tt.edit(t, doc)
			p, err := post(withResponse(t, fields, doc))
			refused(t, tt.name, p, err)
		})
	}
	t.Run("a signed assertion in an unsigned response is accepted (the control)", func(t *testing.T) {
		f := newFixture(t, &samltest.Options{Encryption: samltest.EncryptNone}, nil)
		doc, fields, post := capture(t, f, "lena", identity.LevelBasic)
		removeSignature(doc.Root())
		if p, err := post(withResponse(t, fields, doc)); err != nil || p.Subject != "bPK2-LENA-90dd11" {
			t.Fatalf("%+v %v", p, err)
		}
	})
}

func TestACommentInjectedIntoTheNameIDDoesNotTruncateIt(t *testing.T) {
	// The attacker registered "erika@example.org.evil.example" and receives a signed assertion
	// for it; comments are outside the signature (exclusive c14n), so they can add one.
	const registered = "erika@example.org.evil.example"
	nameIDSubject := func(c *saml.Config, _ *saml.Options) {
		m := identity.BundIDClaims()
		m.Subject = []string{saml.ClaimNameID}
		c.Claims = &m
	}
	for _, tt := range []struct {
		name   string
		change func(*saml.Config, *saml.Options)
		find   func(t *testing.T, a *etree.Element) *etree.Element
		value  string
	}{
		{"in the NameID", nameIDSubject, func(t *testing.T, a *etree.Element) *etree.Element {
			return child(child(a, "Subject"), "NameID")
		}, registered},
		{"in the bPK2 attribute", nil, func(t *testing.T, a *etree.Element) *etree.Element {
			for _, at := range child(a, "AttributeStatement").SelectElements("Attribute") {
				if at.SelectAttrValue("Name", "") == identity.ClaimBPK2 {
					return at.SelectElement("AttributeValue")
				}
			}
			t.Fatal("no bPK2")
			return nil
		}, "bPK2-LENA-90dd11"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, &samltest.Options{Encryption: samltest.EncryptNone}, tt.change)
			f.idp.SetAssertionHook(func(a *crewjam.Assertion) { a.Subject.NameID.Value = registered })
			doc, fields, post := capture(t, f, "lena", identity.LevelBasic)
			el := tt.find(t, assertionOf(t, doc))
			text := el.Text()
			cut := strings.IndexAny(text, ".-")
			if text != tt.value || cut < 0 {
				t.Fatalf("value %q", text)
			}
			el.SetText("")
			el.AddChild(etree.NewText(text[:cut]))
			el.AddChild(etree.NewComment(""))
			el.AddChild(etree.NewText(text[cut:]))
			p, err := post(withResponse(t, fields, doc))
			t.Logf("principal %+v, error %v", p, err)
			if err == nil && p.Subject != tt.value {
				t.Fatalf("subject %q, want the whole signed value %q (or a refusal)", p.Subject, tt.value)
			}
			if err != nil && !errors.Is(err, identity.ErrLogin) {
				t.Fatalf("%v", err)
			}
		})
	}
}

func TestAReplayedAssertionIsRefused(t *testing.T) {
	f := newFixture(t, nil, nil)
	_, fields, post := capture(t, f, "erika", identity.LevelHigh)
	if _, err := post(fields); err != nil {
		t.Fatal(err)
	}
	if _, err := post(fields); !errors.Is(err, identity.ErrReplayed) || !errors.Is(err, identity.ErrLogin) {
		t.Fatalf("the same response again: %v, want ErrReplayed", err)
	}
}

func TestAnAssertionAcceptedByOneReplicaIsRefusedByAnother(t *testing.T) {
	// Two replicas: each its own connection to one database, as two processes would have.
	path := filepath.Join(t.TempDir(), "portal.db")
	quiet := &sqlstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var caches [2]identity.ReplayCache
	for i := range caches {
		db, err := sqlstore.Open(context.Background(), "sqlite:"+path, quiet)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		caches[i] = db.ReplayCache()
	}
	keys, err := identity.NewKeyring(identity.Key{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	var cfg saml.Config
	f := newFixture(t, nil, func(c *saml.Config, o *saml.Options) { o.Replay, o.Keys = caches[0], keys; cfg = *c })
	other, err := saml.New(cfg, &saml.Options{Replay: caches[1], Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	loc, cookies := f.begin(t, nil, identity.LevelBasic)
	form := f.respond(t, loc, "max")
	if _, _, err := f.finish(form.Fields, cookies); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", acsURL, strings.NewReader(form.Fields.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		r.AddCookie(c)
	}
	if _, _, err := other.FinishLogin(httptest.NewRecorder(), r); !errors.Is(err, identity.ErrReplayed) {
		t.Fatalf("the second replica: %v, want ErrReplayed", err)
	}
}

func TestAssertionsOutsideTheirConditionsAreRefused(t *testing.T) {
	shift := func(d time.Duration) func(a *crewjam.Assertion) {
		return func(a *crewjam.Assertion) {
			a.IssueInstant = a.IssueInstant.Add(d)
			a.Conditions.NotBefore = a.Conditions.NotBefore.Add(d)
			a.Conditions.NotOnOrAfter = a.Conditions.NotOnOrAfter.Add(d)
			for i := range a.Subject.SubjectConfirmations {
				a.Subject.SubjectConfirmations[i].SubjectConfirmationData.NotOnOrAfter = a.Subject.SubjectConfirmations[i].SubjectConfirmationData.NotOnOrAfter.Add(d)
			}
			for i := range a.AuthnStatements {
				a.AuthnStatements[i].AuthnInstant = a.AuthnStatements[i].AuthnInstant.Add(d)
			}
		}
	}
	endsIn := func(d time.Duration) func(a *crewjam.Assertion) {
		return func(a *crewjam.Assertion) {
			end := time.Now().Add(d)
			a.Conditions.NotOnOrAfter = end
			for i := range a.Subject.SubjectConfirmations {
				a.Subject.SubjectConfirmations[i].SubjectConfirmationData.NotOnOrAfter = end
			}
		}
	}
	for _, tt := range []struct {
		name   string
		hook   func(a *crewjam.Assertion)
		later  time.Duration // how much later than the provider's clock the portal's runs
		accept bool
	}{
		{"an assertion issued an hour ago", shift(-time.Hour), 0, false},
		{"NotOnOrAfter 45 s past, beyond the 30 s leeway", endsIn(10 * time.Second), 55 * time.Second, false},
		{"NotOnOrAfter 20 s past, within the leeway", endsIn(10 * time.Second), 30 * time.Second, true},
		{"NotBefore 2 minutes ahead", func(a *crewjam.Assertion) { a.Conditions.NotBefore = time.Now().Add(2 * time.Minute) }, 0, false},
		{"another audience", func(a *crewjam.Assertion) {
			a.Conditions.AudienceRestrictions = []crewjam.AudienceRestriction{{Audience: crewjam.Audience{Value: "https://other-portal.example/saml/metadata"}}}
		}, 0, false},
		{"another recipient", func(a *crewjam.Assertion) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://evil.example/acs"
		}, 0, false},
		{"another InResponseTo", func(a *crewjam.Assertion) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo = "id-of-another-request"
		}, 0, false},
		{"another issuer", func(a *crewjam.Assertion) { a.Issuer.Value = "https://evil.example/idp" }, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil, nil)
			f.idp.SetAssertionHook(tt.hook)
			loc, cookies := f.begin(t, nil, identity.LevelBasic)
			form := f.respond(t, loc, "max")
			if tt.later != 0 {
				f.now = time.Now().Add(tt.later)
			}
			p, _, err := f.finish(form.Fields, cookies)
			if tt.accept {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			refused(t, tt.name, p, err)
		})
	}
}

func TestADowngradedAuthnContextIsRefused(t *testing.T) {
	classRef := func(ref string) func(a *crewjam.Assertion) {
		return func(a *crewjam.Assertion) { a.AuthnStatements[0].AuthnContext.AuthnContextClassRef.Value = ref }
	}
	trustLevel := func(ref string) func(a *crewjam.Assertion) {
		return func(a *crewjam.Assertion) {
			for i, at := range a.AttributeStatements[0].Attributes {
				if at.Name == identity.ClaimTrustLevel {
					a.AttributeStatements[0].Attributes[i].Values[0].Value = ref
				}
			}
		}
	}
	for _, tt := range []struct {
		name   string
		hook   func(a *crewjam.Assertion)
		tooLow bool
	}{
		{"the provider asserts STORK-QAA-Level-1 for a request of Level-4", classRef("STORK-QAA-Level-1"), true},
		{"STORK-QAA-Level-2 is basic, too", classRef("STORK-QAA-Level-2"), true},
		{"the trust level attribute says Level-1 though the AuthnContext says Level-4", trustLevel("STORK-QAA-Level-1"), true},
		{"an AuthnContextClassRef that names no level", classRef("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil, nil)
			f.idp.SetAssertionHook(tt.hook)
			p, err := f.login(t, "erika", identity.LevelHigh)
			refused(t, tt.name, p, err)
			if tt.tooLow != errors.Is(err, identity.ErrLevelTooLow) {
				t.Errorf("%v: matches ErrLevelTooLow %v, want %v", err, !tt.tooLow, tt.tooLow)
			}
		})
	}
	t.Run("a class reference raised by the attacker breaks the signature", func(t *testing.T) {
		f := newFixture(t, &samltest.Options{Encryption: samltest.EncryptNone}, nil)
		doc, fields, post := capture(t, f, "lena", identity.LevelBasic)
		ref := child(child(child(assertionOf(t, doc), "AuthnStatement"), "AuthnContext"), "AuthnContextClassRef")
		ref.SetText("STORK-QAA-Level-4")
		p, err := post(withResponse(t, fields, doc))
		refused(t, "raised class reference", p, err)
		if errors.Is(err, identity.ErrLevelTooLow) {
			t.Fatalf("%v: the signature, not the level, must fail", err)
		}
	})
}

func TestAResponseSignedWithAnotherKeyIsRefused(t *testing.T) {
	f := newFixture(t, &samltest.Options{Encryption: samltest.EncryptNone}, nil)
	// The attacker runs a provider under the same entity id with their own key.
	ks := testKeys(t)
	evil, err := samltest.New(f.srv.URL, &samltest.Options{Encryption: samltest.EncryptNone, Key: ks.other, Certificate: ks.otherCert})
	if err != nil {
		t.Fatal(err)
	}
	md, _ := f.sp.Metadata()
	if err := evil.AddServiceProvider(md); err != nil {
		t.Fatal(err)
	}
	if err := evil.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	loc, cookies := f.begin(t, nil, identity.LevelHigh)
	rec := httptest.NewRecorder()
	evil.ServeHTTP(rec, httptest.NewRequest("GET", loc, nil))
	u, _ := url.Parse(loc)
	form, err := samltest.ParseForm(rec.Body, u, "SAMLResponse")
	if err != nil {
		t.Fatalf("%v (%d)", err, rec.Code)
	}
	p, _, err := f.finish(form.Fields, cookies)
	refused(t, "another key", p, err)
}

func TestCBCIsOnlyDecryptedInASignedResponse(t *testing.T) {
	for _, tt := range []struct {
		enc    samltest.Encryption
		accept bool
	}{{samltest.EncryptAES128CBC, false}, {samltest.EncryptAES256GCM, true}} {
		f := newFixture(t, &samltest.Options{Encryption: tt.enc}, nil)
		doc, fields, post := capture(t, f, "max", identity.LevelSubstantial)
		removeSignature(doc.Root())
		p, err := post(withResponse(t, fields, doc))
		if tt.accept != (err == nil) {
			t.Errorf("%s in an unsigned response: %+v %v, accepted want %v", tt.enc, p, err, tt.accept)
		}
	}
}

func TestAFailureStatusIsReported(t *testing.T) {
	f := newFixture(t, nil, nil)
	doc, fields, post := capture(t, f, "lena", identity.LevelBasic)
	root := doc.Root()
	removeSignature(root)
	if a := child(root, "EncryptedAssertion"); a != nil {
		root.RemoveChild(a)
	}
	code := child(child(root, "Status"), "StatusCode")
	code.CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Responder")
	code.CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext")
	_, err := post(withResponse(t, fields, doc))
	var se *saml.StatusError
	if !errors.As(err, &se) || !errors.Is(err, identity.ErrLevelTooLow) || !errors.Is(err, identity.ErrLogin) {
		t.Fatalf("%v, want a *StatusError matching ErrLevelTooLow", err)
	}
}
