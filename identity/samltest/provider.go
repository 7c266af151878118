package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
)

// Encryption is how the provider encrypts assertions for the service provider.
type Encryption string

// The encryption choices: RSA-OAEP key transport with AES-256-GCM (the default) or
// AES-128-CBC, as BundID uses them, or none (the assertion travels signed but readable).
const (
	EncryptAES256GCM Encryption = "aes256-gcm"
	EncryptAES128CBC Encryption = "aes128-cbc"
	EncryptNone      Encryption = "none"
)

// Options tune a provider; nil means defaults.
type Options struct {
	// Personas replaces identitytest.DefaultPersonas (the same test citizens as the local
	// OpenID provider).
	Personas []identitytest.Persona
	// Encryption of assertions (default EncryptAES256GCM).
	Encryption Encryption
	// Key and Certificate sign assertions and responses. Default: a fresh 2048-bit RSA key
	// and a self-signed certificate ([NewKeyPair]).
	Key         *rsa.PrivateKey
	Certificate *x509.Certificate
	// Now is the provider's clock (default time.Now).
	Now func() time.Time
}

// Request is what the provider saw of the last AuthnRequest it answered.
type Request struct {
	ID          string
	ForceAuthn  bool
	Comparison  string   // RequestedAuthnContext Comparison
	ClassRefs   []string // requested AuthnContextClassRefs
	Attributes  []string // names from the AKDB extension's RequestedAttributes
	Required    []string // the ones marked RequiredAttribute="true"
	DisplayName string   // the AKDB extension's OrganizationDisplayName
	Binding     string   // HTTP-Redirect or HTTP-POST
}

// Provider is the local BundID-like SAML identity provider. It is an http.Handler serving
// /metadata, /sso (HTTP-Redirect and HTTP-POST) and /choose below its base URL's path. It is
// safe for concurrent use.
type Provider struct {
	base    *url.URL
	idp     *saml.IdentityProvider
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	now     func() time.Time
	mux     *http.ServeMux
	acrMap  identity.ACRMapping
	encrypt Encryption

	mu       sync.Mutex
	personas map[string]identitytest.Persona
	order    []string
	sps      map[string]*saml.EntityDescriptor
	auto     string
	hook     func(*saml.Assertion)
	last     Request
	pending  map[string]pending
}

// New returns a provider at baseURL (an absolute http or https URL; its entity id is
// baseURL + "/metadata") with a fresh RSA key and self-signed certificate.
func New(baseURL string, opts *Options) (*Provider, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("samltest: base URL %q is no absolute http(s) URL", baseURL)
	}
	if opts == nil {
		opts = &Options{}
	}
	p := &Provider{
		base: u, now: opts.Now, encrypt: opts.Encryption, acrMap: identity.DefaultACRMapping(),
		personas: map[string]identitytest.Persona{}, sps: map[string]*saml.EntityDescriptor{}, pending: map[string]pending{},
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.encrypt == "" {
		p.encrypt = EncryptAES256GCM
	}
	personas := opts.Personas
	if personas == nil {
		personas = identitytest.DefaultPersonas()
	}
	for _, ps := range personas {
		if ps.ID == "" || !ps.MaxLevel.Valid() || ps.MaxLevel == identity.LevelNone {
			return nil, fmt.Errorf("samltest: persona %q needs an ID and a level above none", ps.ID)
		}
		p.personas[ps.ID] = ps
		p.order = append(p.order, ps.ID)
	}
	p.key, p.cert = opts.Key, opts.Certificate
	switch {
	case p.key == nil && p.cert == nil:
		if p.key, p.cert, err = NewKeyPair("samltest IdP", p.now()); err != nil {
			return nil, err
		}
	case p.key == nil || p.cert == nil:
		return nil, errors.New("samltest: Options.Key and Options.Certificate go together")
	}
	at := func(path string) url.URL { v := *u; v.Path = u.Path + path; return v }
	p.idp = &saml.IdentityProvider{
		Key: p.key, Certificate: p.cert, MetadataURL: at("/metadata"), SSOURL: at("/sso"),
		ServiceProviderProvider: p, SessionProvider: p, AssertionMaker: p,
		SignatureMethod:         dsig.RSASHA256SignatureMethod,
		WantAuthnRequestsSigned: true,
		Clock:                   dsig.NewFakeClock(newClock(p.now)),
		OnError: func(w http.ResponseWriter, _ *http.Request, status int, err error) {
			http.Error(w, "samltest: "+err.Error(), status)
		},
	}
	switch p.encrypt {
	case EncryptAES256GCM, EncryptAES128CBC:
		enc := xmlenc.OAEP()
		enc.BlockCipher = xmlenc.AES256GCM
		if p.encrypt == EncryptAES128CBC {
			enc.BlockCipher = xmlenc.AES128CBC
		}
		p.idp.AssertionEncrypter = enc
	case EncryptNone:
	default:
		return nil, fmt.Errorf("samltest: unknown encryption %q", p.encrypt)
	}
	p.mux = http.NewServeMux()
	p.mux.HandleFunc(u.Path+"/metadata", p.idp.ServeMetadata)
	p.mux.HandleFunc(u.Path+"/sso", p.serveSSO)
	p.mux.HandleFunc(u.Path+"/choose", p.choose)
	return p, nil
}

// NewServer starts a provider on a loopback httptest server; close the server when done.
func NewServer(opts *Options) (*Provider, *httptest.Server) {
	var p *Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r) }))
	var err error
	if p, err = New(srv.URL, opts); err != nil {
		srv.Close()
		panic(err)
	}
	return p, srv
}

// ServeHTTP implements http.Handler.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// EntityID returns the provider's entity id, the issuer of its assertions.
func (p *Provider) EntityID() string { return p.idp.MetadataURL.String() }

// Certificate returns the provider's signing certificate.
func (p *Provider) Certificate() *x509.Certificate { return p.cert }

// Metadata returns the provider's metadata, for the service provider's configuration.
func (p *Provider) Metadata() []byte {
	b, err := xml.MarshalIndent(p.idp.Metadata(), "", "  ")
	if err != nil {
		panic(err) // the metadata is built from values New checked
	}
	return append([]byte(xml.Header), b...)
}

// AddServiceProvider registers a service provider by its metadata (identity/saml's
// ServiceProvider.Metadata). AuthnRequests from unregistered entities are refused, and
// responses go only to the assertion consumer service in the metadata.
func (p *Provider) AddServiceProvider(metadata []byte) error {
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(metadata, &ed); err != nil {
		return fmt.Errorf("samltest: service provider metadata: %w", err)
	}
	if ed.EntityID == "" || len(ed.SPSSODescriptors) == 0 {
		return errors.New("samltest: service provider metadata has no entityID or SPSSODescriptor")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sps[ed.EntityID] = &ed
	return nil
}

// GetServiceProvider implements saml.ServiceProviderProvider.
func (p *Provider) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ed, ok := p.sps[id]
	if !ok {
		return nil, os.ErrNotExist
	}
	if p.encrypt != EncryptNone {
		return ed, nil
	}
	// Without encryption the provider acts as if the service provider published no
	// encryption key.
	cp := *ed
	cp.SPSSODescriptors = append([]saml.SPSSODescriptor(nil), ed.SPSSODescriptors...)
	for i := range cp.SPSSODescriptors {
		var keep []saml.KeyDescriptor
		for _, k := range cp.SPSSODescriptors[i].KeyDescriptors {
			if k.Use != "encryption" {
				keep = append(keep, k)
			}
		}
		cp.SPSSODescriptors[i].KeyDescriptors = keep
	}
	return &cp, nil
}

// SetAutoLogin makes the provider log persona in without showing the chooser, at the level
// the request asks for (capped at the persona's MaxLevel); "" shows the chooser again.
func (p *Provider) SetAutoLogin(persona string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.personas[persona]; !ok && persona != "" {
		return fmt.Errorf("samltest: no persona %q", persona)
	}
	p.auto = persona
	return nil
}

// SetAssertionHook makes the provider pass every assertion to f before signing and
// encrypting it, so service-provider tests can have correctly signed assertions that are
// wrong (another audience, expired, a weaker AuthnContext...). nil removes the hook.
func (p *Provider) SetAssertionHook(f func(*saml.Assertion)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hook = f
}

// LastRequest returns what the provider saw of the last AuthnRequest it answered.
func (p *Provider) LastRequest() Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.last
	r.ClassRefs = append([]string(nil), r.ClassRefs...)
	r.Attributes = append([]string(nil), r.Attributes...)
	r.Required = append([]string(nil), r.Required...)
	return r
}

// NewKeyPair returns a 2048-bit RSA key and a self-signed certificate for it, valid from an
// hour before now for a year: enough for tests and local examples, never for production.
func NewKeyPair(commonName string, now time.Time) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: commonName},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
