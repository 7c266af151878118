package saml_test

import (
	"crypto/rsa"
	"crypto/x509"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/saml"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

const acsURL = "https://portal.example/auth/callback"

// fixture is a service provider registered at a local identity provider.
type fixture struct {
	idp *samltest.Provider
	srv *httptest.Server
	sp  *saml.ServiceProvider
	now time.Time // the service provider's clock when set
}

func newFixture(t *testing.T, idpOpts *samltest.Options, change func(*saml.Config, *saml.Options)) *fixture {
	return newFixtureWith(t, idpOpts, change)
}

func newFixtureTB(tb testing.TB, idpOpts *samltest.Options) *fixture {
	return newFixtureWith(tb, idpOpts, nil)
}

func newFixtureWith(t testing.TB, idpOpts *samltest.Options, change func(*saml.Config, *saml.Options)) *fixture {
	t.Helper()
	f := &fixture{}
	keys := testKeys(t)
	if idpOpts == nil {
		idpOpts = &samltest.Options{}
	}
	if idpOpts.Key == nil {
		idpOpts.Key, idpOpts.Certificate = keys.idp, keys.idpCert
	}
	f.idp, f.srv = samltest.NewServer(idpOpts)
	t.Cleanup(f.srv.Close)
	key, cert := keys.sp, keys.spCert
	var err error
	cfg := saml.Config{
		EntityID: "https://portal.example/saml/metadata", ACSURL: acsURL,
		IdPMetadata: f.idp.Metadata(), Key: key, Certificate: cert,
		OrganizationDisplayName: "Stadt Musterhausen",
	}
	opts := &saml.Options{Now: func() time.Time {
		if !f.now.IsZero() {
			return f.now
		}
		return time.Now()
	}}
	if change != nil {
		change(&cfg, opts)
	}
	if f.sp, err = saml.New(cfg, opts); err != nil {
		t.Fatal(err)
	}
	md, err := f.sp.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.idp.AddServiceProvider(md); err != nil {
		t.Fatal(err)
	}
	return f
}

// begin starts a login and returns the redirect to the provider and the transaction cookies.
func (f *fixture) beginTB(t testing.TB, level identity.Level) (string, []*http.Cookie) {
	return f.begin(t, nil, level)
}

func (f *fixture) begin(t testing.TB, r *http.Request, level identity.Level) (string, []*http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	if r == nil {
		r = httptest.NewRequest("GET", "/auth/login", nil)
	}
	if err := f.sp.BeginLogin(rec, r, level, "/antrag/1"); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusFound {
		t.Fatalf("BeginLogin answered %d", rec.Code)
	}
	return rec.Header().Get("Location"), rec.Result().Cookies()
}

// respond lets persona log in at the provider and returns the form its page posts.
func (f *fixture) respond(t *testing.T, authURL, persona string) *samltest.Form {
	t.Helper()
	if err := f.idp.SetAutoLogin(persona); err != nil {
		t.Fatal(err)
	}
	form, err := samltest.Login(browser(t), authURL)
	if err != nil {
		t.Fatal(err)
	}
	return form
}

// finish posts fields to the callback with cookies.
func (f *fixture) finish(fields url.Values, cookies []*http.Cookie) (*identity.Principal, string, error) {
	r := httptest.NewRequest("POST", acsURL, stringsReader(fields.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return f.sp.FinishLogin(httptest.NewRecorder(), r)
}

// login runs a whole login of persona at level.
func (f *fixture) login(t *testing.T, persona string, level identity.Level) (*identity.Principal, error) {
	t.Helper()
	loc, cookies := f.begin(t, nil, level)
	form := f.respond(t, loc, persona)
	p, _, err := f.finish(form.Fields, cookies)
	return p, err
}

type keySet struct {
	idp, sp, other             *rsa.PrivateKey
	idpCert, spCert, otherCert *x509.Certificate
}

// testKeys generates the RSA keys of the tests once.
var testKeys = func() func(t testing.TB) keySet {
	var once sync.Once
	var ks keySet
	var err error
	return func(t testing.TB) keySet {
		once.Do(func() {
			for _, k := range []struct {
				key  **rsa.PrivateKey
				cert **x509.Certificate
				name string
			}{{&ks.idp, &ks.idpCert, "idp"}, {&ks.sp, &ks.spCert, "portal.example"}, {&ks.other, &ks.otherCert, "attacker"}} {
				if err == nil {
					*k.key, *k.cert, err = samltest.NewKeyPair(k.name, time.Now())
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return ks
	}
}()

func browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}
