package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/ozgkit/ozgkit/identity"
)

// LoginCookie prefixes the names of the cookies that carry a begun login to its callback.
// Each login has its own cookie (the prefix and the start of its state), so logins begun in
// two tabs do not overwrite each other.
const LoginCookie = "ozgkit_login_"

func loginCookieName(state string) string {
	if len(state) > 16 {
		state = state[:16]
	}
	return LoginCookie + state
}

// transaction is what a begun login keeps for its callback, sealed in the login cookie.
type transaction struct {
	State    string         `json:"s"`
	Nonce    string         `json:"n"`
	Verifier string         `json:"v"`
	Level    identity.Level `json:"l"`
	ReturnTo string         `json:"r"`
	Expires  int64          `json:"e"`
}

// BeginLogin sends the browser to the provider's authorization endpoint, asking with
// acr_values for at least level (identity.LevelNone asks for none). When r's context carries
// an authenticated principal (identity.PrincipalFrom) below level, the login is a step-up: it
// also sends prompt=login and max_age=0, because a provider holding a session at the lower
// level may otherwise answer from it (acr_values is voluntary). Whatever the provider does,
// FinishLogin refuses a login below level.
func (rp *RelyingParty) BeginLogin(w http.ResponseWriter, r *http.Request, level identity.Level, returnTo string) error {
	if !level.Valid() {
		return fmt.Errorf("oidc: begin login: %w: %d", identity.ErrUnknownLevel, int(level))
	}
	txn := transaction{
		State: randomString(32), Nonce: randomString(32), Verifier: randomString(32),
		Level: level, ReturnTo: returnTo, Expires: rp.now().Add(rp.loginTTL).Unix(),
	}
	cur, ok := identity.PrincipalFrom(r.Context())
	stepUp := ok && !cur.Level.Meets(level)
	b, err := json.Marshal(txn)
	if err != nil {
		return err
	}
	sealed, err := rp.keys.Seal(b)
	if err != nil {
		return fmt.Errorf("oidc: begin login: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: loginCookieName(txn.State), Value: sealed, Path: "/", MaxAge: int(rp.loginTTL.Seconds()),
		HttpOnly: true, Secure: rp.secure, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, rp.authCodeURL(txn.State, txn.Nonce, txn.Verifier, level, stepUp), http.StatusFound)
	return nil
}

// AuthCodeURL returns the authorization request URL for the given state, nonce and PKCE
// verifier (the challenge is its S256 hash), asking for at least level.
func (rp *RelyingParty) AuthCodeURL(state, nonce, verifier string, level identity.Level) string {
	return rp.authCodeURL(state, nonce, verifier, level, false)
}

// authCodeURL is AuthCodeURL; force adds prompt=login and max_age=0.
func (rp *RelyingParty) authCodeURL(state, nonce, verifier string, level identity.Level, force bool) string {
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {rp.cfg.ClientID},
		"redirect_uri":          {rp.cfg.RedirectURL},
		"scope":                 {rp.scopes},
		"state":                 {state},
		"nonce":                 {nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	if level > identity.LevelNone {
		if acr, ok := rp.acr.ACR(level); ok {
			q.Set("acr_values", acr)
		}
	}
	if force {
		q.Set("prompt", "login")
		q.Set("max_age", "0")
	}
	sep := "?"
	if strings.Contains(rp.md.AuthorizationEndpoint, "?") {
		sep = "&"
	}
	return rp.md.AuthorizationEndpoint + sep + q.Encode()
}

// FinishLogin completes a login at the callback. See identity.Authenticator.
func (rp *RelyingParty) FinishLogin(w http.ResponseWriter, r *http.Request) (*identity.Principal, string, error) {
	q := r.URL.Query()
	state := q.Get("state")
	if len(state) < 16 || len(state) > 256 {
		return nil, "", fmt.Errorf("%w: the callback has no state of a login begun here", ErrState)
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookieName(state), Path: "/", MaxAge: -1, HttpOnly: true, Secure: rp.secure, SameSite: http.SameSiteLaxMode})
	txn, err := rp.transaction(r, loginCookieName(state))
	if err != nil {
		return nil, "", err
	}
	if subtle.ConstantTimeCompare([]byte(state), []byte(txn.State)) != 1 {
		return nil, "", fmt.Errorf("%w: the callback's state is not the one of the login begun in this browser", ErrState)
	}
	// RFC 9207: iss, when sent, names the provider; a provider that says it always sends
	// it must, or the response may come from another provider (mix-up).
	switch iss := q.Get("iss"); {
	case iss != "" && iss != rp.md.Issuer:
		return nil, "", fmt.Errorf("%w: callback from issuer %q, want %q", identity.ErrLogin, truncate(iss, 128), rp.md.Issuer)
	case iss == "" && rp.md.ISSParameterSupported:
		return nil, "", fmt.Errorf("%w: callback without iss, which the provider promises (authorization_response_iss_parameter_supported)", identity.ErrLogin)
	}
	if e := q.Get("error"); e != "" {
		return nil, "", &ProviderError{Endpoint: "authorize", Code: truncate(e, 64), Description: truncate(q.Get("error_description"), 256)}
	}
	code := q.Get("code")
	if code == "" || len(code) > 2048 {
		return nil, "", fmt.Errorf("%w: callback without a usable code", identity.ErrLogin)
	}
	ctx := r.Context()
	tokens, err := rp.Exchange(ctx, code, txn.Verifier)
	if err != nil {
		return nil, "", err
	}
	claims, err := rp.VerifyIDToken(ctx, tokens.IDToken, txn.Nonce)
	if err != nil {
		return nil, "", err
	}
	if rp.cfg.UseUserinfo {
		info, err := rp.Userinfo(ctx, tokens.AccessToken)
		if err != nil {
			return nil, "", err
		}
		if info["sub"] != claims["sub"] {
			return nil, "", fmt.Errorf("%w: userinfo is for another subject than the ID token", identity.ErrLogin)
		}
		merged := maps.Clone(info)
		maps.Copy(merged, claims)
		claims = merged
	}
	p, err := rp.principal(claims)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", identity.ErrLogin, err)
	}
	if len(tokens.IDToken) <= identity.MaxLogoutHint {
		p.LogoutHint = tokens.IDToken
	} else {
		rp.log.LogAttrs(ctx, slog.LevelInfo, "oidc: ID token too long to keep for logout", slog.Int("bytes", len(tokens.IDToken)))
	}
	if !p.Level.Meets(txn.Level) {
		return nil, "", fmt.Errorf("%w: logged in at %v, %v required", identity.ErrLevelTooLow, p.Level, txn.Level)
	}
	rp.log.LogAttrs(ctx, slog.LevelDebug, "oidc login", slog.String("level", p.Level.String()))
	return p, txn.ReturnTo, nil
}

func (rp *RelyingParty) transaction(r *http.Request, name string) (*transaction, error) {
	c, err := r.Cookie(name)
	if err != nil {
		return nil, fmt.Errorf("%w: no login with this state under way in this browser", ErrState)
	}
	b, err := rp.keys.Open(c.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: login cookie: %w", ErrState, err)
	}
	var txn transaction
	if err := json.Unmarshal(b, &txn); err != nil {
		return nil, fmt.Errorf("%w: login cookie: %v", ErrState, err)
	}
	if rp.now().Unix() > txn.Expires {
		return nil, fmt.Errorf("%w: the login took too long, please start again", ErrState)
	}
	return &txn, nil
}

// Tokens is a token endpoint response.
type Tokens struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	IDToken     string `json:"id_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// Exchange redeems an authorization code with its PKCE verifier at the token endpoint. The
// ID token in the answer is not yet verified.
func (rp *RelyingParty) Exchange(ctx context.Context, code, verifier string) (*Tokens, error) {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {rp.cfg.RedirectURL},
		"code_verifier": {verifier},
	}
	if rp.cfg.ClientSecret == "" {
		form.Set("client_id", rp.cfg.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rp.md.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if rp.cfg.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(rp.cfg.ClientID), url.QueryEscape(rp.cfg.ClientSecret))
	}
	resp, err := rp.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: token endpoint: %v", identity.ErrLogin, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if err := decodeBounded(resp.Body, &e); err != nil || e.Error == "" {
			e.Error, e.Description = "http_status", fmt.Sprintf("status %d", resp.StatusCode)
		}
		return nil, &ProviderError{Endpoint: "token", Code: truncate(e.Error, 64), Description: truncate(e.Description, 256)}
	}
	var t Tokens
	if err := decodeBounded(resp.Body, &t); err != nil {
		return nil, fmt.Errorf("%w: token response: %v", identity.ErrLogin, err)
	}
	if t.IDToken == "" {
		return nil, fmt.Errorf("%w: token response without id_token", identity.ErrLogin)
	}
	if !strings.EqualFold(t.TokenType, "Bearer") {
		return nil, fmt.Errorf("%w: token_type %q, want Bearer", identity.ErrLogin, truncate(t.TokenType, 32))
	}
	return &t, nil
}

// Userinfo fetches the userinfo endpoint's claims with an access token.
func (rp *RelyingParty) Userinfo(ctx context.Context, accessToken string) (map[string]any, error) {
	if rp.md.UserinfoEndpoint == "" {
		return nil, errors.New("oidc: the provider has no userinfo endpoint")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rp.md.UserinfoEndpoint, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := rp.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: userinfo: %v", identity.ErrLogin, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &ProviderError{Endpoint: "userinfo", Code: "http_status", Description: fmt.Sprintf("status %d", resp.StatusCode)}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, fmt.Errorf("%w: userinfo content type %q, want application/json", identity.ErrLogin, truncate(ct, 64))
	}
	var claims map[string]any
	if err := decodeBounded(resp.Body, &claims); err != nil {
		return nil, fmt.Errorf("%w: userinfo: %v", identity.ErrLogin, err)
	}
	return claims, nil
}

// EndSessionURL returns the provider's end-session URL (RP-initiated logout) for this
// client, or "" when the provider has none. When p carries the ID token of its login
// (Principal.LogoutHint, set by FinishLogin) from this provider, it is sent as id_token_hint,
// so the provider knows whose session ends and need not ask the citizen to confirm.
func (rp *RelyingParty) EndSessionURL(p *identity.Principal) string {
	if rp.md.EndSessionEndpoint == "" {
		return ""
	}
	q := url.Values{"client_id": {rp.cfg.ClientID}}
	if p != nil && p.LogoutHint != "" && p.Issuer == rp.md.Issuer && strings.Count(p.LogoutHint, ".") == 2 {
		q.Set("id_token_hint", p.LogoutHint)
	}
	if rp.cfg.PostLogoutRedirectURL != "" {
		q.Set("post_logout_redirect_uri", rp.cfg.PostLogoutRedirectURL)
	}
	sep := "?"
	if strings.Contains(rp.md.EndSessionEndpoint, "?") {
		sep = "&"
	}
	return rp.md.EndSessionEndpoint + sep + q.Encode()
}

var _ identity.Authenticator = (*RelyingParty)(nil)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomString(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }
