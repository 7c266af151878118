package identitytest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/ozgkit/ozgkit/identity"
)

var pkceVerifier = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "form: "+err.Error())
		return
	}
	f := r.PostForm
	if _, _, basic := r.BasicAuth(); basic && (f.Has("client_secret") || f.Has("client_assertion")) {
		// RFC 6749 section 2.3: a client uses one authentication method per request.
		oauthError(w, http.StatusBadRequest, "invalid_request", "client authenticated with more than one method")
		return
	}
	client, ok := p.authenticateClient(r)
	if !ok {
		// RFC 6749 section 5.2: a 401 names the scheme the client may authenticate with.
		w.Header().Set("WWW-Authenticate", `Basic realm="identitytest"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if f.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	code := f.Get("code")
	p.mu.Lock()
	g, ok := p.codes[code]
	var reused bool
	if ok {
		reused = g.used
		g.used = true
	}
	p.mu.Unlock()
	now := p.now()
	switch {
	case !ok:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown code")
		return
	case reused:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code already used")
		return
	case now.After(g.expires):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code expired")
		return
	case g.req.ClientID != client.ID:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code was issued to another client")
		return
	case f.Get("redirect_uri") != g.req.RedirectURI:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request")
		return
	}
	verifier := f.Get("code_verifier")
	sum := sha256.Sum256([]byte(verifier))
	if !pkceVerifier.MatchString(verifier) ||
		subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.req.Challenge)) != 1 {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match code_challenge")
		return
	}

	p.mu.Lock()
	persona, ok := p.personas[g.persona]
	alg := p.alg
	p.mu.Unlock()
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_grant", errNoPersona.Error())
		return
	}
	claims := p.claimsFor(persona, g)
	exp := now.Add(p.tokenTTL)
	id := maps.Clone(claims)
	id["aud"] = client.ID
	id["azp"] = client.ID
	id["iat"] = now.Unix()
	id["exp"] = exp.Unix()
	if g.req.Nonce != "" {
		id["nonce"] = g.req.Nonce
	}
	idToken, err := p.signWith(alg, id, "JWT")
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	at := maps.Clone(claims)
	at["aud"] = client.ID
	at["azp"] = client.ID
	at["client_id"] = client.ID
	at["iat"] = now.Unix()
	at["exp"] = exp.Unix()
	at["jti"] = randomString(16)
	at["scope"] = g.req.Scope
	accessToken, err := p.signWith(alg, at, "at+jwt")
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": accessToken, "token_type": "Bearer", "expires_in": int(p.tokenTTL.Seconds()),
		"id_token": idToken, "scope": g.req.Scope,
	})
}

// claimsFor returns the claims of a login of persona at the grant's level.
func (p *Provider) claimsFor(persona Persona, g *grant) map[string]any {
	c := maps.Clone(persona.Claims)
	if c == nil {
		c = map[string]any{}
	}
	stork, _ := g.level.STORK()
	c["iss"] = p.issuer
	c["sub"] = "kc-" + persona.ID // the broker's own user id; the stable subject is bPK2
	c["acr"] = stork
	c[identity.ClaimTrustLevel] = stork
	c["amr"] = []string{methodFor(g.level)}
	c["auth_time"] = g.authTime.Unix()
	c["sid"] = g.sid
	return c
}

func (p *Provider) authenticateClient(r *http.Request) (Client, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return Client{}, false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	c, ok := p.clients[id]
	p.mu.Unlock()
	if !ok {
		return Client{}, false
	}
	if c.Secret == "" {
		return c, secret == ""
	}
	return c, subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) == 1
}

// userinfo is the userinfo endpoint, a protected resource of RFC 6750: it takes the access
// token (typ at+jwt, not the ID token) in the Authorization header and answers a missing token
// with the bare Bearer challenge and a bad one with Bearer error="invalid_token" (section 3).
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="identitytest"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request", "error_description": "bearer access token required"})
		return
	}
	scheme, raw, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Bearer") || raw == "" || len(raw) > 16<<10 {
		bearerError(w, http.StatusBadRequest, "invalid_request", "Authorization must be a bearer token")
		return
	}
	set, err := p.PublicKeys()
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	tok, err := jwt.ParseString(raw, jwt.WithKeySet(set), jwt.WithIssuer(p.issuer), jwt.WithClock(jwt.ClockFunc(p.now)))
	if err == nil {
		if msg, perr := jws.ParseString(raw); perr != nil || len(msg.Signatures()) != 1 || msg.Signatures()[0].ProtectedHeaders().Type() != "at+jwt" {
			err = errNotAccessToken
		}
	}
	if err == nil {
		sid, _ := tok.Get("sid")
		s, _ := sid.(string)
		p.mu.Lock()
		_, revoked := p.revoked[s]
		p.mu.Unlock()
		if revoked {
			err = errRevoked
		}
	}
	if err != nil {
		bearerError(w, http.StatusUnauthorized, "invalid_token", err.Error())
		return
	}
	claims, err := tok.AsMap(r.Context())
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	for _, k := range []string{"iss", "aud", "azp", "client_id", "iat", "exp", "jti", "scope", "sid", "nbf"} {
		delete(claims, k)
	}
	writeJSON(w, http.StatusOK, claims)
}

// bearerError answers a protected-resource request with the RFC 6750 challenge.
func bearerError(w http.ResponseWriter, status int, code, desc string) {
	desc = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return ' '
		}
		return r
	}, desc)
	w.Header().Set("WWW-Authenticate", `Bearer realm="identitytest", error="`+code+`", error_description="`+truncate(desc, 200)+`"`)
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

var errNotAccessToken = errors.New("the token is not an access token (typ at+jwt)")

var errRevoked = &revokedError{}

type revokedError struct{}

func (*revokedError) Error() string { return "the session of this token has ended" }

// logout is the end-session endpoint of OpenID Connect RP-Initiated Logout 1.0, by GET or
// POST (section 2). With a valid id_token_hint it ends the provider session at once (its
// access tokens stop working at userinfo) and redirects to post_logout_redirect_uri, which
// must be registered for the client. Without a hint, as real providers do, it first asks the
// citizen to confirm: a request anyone could have caused must not end a session silently.
func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		p.showError(w, "Die Abmeldung ist fehlerhaft: "+err.Error())
		return
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	for k, v := range q {
		if len(v) > 1 || len(v[0]) > 8<<10 {
			p.showError(w, "Der Parameter "+truncate(k, 32)+" ist mehrfach angegeben oder zu lang.")
			return
		}
	}
	clientID := q.Get("client_id")
	var sid string
	hint := q.Get("id_token_hint")
	if hint != "" {
		set, err := p.PublicKeys()
		if err != nil {
			p.showError(w, err.Error())
			return
		}
		// An expired hint is still a valid hint (the spec allows it), so no validation of exp.
		tok, err := jwt.ParseString(hint, jwt.WithKeySet(set), jwt.WithValidate(false))
		if err != nil || tok.Issuer() != p.issuer {
			p.showError(w, "id_token_hint ist ungültig.")
			return
		}
		if clientID == "" && len(tok.Audience()) > 0 {
			clientID = tok.Audience()[0]
		}
		if !slices.Contains(tok.Audience(), clientID) {
			p.showError(w, "id_token_hint gehört nicht zu diesem Client.")
			return
		}
		if v, ok := tok.Get("sid"); ok {
			sid, _ = v.(string)
		}
	}
	target := q.Get("post_logout_redirect_uri")
	p.mu.Lock()
	c, known := p.clients[clientID]
	p.mu.Unlock()
	if target != "" && (!known || !slices.Contains(c.PostLogoutRedirectURIs, target)) {
		p.showError(w, "post_logout_redirect_uri ist für diesen Client nicht registriert.")
		return
	}
	if hint == "" && !(r.Method == http.MethodPost && q.Get("confirm") == "yes") {
		p.showLogoutConfirmation(w, q)
		return
	}
	p.endSessions(w, r, sid)
	if target == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Abgemeldet</title></head><body><main><h1>Sie sind abgemeldet.</h1></main></body></html>`))
		return
	}
	u, _ := url.Parse(target)
	uq := u.Query()
	if s := q.Get("state"); s != "" {
		uq.Set("state", s)
	}
	u.RawQuery = uq.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (p *Provider) showLogoutConfirmation(w http.ResponseWriter, q url.Values) {
	hidden := map[string]string{}
	for _, k := range []string{"client_id", "post_logout_redirect_uri", "state", "ui_locales"} {
		if v := q.Get(k); v != "" {
			hidden[k] = v
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_ = logoutPage.Execute(w, map[string]any{"Hidden": hidden, "Action": p.path + "/logout"})
}

var logoutPage = template.Must(template.New("logout").Parse(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Abmelden? (identitytest)</title></head>
<body><main><h1>Möchten Sie sich abmelden?</h1>
<form method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<p><button type="submit" name="confirm" value="yes">Abmelden</button></p>
</form></main></body></html>
`))
