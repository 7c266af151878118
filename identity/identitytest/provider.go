package identitytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/ozgkit/ozgkit/identity"
)

// Client is a relying party registered at the provider.
type Client struct {
	ID string
	// Secret authenticates the client at the token endpoint (client_secret_basic or
	// client_secret_post). Empty makes a public client that relies on PKCE alone.
	Secret string
	// RedirectURIs are compared exactly with redirect_uri.
	RedirectURIs []string
	// PostLogoutRedirectURIs are compared exactly with post_logout_redirect_uri.
	PostLogoutRedirectURIs []string
}

// Options tune a provider; nil means defaults.
type Options struct {
	// Personas replaces [DefaultPersonas].
	Personas []Persona
	// Clients are registered from the start; more with [Provider.AddClient].
	Clients []Client
	// CodeTTL is how long an authorization code may be redeemed (default 1 minute).
	CodeTTL time.Duration
	// TokenTTL is the lifetime of ID and access tokens (default 5 minutes).
	TokenTTL time.Duration
	// SessionTTL is how long the provider remembers a login in a browser (its session
	// cookie) and answers later authorization requests from it (default 1 hour).
	SessionTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Provider is the local BundID-like OpenID Connect provider. It is an http.Handler serving
// /.well-known/openid-configuration, /jwks, /authorize, /token, /userinfo and /logout below
// its issuer URL's path. It is safe for concurrent use.
type Provider struct {
	issuer   string
	path     string // issuer path, without trailing slash
	codeTTL  time.Duration
	tokenTTL time.Duration
	sessTTL  time.Duration
	secure   bool
	now      func() time.Time
	mux      *http.ServeMux

	mu       sync.Mutex
	personas map[string]Persona
	order    []string
	clients  map[string]Client
	gens     []keyGen // oldest first; the last is current
	alg      jwa.SignatureAlgorithm
	auto     string
	codes    map[string]*grant
	revoked  map[string]time.Time // sid -> when
	sessions map[string]*providerSession
	serial   int
}

type keyGen struct {
	rsa, ec jwk.Key // private keys with kid and alg set
}

// New returns a provider whose issuer is issuer (an absolute http or https URL).
func New(issuer string, opts *Options) (*Provider, error) {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("identitytest: issuer %q is no absolute http(s) URL", issuer)
	}
	if opts == nil {
		opts = &Options{}
	}
	p := &Provider{
		issuer:   strings.TrimSuffix(issuer, "/"),
		path:     strings.TrimSuffix(u.Path, "/"),
		codeTTL:  opts.CodeTTL,
		tokenTTL: opts.TokenTTL,
		sessTTL:  opts.SessionTTL,
		secure:   u.Scheme == "https",
		now:      opts.Now,
		personas: map[string]Persona{},
		clients:  map[string]Client{},
		alg:      jwa.RS256,
		codes:    map[string]*grant{},
		revoked:  map[string]time.Time{},
		sessions: map[string]*providerSession{},
	}
	if p.codeTTL <= 0 {
		p.codeTTL = time.Minute
	}
	if p.tokenTTL <= 0 {
		p.tokenTTL = 5 * time.Minute
	}
	if p.sessTTL <= 0 {
		p.sessTTL = time.Hour
	}
	if p.now == nil {
		p.now = time.Now
	}
	personas := opts.Personas
	if personas == nil {
		personas = DefaultPersonas()
	}
	for _, ps := range personas {
		if ps.ID == "" || !ps.MaxLevel.Valid() || ps.MaxLevel == identity.LevelNone {
			return nil, fmt.Errorf("identitytest: persona %q needs an ID and a level above none", ps.ID)
		}
		p.personas[ps.ID] = ps
		p.order = append(p.order, ps.ID)
	}
	for _, c := range opts.Clients {
		p.AddClient(c)
	}
	if err := p.RotateKeys(); err != nil {
		return nil, err
	}
	p.mux = http.NewServeMux()
	p.mux.HandleFunc("GET "+p.path+"/.well-known/openid-configuration", p.discovery)
	p.mux.HandleFunc("GET "+p.path+"/jwks", p.jwks)
	p.mux.HandleFunc("GET "+p.path+"/authorize", p.authorize)
	p.mux.HandleFunc("POST "+p.path+"/authorize", p.authorize)
	p.mux.HandleFunc("POST "+p.path+"/token", p.token)
	p.mux.HandleFunc("GET "+p.path+"/userinfo", p.userinfo)
	p.mux.HandleFunc("POST "+p.path+"/userinfo", p.userinfo)
	p.mux.HandleFunc("GET "+p.path+"/logout", p.logout)
	p.mux.HandleFunc("POST "+p.path+"/logout", p.logout)
	return p, nil
}

// NewServer starts a provider on a loopback httptest server; close the server when done.
func NewServer(opts *Options) (*Provider, *httptest.Server) {
	var p *Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r) }))
	p, err := New(srv.URL, opts)
	if err != nil {
		srv.Close()
		panic(err) // cannot happen: httptest URLs are absolute http URLs
	}
	return p, srv
}

// ServeHTTP serves the provider's endpoints.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// Issuer returns the issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// AddClient registers (or replaces) a client.
func (p *Provider) AddClient(c Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[c.ID] = c
}

// SetAutoLogin makes the authorize endpoint log in persona without showing the chooser page
// whenever it has to authenticate (no provider session in the browser, prompt=login, or a
// session older than max_age), at the level the request asks for with acr_values (capped at
// the persona's MaxLevel, so a persona without an eID card logs in below a high request and
// the relying party must refuse it), or at MaxLevel when none is asked for. A browser with a
// provider session is answered from it, whoever the auto persona is. "" shows the page again.
func (p *Provider) SetAutoLogin(persona string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.personas[persona]; !ok && persona != "" {
		return fmt.Errorf("identitytest: no persona %q", persona)
	}
	p.auto = persona
	return nil
}

// SetSigningAlgorithm chooses RS256 (the RSA key) or ES256 (the EC key) for new tokens.
func (p *Provider) SetSigningAlgorithm(alg jwa.SignatureAlgorithm) error {
	if alg != jwa.RS256 && alg != jwa.ES256 {
		return fmt.Errorf("identitytest: signing algorithm %s not offered (RS256, ES256)", alg)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.alg = alg
	return nil
}

// RotateKeys makes a new RSA-2048 and EC P-256 key pair current. The previous generation
// stays in the JWKS until the next rotation, so tokens it signed still verify; older ones
// leave the JWKS.
func (p *Provider) RotateKeys() error {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.serial++
	g := keyGen{}
	if g.rsa, err = privateJWK(rk, fmt.Sprintf("rsa-%d", p.serial), jwa.RS256); err != nil {
		return err
	}
	if g.ec, err = privateJWK(ek, fmt.Sprintf("ec-%d", p.serial), jwa.ES256); err != nil {
		return err
	}
	p.gens = append(p.gens, g)
	if len(p.gens) > 2 {
		p.gens = p.gens[len(p.gens)-2:]
	}
	return nil
}

func privateJWK(raw any, kid string, alg jwa.SignatureAlgorithm) (jwk.Key, error) {
	k, err := jwk.FromRaw(raw)
	if err != nil {
		return nil, err
	}
	for name, v := range map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: alg, jwk.KeyUsageKey: "sig"} {
		if err := k.Set(name, v); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// PublicKeys returns the published JWKS.
func (p *Provider) PublicKeys() (jwk.Set, error) {
	p.mu.Lock()
	gens := append([]keyGen(nil), p.gens...)
	p.mu.Unlock()
	set := jwk.NewSet()
	for i := len(gens) - 1; i >= 0; i-- {
		for _, k := range []jwk.Key{gens[i].rsa, gens[i].ec} {
			pub, err := jwk.PublicKeyOf(k)
			if err != nil {
				return nil, err
			}
			if err := set.AddKey(pub); err != nil {
				return nil, err
			}
		}
	}
	return set, nil
}

// CurrentKey returns the current private signing key for alg (RS256 or ES256); tests use it
// to craft tokens, e.g. an HS256 token keyed with the RSA public key.
func (p *Provider) CurrentKey(alg jwa.SignatureAlgorithm) (jwk.Key, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.gens[len(p.gens)-1]
	switch alg {
	case jwa.RS256:
		return g.rsa, nil
	case jwa.ES256:
		return g.ec, nil
	}
	return nil, fmt.Errorf("identitytest: no key for %s", alg)
}

// Sign signs claims as a compact JWS with the current key of the provider's signing
// algorithm, kid in the header. It signs whatever it is given: tests use it for expired,
// mis-addressed or otherwise bad tokens.
func (p *Provider) Sign(claims map[string]any) (string, error) {
	p.mu.Lock()
	alg := p.alg
	p.mu.Unlock()
	return p.signWith(alg, claims, "JWT")
}

func (p *Provider) signWith(alg jwa.SignatureAlgorithm, claims map[string]any, typ string) (string, error) {
	key, err := p.CurrentKey(alg)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("identitytest: claims: %w", err)
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, typ); err != nil {
		return "", err
	}
	tok, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(hdr)))
	return string(tok), err
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"userinfo_endpoint":                     p.issuer + "/userinfo",
		"jwks_uri":                              p.issuer + "/jwks",
		"end_session_endpoint":                  p.issuer + "/logout",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"scopes_supported":                      []string{"openid", "profile", "email", "address"},
		"acr_values_supported":                  []string{identity.ACRStorkQAA1, identity.ACRStorkQAA3, identity.ACRStorkQAA4},
		"claims_parameter_supported":            false,
		"prompt_values_supported":               []string{"none", "login", "consent", "select_account"},
		"response_modes_supported":              []string{"query"},
		// RFC 9207: authorization responses carry iss, and clients may rely on it.
		"authorization_response_iss_parameter_supported": true,
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	set, err := p.PublicKeys()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "max-age=300")
	writeJSON(w, http.StatusOK, set)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError writes an OAuth 2.0 error response (RFC 6749 section 5.2). A challenge, when
// the status needs one, is the caller's to set.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

var errNoPersona = errors.New("identitytest: no such persona")
