package saml

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ozgkit/ozgkit/identity"
)

// ServiceProvider is the portal's SAML 2.0 service provider at one identity provider (BundID,
// or another SAML Servicekonto). It implements identity.Authenticator and is safe for
// concurrent use.
type ServiceProvider struct {
	cfg      Config
	idp      *saml.EntityDescriptor
	sp       saml.ServiceProvider // template; copied per response with the clock of that moment
	acs      *url.URL
	keys     *identity.Keyring
	replay   identity.ReplayCache
	claims   identity.ClaimMapping
	acr      identity.ACRMapping
	leeway   time.Duration
	loginTTL time.Duration
	now      func() time.Time
	log      *slog.Logger
	secure   bool
	ssoURL   string
	signer   *rsa.PublicKey
}

// New checks cfg, reads the identity provider's metadata from it and returns a service
// provider.
func New(cfg Config, opts *Options) (*ServiceProvider, error) {
	if opts == nil {
		opts = &Options{}
	}
	if cfg.EntityID == "" || len(cfg.EntityID) > 1024 {
		return nil, errors.New("saml: Config.EntityID must be 1 to 1024 bytes")
	}
	acs, ok := absoluteHTTP(cfg.ACSURL)
	if !ok {
		return nil, fmt.Errorf("saml: Config.ACSURL %q is no absolute http(s) URL", cfg.ACSURL)
	}
	if cfg.Key == nil || cfg.Certificate == nil {
		return nil, errors.New("saml: Config.Key and Config.Certificate are required (AuthnRequests are signed)")
	}
	pub, ok := cfg.Key.Public().(*rsa.PublicKey)
	if !ok {
		return nil, errNoRSA
	}
	if certPub, ok := cfg.Certificate.PublicKey.(*rsa.PublicKey); !ok || !certPub.Equal(pub) {
		return nil, errors.New("saml: Config.Certificate is not the certificate of Config.Key")
	}
	encKey, encCert := cfg.EncryptionKey, cfg.EncryptionCertificate
	if encKey == nil {
		k, ok := cfg.Key.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("saml: Config.EncryptionKey is required when Config.Key is no *rsa.PrivateKey")
		}
		encKey, encCert = k, cfg.Certificate
	}
	if encCert == nil {
		return nil, errors.New("saml: Config.EncryptionCertificate is required with Config.EncryptionKey")
	}
	if certPub, ok := encCert.PublicKey.(*rsa.PublicKey); !ok || !certPub.Equal(&encKey.PublicKey) {
		return nil, errors.New("saml: Config.EncryptionCertificate is not the certificate of the encryption key")
	}
	switch cfg.Binding {
	case "":
		cfg.Binding = BindingRedirect
	case BindingRedirect, BindingPOST:
	default:
		return nil, fmt.Errorf("saml: Config.Binding %q is neither HTTP-Redirect nor HTTP-POST", cfg.Binding)
	}
	if cfg.Attributes == nil {
		cfg.Attributes = BundIDAttributes()
	}
	if len(cfg.Attributes) > 64 {
		return nil, fmt.Errorf("saml: %d requested attributes, at most 64", len(cfg.Attributes))
	}
	for _, a := range cfg.Attributes {
		if a.Name == "" || len(a.Name) > 256 {
			return nil, errors.New("saml: a requested attribute's name must be 1 to 256 bytes")
		}
	}
	idp, err := ParseIdPMetadata(cfg.IdPMetadata, cfg.IdPEntityID)
	if err != nil {
		return nil, err
	}
	s := &ServiceProvider{
		cfg: cfg, idp: idp, acs: acs, keys: opts.Keys, replay: opts.Replay, leeway: opts.Leeway,
		loginTTL: opts.LoginTTL, now: opts.Now, log: opts.Logger, secure: acs.Scheme == "https", signer: pub,
	}
	if s.replay == nil {
		s.replay = identity.NewMemoryReplayCache(&identity.MemoryReplayOptions{Now: opts.Now})
	}
	if s.leeway <= 0 {
		s.leeway = 30 * time.Second
	}
	if s.loginTTL <= 0 {
		s.loginTTL = 10 * time.Minute
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.keys == nil {
		if s.keys, err = identity.NewKeyring(identity.Key{ID: "saml-login-" + randomString(6), Secret: randomBytes(32)}); err != nil {
			return nil, err
		}
	}
	s.claims = identity.BundIDClaims()
	if cfg.Claims != nil {
		s.claims = *cfg.Claims
	}
	s.acr = identity.DefaultACRMapping()
	if cfg.ACR != nil {
		s.acr = *cfg.ACR
	}
	s.sp = saml.ServiceProvider{
		EntityID:                         cfg.EntityID,
		Key:                              cfg.Key,
		Certificate:                      cfg.Certificate,
		EncryptionKey:                    encKey,
		EncryptionCertificate:            encCert,
		DecryptionKeys:                   cfg.DecryptionKeys,
		AcsURL:                           *acs,
		IDPMetadata:                      idp,
		AuthnNameIDFormat:                saml.TransientNameIDFormat,
		SignatureMethod:                  dsig.RSASHA256SignatureMethod,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		RequireSignedResponseForCBC:      !opts.AllowCBCWithoutSignedResponse,
		RejectSHA1Signatures:             false,
		RejectUnknownConditions:          true,
	}
	if s.ssoURL = s.sp.GetSSOBindingLocation(string(cfg.Binding)); s.ssoURL == "" {
		return nil, fmt.Errorf("%w: %s offers no %s single sign-on service", ErrMetadata, idp.EntityID, cfg.Binding)
	}
	if _, ok := absoluteHTTP(s.ssoURL); !ok {
		return nil, fmt.Errorf("%w: single sign-on URL %q is no absolute http(s) URL", ErrMetadata, s.ssoURL)
	}
	return s, nil
}

// IdPEntityID returns the identity provider's entity id, the issuer of its assertions.
func (s *ServiceProvider) IdPEntityID() string { return s.idp.EntityID }

// EndSessionURL returns "": single logout at the identity provider is not offered; the
// portal's session ends on its own.
func (s *ServiceProvider) EndSessionURL(*identity.Principal) string { return "" }

var _ identity.Authenticator = (*ServiceProvider)(nil)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomString(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }
