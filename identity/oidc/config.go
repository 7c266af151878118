package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/internal/hashcache"
)

// Config describes the client registration at one OpenID provider. Providers are data: a
// Config for a BundID broker differs from one for another provider only in its values.
type Config struct {
	// Issuer is the provider's issuer URL; its discovery document is read from
	// Issuer + "/.well-known/openid-configuration".
	Issuer string
	// ClientID and ClientSecret identify the portal at the provider. An empty secret makes a
	// public client (PKCE only).
	ClientID     string
	ClientSecret string
	// RedirectURL is the absolute URL of the callback handler (it must be registered at the
	// provider). An https URL makes the transaction cookie Secure.
	RedirectURL string
	// PostLogoutRedirectURL is where the provider sends the browser after logout (registered
	// at the provider); empty leaves the choice to the provider.
	PostLogoutRedirectURL string
	// Scopes requested; "openid" is always added. Default: openid profile email.
	Scopes []string
	// Claims maps claims to a Principal. Default: identity.BundIDClaims().
	Claims *identity.ClaimMapping
	// ACR maps acr values to levels and back. Default: identity.DefaultACRMapping().
	ACR *identity.ACRMapping
	// Algorithms allowed for token signatures. Default RS256, PS256, ES256. Only RSA, RSA-PSS
	// and ECDSA algorithms may be listed.
	Algorithms []jwa.SignatureAlgorithm
	// UseUserinfo fetches the userinfo endpoint after login and adds its claims to the ID
	// token's (ID token claims win).
	UseUserinfo bool
	// BearerAudiences are further audiences accepted for bearer tokens besides ClientID
	// (a token is also accepted when its azp is ClientID).
	BearerAudiences []string
	// LevelWithoutACR is the trust level given to a login or bearer token that carries no
	// level claim at all (no acr, no BundID trust level attribute). Zero, the default,
	// refuses such tokens ("claim acr: trust level missing"), which is right for BundID and
	// every broker that sends acr. Set it only for a provider that never sends acr and whose
	// own authentication is known to reach that level (typically identity.LevelBasic for a
	// username-and-password provider); a login at it still fails where the service asks for
	// more, and an acr that is sent but not mapped is still refused. It overrides
	// Claims.AssumedLevel.
	LevelWithoutACR identity.Level
}

// Options tune a RelyingParty; nil means defaults.
type Options struct {
	// HTTPClient talks to the provider. Default: a client with a 10 s timeout.
	HTTPClient *http.Client
	// Keys seal the login transaction cookie. Default: a fresh random key, which works only
	// while one process serves both the login and its callback; give the session keyring when
	// running several replicas.
	Keys *identity.Keyring
	// Leeway is the clock skew allowed for exp, nbf and iat (default 30 s).
	Leeway time.Duration
	// JWKSMinRefresh is the least time between two JWKS fetches for the same unknown kid,
	// and between fetches when the cached JWKS is older than JWKSMaxAge (default 1 minute).
	// A kid not seen before is fetched for at once, so the first token after a key rotation
	// verifies; at most 32 distinct unknown kids cause a fetch per JWKSMinRefresh.
	JWKSMinRefresh time.Duration
	// JWKSMaxAge is how long a fetched JWKS is used before it is fetched again on the next
	// verification (default 1 hour).
	JWKSMaxAge time.Duration
	// BearerCacheSize bounds the bearer verification cache (default 10000 entries; negative
	// disables it).
	BearerCacheSize int
	// LoginTTL is how long a begun login may take (default 10 minutes).
	LoginTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger gets a few structured lines; never personal data. Default slog.Default().
	Logger *slog.Logger
}

// Metadata is the part of a provider's discovery document the relying party uses.
type Metadata struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	UserinfoEndpoint      string   `json:"userinfo_endpoint,omitempty"`
	JWKSURI               string   `json:"jwks_uri"`
	EndSessionEndpoint    string   `json:"end_session_endpoint,omitempty"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported,omitempty"`
	IDTokenAlgorithms     []string `json:"id_token_signing_alg_values_supported,omitempty"`
	// ISSParameterSupported: the provider puts iss on authorization responses (RFC 9207);
	// the relying party then refuses a response without it.
	ISSParameterSupported bool `json:"authorization_response_iss_parameter_supported,omitempty"`
}

// maxDocument bounds discovery, JWKS, token and userinfo responses.
const maxDocument = 1 << 20

// Discover reads and checks the discovery document of issuer.
func Discover(ctx context.Context, client *http.Client, issuer string) (*Metadata, error) {
	issuer = strings.TrimSuffix(issuer, "/")
	var md Metadata
	if err := getJSON(ctx, client, issuer+"/.well-known/openid-configuration", &md); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDiscovery, err)
	}
	if strings.TrimSuffix(md.Issuer, "/") != issuer {
		return nil, fmt.Errorf("%w: document is for issuer %q, want %q", ErrDiscovery, md.Issuer, issuer)
	}
	for name, v := range map[string]string{"authorization_endpoint": md.AuthorizationEndpoint, "token_endpoint": md.TokenEndpoint, "jwks_uri": md.JWKSURI} {
		if !absoluteHTTP(v) {
			return nil, fmt.Errorf("%w: %s %q is no absolute http(s) URL", ErrDiscovery, name, v)
		}
	}
	for name, v := range map[string]string{"userinfo_endpoint": md.UserinfoEndpoint, "end_session_endpoint": md.EndSessionEndpoint} {
		if v != "" && !absoluteHTTP(v) {
			return nil, fmt.Errorf("%w: %s %q is no absolute http(s) URL", ErrDiscovery, name, v)
		}
	}
	if len(md.CodeChallengeMethods) > 0 && !slices.Contains(md.CodeChallengeMethods, "S256") {
		return nil, fmt.Errorf("%w: provider does not support PKCE S256", ErrDiscovery)
	}
	return &md, nil
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return decodeBounded(resp.Body, v)
}

func decodeBounded(r io.Reader, v any) error {
	b, err := io.ReadAll(io.LimitReader(r, maxDocument+1))
	if err != nil {
		return err
	}
	if len(b) > maxDocument {
		return errors.New("response larger than 1 MiB")
	}
	return json.Unmarshal(b, v)
}

// RelyingParty is the OpenID Connect client of one provider. It implements
// identity.Authenticator and identity.BearerVerifier and is safe for concurrent use.
type RelyingParty struct {
	cfg      Config
	md       *Metadata
	client   *http.Client
	keys     *identity.Keyring
	claims   identity.ClaimMapping
	acr      identity.ACRMapping
	algs     map[jwa.SignatureAlgorithm]bool
	scopes   string
	leeway   time.Duration
	loginTTL time.Duration
	now      func() time.Time
	log      *slog.Logger
	secure   bool
	jwks     *keyCache
	bearer   *hashcache.Cache[*identity.Principal]
	usedMu   sync.Mutex
	used     map[string]time.Time // nonces already accepted, until they could no longer be valid
}

var asymmetric = map[jwa.SignatureAlgorithm]bool{
	jwa.RS256: true, jwa.RS384: true, jwa.RS512: true,
	jwa.PS256: true, jwa.PS384: true, jwa.PS512: true,
	jwa.ES256: true, jwa.ES384: true, jwa.ES512: true,
}

// New reads the provider's discovery document and returns a relying party.
func New(ctx context.Context, cfg Config, opts *Options) (*RelyingParty, error) {
	if opts == nil {
		opts = &Options{}
	}
	if cfg.ClientID == "" {
		return nil, errors.New("oidc: Config.ClientID is empty")
	}
	ru, err := url.Parse(cfg.RedirectURL)
	if err != nil || !absoluteHTTP(cfg.RedirectURL) {
		return nil, fmt.Errorf("oidc: Config.RedirectURL %q is no absolute http(s) URL", cfg.RedirectURL)
	}
	rp := &RelyingParty{
		cfg: cfg, client: opts.HTTPClient, keys: opts.Keys, leeway: opts.Leeway, loginTTL: opts.LoginTTL,
		now: opts.Now, log: opts.Logger, secure: ru.Scheme == "https", used: map[string]time.Time{},
		algs: map[jwa.SignatureAlgorithm]bool{},
	}
	if rp.client == nil {
		rp.client = &http.Client{Timeout: 10 * time.Second}
	}
	if rp.leeway <= 0 {
		rp.leeway = 30 * time.Second
	}
	if rp.loginTTL <= 0 {
		rp.loginTTL = 10 * time.Minute
	}
	if rp.now == nil {
		rp.now = time.Now
	}
	if rp.log == nil {
		rp.log = slog.Default()
	}
	if rp.keys == nil {
		if rp.keys, err = identity.NewKeyring(identity.Key{ID: "login-" + randomString(6), Secret: randomBytes(32)}); err != nil {
			return nil, err
		}
	}
	rp.claims = identity.BundIDClaims()
	if cfg.Claims != nil {
		rp.claims = *cfg.Claims
	}
	if cfg.LevelWithoutACR != identity.LevelNone {
		if !cfg.LevelWithoutACR.Valid() {
			return nil, fmt.Errorf("oidc: Config.LevelWithoutACR: %w: %d", identity.ErrUnknownLevel, int(cfg.LevelWithoutACR))
		}
		rp.claims.AssumedLevel = cfg.LevelWithoutACR
	}
	rp.acr = identity.DefaultACRMapping()
	if cfg.ACR != nil {
		rp.acr = *cfg.ACR
	}
	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = []jwa.SignatureAlgorithm{jwa.RS256, jwa.PS256, jwa.ES256}
	}
	for _, a := range algs {
		if !asymmetric[a] {
			return nil, fmt.Errorf("oidc: algorithm %q may not be allowed: only RSA, RSA-PSS and ECDSA", a)
		}
		rp.algs[a] = true
	}
	scopes := []string{"openid"}
	for _, s := range cfg.Scopes {
		if s != "openid" {
			scopes = append(scopes, s)
		}
	}
	if len(cfg.Scopes) == 0 {
		scopes = append(scopes, "profile", "email")
	}
	rp.scopes = strings.Join(scopes, " ")

	if rp.md, err = Discover(ctx, rp.client, cfg.Issuer); err != nil {
		return nil, err
	}
	if cfg.UseUserinfo && rp.md.UserinfoEndpoint == "" {
		return nil, fmt.Errorf("%w: UseUserinfo set but the provider has no userinfo_endpoint", ErrDiscovery)
	}
	minRefresh, maxAge := opts.JWKSMinRefresh, opts.JWKSMaxAge
	if minRefresh <= 0 {
		minRefresh = time.Minute
	}
	if maxAge <= 0 {
		maxAge = time.Hour
	}
	rp.jwks = newKeyCache(rp.client, rp.md.JWKSURI, minRefresh, maxAge, rp.now)
	size := opts.BearerCacheSize
	if size == 0 {
		size = 10000
	}
	if size > 0 {
		rp.bearer = hashcache.New[*identity.Principal](size)
	}
	return rp, nil
}

// Metadata returns the provider's discovery document.
func (rp *RelyingParty) Metadata() Metadata { return *rp.md }
