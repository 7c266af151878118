package oidc_test

// Interop: the relying party against a second, independently written OpenID provider,
// zitadel/oidc's op package (a test-only dependency). op implements the protocol
// (discovery, authorize, token, userinfo, JWKS, end-session, ID token signing); what a
// deployment supplies as op.Storage — clients, users, the login page and the provider's own
// session — is written here, modelled on a BundID broker: users have a strongest level, the
// login answers with a STORK acr, and the provider remembers a login in a cookie and answers
// later requests from it unless prompt=login or max_age asks for a new authentication.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/oidc"
)

// zUser is a citizen at the zitadel provider.
type zUser struct {
	maxLevel      identity.Level
	given, family string
}

// zSession is the provider's memory of a login in one browser.
type zSession struct {
	user     string
	level    identity.Level
	authTime time.Time
}

// zRequest is an authorization request held by the storage (op.AuthRequest).
type zRequest struct {
	id, clientID, redirectURI, state, nonce string
	scopes, prompt, acrValues               []string
	responseType                            zoidc.ResponseType
	responseMode                            zoidc.ResponseMode
	challenge                               *zoidc.CodeChallenge
	maxAge                                  *uint

	done     bool
	subject  string
	level    identity.Level
	authTime time.Time
}

func (a *zRequest) GetID() string { return a.id }
func (a *zRequest) GetACR() string {
	if !a.done {
		return ""
	}
	acr, _ := a.level.STORK()
	return acr
}
func (a *zRequest) GetAMR() []string {
	switch a.level {
	case identity.LevelHigh:
		return []string{"eid"}
	case identity.LevelSubstantial:
		return []string{"elster"}
	}
	return []string{"pwd"}
}
func (a *zRequest) GetAudience() []string                  { return []string{a.clientID} }
func (a *zRequest) GetAuthTime() time.Time                 { return a.authTime }
func (a *zRequest) GetClientID() string                    { return a.clientID }
func (a *zRequest) GetCodeChallenge() *zoidc.CodeChallenge { return a.challenge }
func (a *zRequest) GetNonce() string                       { return a.nonce }
func (a *zRequest) GetRedirectURI() string                 { return a.redirectURI }
func (a *zRequest) GetResponseType() zoidc.ResponseType    { return a.responseType }
func (a *zRequest) GetResponseMode() zoidc.ResponseMode    { return a.responseMode }
func (a *zRequest) GetScopes() []string                    { return a.scopes }
func (a *zRequest) GetState() string                       { return a.state }
func (a *zRequest) GetSubject() string                     { return a.subject }
func (a *zRequest) Done() bool                             { return a.done }

// zClient is the portal's registration (op.Client).
type zClient struct {
	id, secret, redirect, postLogout string
}

func (c *zClient) GetID() string                       { return c.id }
func (c *zClient) RedirectURIs() []string              { return []string{c.redirect} }
func (c *zClient) PostLogoutRedirectURIs() []string    { return []string{c.postLogout} }
func (c *zClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *zClient) AuthMethod() zoidc.AuthMethod        { return zoidc.AuthMethodBasic }
func (c *zClient) ResponseTypes() []zoidc.ResponseType {
	return []zoidc.ResponseType{zoidc.ResponseTypeCode}
}
func (c *zClient) GrantTypes() []zoidc.GrantType        { return []zoidc.GrantType{zoidc.GrantTypeCode} }
func (c *zClient) LoginURL(id string) string            { return "/login?id=" + id }
func (c *zClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *zClient) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c *zClient) DevMode() bool                        { return false }
func (c *zClient) IsScopeAllowed(string) bool           { return false }
func (c *zClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *zClient) ClockSkew() time.Duration             { return 0 }
func (c *zClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *zClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

type zKey struct {
	id   string
	priv *rsa.PrivateKey
}

func (k zKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k zKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (k zKey) ID() string                                  { return k.id }
func (k zKey) Use() string                                 { return "sig" }

// zSigning is a zKey as op.SigningKey (Key is the private key); zPublic as op.Key.
type zSigning struct{ zKey }

func (k zSigning) Key() any { return k.priv }

type zPublic struct{ zKey }

func (k zPublic) Key() any { return &k.priv.PublicKey }

type zToken struct {
	subject, clientID string
	exp               time.Time
}

// zStore is the op.Storage of the test provider.
type zStore struct {
	mu       sync.Mutex
	client   *zClient
	users    map[string]zUser
	requests map[string]*zRequest
	codes    map[string]string // code -> request id
	tokens   map[string]zToken
	sessions map[string]*zSession // session cookie -> session
	keys     []zKey               // oldest first; the last signs
	auto     string               // the user the login page logs in when it must authenticate
	serial   int
}

var errZNotFound = errors.New("not found")

func (s *zStore) rotate() error {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serial++
	s.keys = append(s.keys, zKey{id: fmt.Sprintf("zitadel-%d", s.serial), priv: priv})
	if len(s.keys) > 2 {
		s.keys = s.keys[1:]
	}
	return nil
}

func (s *zStore) CreateAuthRequest(_ context.Context, r *zoidc.AuthRequest, _ string) (op.AuthRequest, error) {
	a := &zRequest{
		id: fmt.Sprintf("ar-%d", time.Now().UnixNano()), clientID: r.ClientID, redirectURI: r.RedirectURI,
		state: r.State, nonce: r.Nonce, scopes: r.Scopes, prompt: r.Prompt, acrValues: r.ACRValues,
		responseType: r.ResponseType, responseMode: r.ResponseMode, maxAge: r.MaxAge,
		challenge: &zoidc.CodeChallenge{Challenge: r.CodeChallenge, Method: r.CodeChallengeMethod},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[a.id] = a
	return a, nil
}

func (s *zStore) request(id string) (*zRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return nil, errZNotFound
	}
	return a, nil
}

func (s *zStore) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	return s.request(id)
}

func (s *zStore) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errZNotFound
	}
	return s.request(id)
}

func (s *zStore) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *zStore) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, rid := range s.codes {
		if rid == id {
			delete(s.codes, c)
		}
	}
	return nil
}

func (s *zStore) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	exp := time.Now().Add(5 * time.Minute)
	id := fmt.Sprintf("at-%d", time.Now().UnixNano())
	client := ""
	if a, ok := req.(*zRequest); ok {
		client = a.clientID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[id] = zToken{subject: req.GetSubject(), clientID: client, exp: exp}
	return id, exp, nil
}

func (s *zStore) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("no refresh tokens")
}

func (s *zStore) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *zStore) TerminateSession(context.Context, string, string) error {
	return errors.New("TerminateSessionFromRequest is used")
}

// TerminateSessionFromRequest ends the user's provider sessions when the request names them
// with an id_token_hint; without one it sends the browser to a page asking the citizen to
// confirm, as real providers do.
func (s *zStore) TerminateSessionFromRequest(_ context.Context, r *op.EndSessionRequest) (string, error) {
	if r.IDTokenHintClaims == nil {
		return "/logout/confirm", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, sess := range s.sessions {
		if sess.user == r.UserID {
			delete(s.sessions, id)
		}
	}
	for id, t := range s.tokens {
		if t.subject == r.UserID {
			delete(s.tokens, id)
		}
	}
	return r.RedirectURI, nil
}

func (s *zStore) RevokeToken(context.Context, string, string, string) *zoidc.Error { return nil }

func (s *zStore) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *zStore) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return zSigning{s.keys[len(s.keys)-1]}, nil
}

func (s *zStore) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *zStore) KeySet(context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []op.Key
	for _, k := range s.keys {
		keys = append(keys, zPublic{k})
	}
	return keys, nil
}

func (s *zStore) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, errZNotFound
	}
	return s.client, nil
}

func (s *zStore) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id || secret != s.client.secret {
		return errors.New("wrong client credentials")
	}
	return nil
}

func (s *zStore) SetUserinfoFromScopes(context.Context, *zoidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *zStore) setUserinfo(info *zoidc.UserInfo, subject string) error {
	s.mu.Lock()
	u, ok := s.users[subject]
	s.mu.Unlock()
	if !ok {
		return errZNotFound
	}
	info.Subject = subject
	info.GivenName, info.FamilyName = u.given, u.family
	return nil
}

func (s *zStore) SetUserinfoFromRequest(_ context.Context, info *zoidc.UserInfo, r op.IDTokenRequest, _ []string) error {
	return s.setUserinfo(info, r.GetSubject())
}

func (s *zStore) SetUserinfoFromToken(_ context.Context, info *zoidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(t.exp) {
		return errors.New("token is not valid")
	}
	return s.setUserinfo(info, t.subject)
}

func (s *zStore) SetIntrospectionFromToken(context.Context, *zoidc.IntrospectionResponse, string, string, string) error {
	return errors.New("no introspection")
}

func (s *zStore) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *zStore) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errZNotFound
}

func (s *zStore) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *zStore) Health(context.Context) error { return nil }

// login is the provider's login page: it answers from the browser's provider session when
// that is fresh enough for the request, refuses prompt=none without one, and otherwise logs
// in the auto user at the requested STORK level, capped at the user's strongest.
func (s *zStore) login(provider *op.Provider) http.HandlerFunc {
	callback := op.AuthCallbackURL(provider)
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := s.request(r.URL.Query().Get("id"))
		if err != nil {
			http.Error(w, "unknown auth request", http.StatusBadRequest)
			return
		}
		now := time.Now()
		var sess *zSession
		if c, err := r.Cookie("zitadel_session"); err == nil {
			s.mu.Lock()
			sess = s.sessions[c.Value]
			s.mu.Unlock()
		}
		fresh := sess != nil && !slices.Contains(a.prompt, zoidc.PromptLogin) &&
			(a.maxAge == nil || now.Sub(sess.authTime) < time.Duration(*a.maxAge)*time.Second)
		switch {
		case fresh:
		case slices.Contains(a.prompt, zoidc.PromptNone):
			op.AuthRequestError(w, r, a, zoidc.ErrLoginRequired(), provider)
			return
		default:
			s.mu.Lock()
			u, ok := s.users[s.auto]
			sess = &zSession{user: s.auto, level: u.maxLevel, authTime: now}
			s.mu.Unlock()
			if !ok {
				http.Error(w, "no auto user", http.StatusInternalServerError)
				return
			}
			acr := identity.DefaultACRMapping()
			for _, v := range a.acrValues {
				if l, err := acr.Level(v); err == nil && l < sess.level {
					sess.level = l
				}
			}
			id := fmt.Sprintf("zs-%d", now.UnixNano())
			s.mu.Lock()
			s.sessions[id] = sess
			s.mu.Unlock()
			http.SetCookie(w, &http.Cookie{Name: "zitadel_session", Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		s.mu.Lock()
		a.done, a.subject, a.level, a.authTime = true, sess.user, sess.level, sess.authTime
		s.mu.Unlock()
		http.Redirect(w, r, callback(r.Context(), a.id), http.StatusFound)
	}
}

// zPortal is a portal (Gate + relying party) in front of the zitadel provider.
type zPortal struct {
	store *zStore
	app   *httptest.Server
	rp    *oidc.RelyingParty
}

func newZitadelPortal(t *testing.T) *zPortal {
	t.Helper()
	store := &zStore{
		users: map[string]zUser{
			"erika": {maxLevel: identity.LevelHigh, given: "Erika", family: "Mustermann"},
			"max":   {maxLevel: identity.LevelSubstantial, given: "Max", family: "Mustermann"},
			"lena":  {maxLevel: identity.LevelBasic, given: "Lena", family: "Beispiel"},
		},
		requests: map[string]*zRequest{}, codes: map[string]string{}, tokens: map[string]zToken{}, sessions: map[string]*zSession{},
	}
	if err := store.rotate(); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	idp := httptest.NewServer(mux)
	t.Cleanup(idp.Close)
	appMux := http.NewServeMux()
	app := httptest.NewServer(appMux)
	t.Cleanup(app.Close)
	store.client = &zClient{id: "portal", secret: "s3cret", redirect: app.URL + "/auth/callback", postLogout: app.URL + "/bye"}

	provider, err := op.NewProvider(&op.Config{
		CryptoKey: [32]byte{1, 2, 3}, DefaultLogoutRedirectURI: "/logged-out", CodeMethodS256: true,
	}, store, op.StaticIssuer(idp.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("/login", store.login(provider))
	mux.HandleFunc("/logout/confirm", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>Abmelden?</title><form method="post"><button>Abmelden</button></form>`))
	})
	mux.Handle("/", provider)

	ring, err := identity.NewKeyring(identity.Key{ID: "z1", Secret: bytes.Repeat([]byte{9}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	claims := identity.StandardClaims()
	rp, err := oidc.New(context.Background(), oidc.Config{
		Issuer: idp.URL, ClientID: "portal", ClientSecret: "s3cret", Claims: &claims, UseUserinfo: true,
		RedirectURL: app.URL + "/auth/callback", PostLogoutRedirectURL: app.URL + "/bye",
	}, &oidc.Options{Keys: ring})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := identity.NewSessions(ring, &identity.SessionOptions{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	gate := identity.NewGate(sessions, rp, rp, nil)
	appMux.Handle("/auth/login", gate.LoginHandler())
	appMux.Handle("/auth/callback", gate.CallbackHandler())
	appMux.Handle("/auth/logout", gate.LogoutHandler())
	appMux.HandleFunc("/bye", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"bye":true}`)) })
	for path, level := range map[string]identity.Level{"/antrag": identity.LevelBasic, "/wohngeld": identity.LevelSubstantial, "/bescheid": identity.LevelHigh} {
		appMux.Handle(path, gate.Authenticate(gate.RequireLevel(level)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := identity.PrincipalFrom(r.Context())
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"service": path, "principal": p})
		}))))
	}
	return &zPortal{store: store, app: app, rp: rp}
}

func (z *zPortal) setAuto(user string) {
	z.store.mu.Lock()
	defer z.store.mu.Unlock()
	z.store.auto = user
}

// open navigates a browser to path and returns the final status, body and URL.
func (z *zPortal) open(t *testing.T, b *http.Client, method, path string, hdr map[string]string) (int, map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(method, z.app.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	return resp.StatusCode, doc, resp.Request.URL.String()
}

func zBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func principalOf(doc map[string]any) (sub, level, given string) {
	p, _ := doc["principal"].(map[string]any)
	sub, _ = p["sub"].(string)
	level, _ = p["level"].(string)
	given, _ = p["givenNames"].(string)
	return sub, level, given
}

func TestZitadelLoginAtEachLevel(t *testing.T) {
	z := newZitadelPortal(t)
	for _, tt := range []struct{ user, path, level, given string }{
		{"lena", "/antrag", "basic", "Lena"},
		{"max", "/wohngeld", "substantial", "Max"},
		{"erika", "/bescheid", "high", "Erika"},
	} {
		t.Run(tt.user+" opens "+tt.path, func(t *testing.T) {
			z.setAuto(tt.user)
			status, doc, at := z.open(t, zBrowser(), "GET", tt.path, nil)
			sub, level, given := principalOf(doc)
			if status != 200 || sub != tt.user || level != tt.level || given != tt.given {
				t.Fatalf("ended at %s with %d %v", at, status, doc)
			}
		})
	}
	t.Run("a login below the service's level is refused", func(t *testing.T) {
		z.setAuto("max") // no eID card: the provider logs him in at substantial
		if status, doc, _ := z.open(t, zBrowser(), "GET", "/bescheid", nil); status != http.StatusForbidden {
			t.Fatalf("max on a high service: %d %v", status, doc)
		}
	})
}

func TestZitadelStepUpWithAnExistingProviderSession(t *testing.T) {
	z := newZitadelPortal(t)
	z.setAuto("erika")
	b := zBrowser()
	// Logged in at basic: the provider now holds a session at STORK-QAA-Level-1.
	z.store.mu.Lock()
	u := z.store.users["erika"]
	u.maxLevel = identity.LevelBasic // she logs in with her password first
	z.store.users["erika"] = u
	z.store.mu.Unlock()
	if status, doc, _ := z.open(t, b, "GET", "/antrag", nil); status != 200 {
		t.Fatalf("basic login: %d %v", status, doc)
	}
	z.store.mu.Lock()
	u.maxLevel = identity.LevelHigh // and has her eID card at hand for the step-up
	z.store.users["erika"] = u
	z.store.mu.Unlock()
	status, doc, at := z.open(t, b, "GET", "/bescheid", nil)
	if _, level, _ := principalOf(doc); status != 200 || level != "high" {
		t.Fatalf("step-up ended at %s with %d %v", at, status, doc)
	}
	// The provider session is now at high: a further login is answered from it silently.
	z.setAuto("")
	if status, doc, _ := z.open(t, b, "GET", "/wohngeld", nil); status != 200 {
		t.Fatalf("a lower service after the step-up: %d %v", status, doc)
	}
}

func TestZitadelKeyRotation(t *testing.T) {
	z := newZitadelPortal(t)
	z.setAuto("erika")
	if status, doc, _ := z.open(t, zBrowser(), "GET", "/antrag", nil); status != 200 {
		t.Fatalf("first login: %d %v", status, doc)
	}
	// The provider rotates at once; the relying party fetched the JWKS a moment ago.
	if err := z.store.rotate(); err != nil {
		t.Fatal(err)
	}
	status, doc, _ := z.open(t, zBrowser(), "GET", "/bescheid", nil)
	if _, level, _ := principalOf(doc); status != 200 || level != "high" {
		t.Fatalf("login with the rotated key: %d %v", status, doc)
	}
}

func TestZitadelLogout(t *testing.T) {
	z := newZitadelPortal(t)
	z.setAuto("erika")
	b := zBrowser()
	if status, doc, _ := z.open(t, b, "GET", "/bescheid", nil); status != 200 {
		t.Fatalf("login: %d %v", status, doc)
	}
	status, doc, at := z.open(t, b, "POST", "/auth/logout", map[string]string{"Origin": z.app.URL})
	if status != 200 || doc["bye"] != true {
		t.Fatalf("logout ended at %s with %d %v (without id_token_hint the provider asks to confirm)", at, status, doc)
	}
	z.setAuto("")
	if status, _, at := z.open(t, b, "GET", "/antrag", nil); status == 200 && !strings.Contains(at, "/login") {
		t.Fatalf("the provider session survived the logout: a new login ended at %s", at)
	}
}
