package identitytest

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/identity"
)

// authRequest is a validated authorization request.
type authRequest struct {
	ClientID, RedirectURI, Scope, State, Nonce, Challenge, ACRValues string
	MinLevel                                                         identity.Level // from acr_values; LevelNone when none
	Prompt, MaxAgeRaw                                                string         // as sent, for the chooser's hidden fields
	PromptNone, PromptLogin                                          bool
	MaxAge                                                           time.Duration // -1 when max_age was not sent
}

// grant is an issued authorization code.
type grant struct {
	req      authRequest
	persona  string
	level    identity.Level
	authTime time.Time
	expires  time.Time
	sid      string
	used     bool
}

var (
	pkceChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	digits        = regexp.MustCompile(`^[0-9]{1,9}$`)
)

const maxParam = 2048

// knownPrompts are the prompt values of OpenID Connect Core 1.0 section 3.1.2.1.
var knownPrompts = map[string]bool{"none": true, "login": true, "consent": true, "select_account": true}

// chooserFields are the fields the chooser page adds to the authorization request it posts.
var chooserFields = []string{"persona", "level", "cancel"}

// parseAuthRequest validates the request parameters. When redirect is false the error must be
// shown to the user, not sent to the (unverified) redirect URI.
func (p *Provider) parseAuthRequest(q url.Values) (ar authRequest, redirect bool, code, desc string) {
	for k, v := range q {
		if len(v) > 1 {
			return ar, false, "invalid_request", "parameter " + k + " given more than once"
		}
		if len(v[0]) > maxParam {
			return ar, false, "invalid_request", "parameter " + k + " too long"
		}
	}
	ar = authRequest{
		ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), Scope: q.Get("scope"),
		State: q.Get("state"), Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge"),
		ACRValues: q.Get("acr_values"), Prompt: q.Get("prompt"), MaxAgeRaw: q.Get("max_age"), MaxAge: -1,
	}
	p.mu.Lock()
	c, ok := p.clients[ar.ClientID]
	p.mu.Unlock()
	if !ok {
		return ar, false, "unauthorized_client", "unknown client_id"
	}
	if !slices.Contains(c.RedirectURIs, ar.RedirectURI) {
		return ar, false, "invalid_request", "redirect_uri is not registered for this client"
	}
	switch {
	case q.Get("response_type") != "code":
		return ar, true, "unsupported_response_type", "only response_type=code"
	case q.Has("response_mode") && q.Get("response_mode") != "query":
		return ar, true, "invalid_request", "only response_mode=query"
	case !slices.Contains(strings.Fields(ar.Scope), "openid"):
		return ar, true, "invalid_scope", "scope must contain openid"
	case q.Get("code_challenge_method") != "S256":
		return ar, true, "invalid_request", "PKCE with code_challenge_method=S256 is required"
	case !pkceChallenge.MatchString(ar.Challenge):
		return ar, true, "invalid_request", "code_challenge must be 43 base64url characters"
	}
	prompts := strings.Fields(ar.Prompt)
	for _, v := range prompts {
		if !knownPrompts[v] {
			return ar, true, "invalid_request", "prompt value " + truncate(v, 32) + " is not defined"
		}
		ar.PromptNone = ar.PromptNone || v == "none"
		ar.PromptLogin = ar.PromptLogin || v == "login"
	}
	if ar.PromptNone && len(prompts) > 1 {
		return ar, true, "invalid_request", "prompt=none cannot be combined with other prompt values"
	}
	if q.Has("max_age") {
		if !digits.MatchString(ar.MaxAgeRaw) {
			return ar, true, "invalid_request", "max_age must be a number of seconds"
		}
		n, _ := strconv.Atoi(ar.MaxAgeRaw)
		ar.MaxAge = time.Duration(n) * time.Second
	}
	acr := identity.DefaultACRMapping()
	for _, v := range strings.Fields(ar.ACRValues) {
		if l, err := acr.Level(v); err == nil && (ar.MinLevel == identity.LevelNone || l < ar.MinLevel) {
			ar.MinLevel = l
		}
	}
	return ar, true, "", ""
}

// authorize is the authorization endpoint (GET or POST). Like a real provider it answers from
// the browser's provider session when there is one, whatever level acr_values asks for
// (acr_values is voluntary); it authenticates anew only without a session, with
// prompt=login, or when the session is older than max_age. prompt=none never shows a page:
// without a usable session it answers login_required.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		p.showError(w, "Die Anfrage ist fehlerhaft: "+err.Error())
		return
	}
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		params = r.PostForm
	}
	chooser := false
	if r.Method == http.MethodPost {
		for _, f := range chooserFields {
			chooser = chooser || params.Has(f)
		}
	}
	// The chooser's own fields are not part of the authorization request.
	req := url.Values{}
	for k, v := range params {
		if !slices.Contains(chooserFields, k) {
			req[k] = v
		}
	}
	ar, canRedirect, code, desc := p.parseAuthRequest(req)
	if code != "" {
		if !canRedirect {
			p.showError(w, desc)
			return
		}
		p.redirectError(w, r, ar, code, desc)
		return
	}

	var persona Persona
	var level identity.Level
	if chooser {
		var ok bool
		p.mu.Lock()
		persona, ok = p.personas[params.Get("persona")]
		p.mu.Unlock()
		l, err := identity.ParseLevel(params.Get("level"))
		switch {
		case params.Get("cancel") != "":
			p.redirectError(w, r, ar, "access_denied", "the citizen cancelled the login")
			return
		case !ok:
			p.showChooser(w, ar, "Bitte wählen Sie eine Testperson.")
			return
		case err != nil || l == identity.LevelNone:
			p.showChooser(w, ar, "Bitte wählen Sie ein Vertrauensniveau.")
			return
		case l > persona.MaxLevel:
			p.showChooser(w, ar, persona.Label+" kann sich höchstens mit dem Vertrauensniveau „"+persona.MaxLevel.German()+"“ anmelden.")
			return
		}
		level = l
	} else {
		sess := p.sessionOf(r)
		now := p.now()
		fresh := sess != nil && !ar.PromptLogin && (ar.MaxAge < 0 || now.Sub(sess.authTime) < ar.MaxAge)
		switch {
		case fresh:
			p.answer(w, r, ar, sess)
			return
		case ar.PromptNone:
			p.redirectError(w, r, ar, "login_required", "the citizen has no session here (prompt=none)")
			return
		}
		p.mu.Lock()
		auto := p.auto
		persona = p.personas[auto]
		p.mu.Unlock()
		if auto == "" {
			p.showChooser(w, ar, "")
			return
		}
		level = persona.MaxLevel
		if ar.MinLevel != identity.LevelNone && ar.MinLevel < level {
			level = ar.MinLevel
		}
	}
	p.answer(w, r, ar, p.startSession(w, r, persona.ID, level))
}

// answer sends the browser back to the client with a code for the login of sess.
func (p *Provider) answer(w http.ResponseWriter, r *http.Request, ar authRequest, sess *providerSession) {
	code := p.issueCode(ar, sess)
	u, _ := url.Parse(ar.RedirectURI)
	q := u.Query()
	q.Set("code", code)
	if ar.State != "" {
		q.Set("state", ar.State)
	}
	q.Set("iss", p.issuer) // RFC 9207
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (p *Provider) issueCode(ar authRequest, sess *providerSession) string {
	code := randomString(32)
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, g := range p.codes { // keep the table small: drop what can no longer be redeemed
		if now.After(g.expires) {
			delete(p.codes, c)
		}
	}
	p.codes[code] = &grant{req: ar, persona: sess.persona, level: sess.level, authTime: sess.authTime, expires: now.Add(p.codeTTL), sid: sess.sid}
	return code
}

func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, ar authRequest, code, desc string) {
	u, _ := url.Parse(ar.RedirectURI)
	q := u.Query()
	q.Set("error", code)
	q.Set("error_description", desc)
	if ar.State != "" {
		q.Set("state", ar.State)
	}
	q.Set("iss", p.issuer)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

type chooserPersona struct {
	ID, Label, MaxLevel string
	Checked             bool
}

type chooserLevel struct {
	Value, Label string
	Selected     bool
}

func (p *Provider) showChooser(w http.ResponseWriter, ar authRequest, problem string) {
	p.mu.Lock()
	var ps []chooserPersona
	for i, id := range p.order {
		ps = append(ps, chooserPersona{ID: id, Label: p.personas[id].Label, MaxLevel: p.personas[id].MaxLevel.German(), Checked: i == 0})
	}
	p.mu.Unlock()
	want := ar.MinLevel
	if want == identity.LevelNone {
		want = identity.LevelBasic
	}
	var ls []chooserLevel
	for _, l := range []identity.Level{identity.LevelBasic, identity.LevelSubstantial, identity.LevelHigh} {
		ls = append(ls, chooserLevel{Value: l.String(), Label: levelLabels[l], Selected: l == want})
	}
	hidden := map[string]string{
		"client_id": ar.ClientID, "redirect_uri": ar.RedirectURI, "scope": ar.Scope, "state": ar.State,
		"nonce": ar.Nonce, "code_challenge": ar.Challenge, "code_challenge_method": "S256",
		"acr_values": ar.ACRValues, "response_type": "code",
	}
	// A forced login (prompt=login, max_age) stays forced when the page is posted back.
	if ar.Prompt != "" {
		hidden["prompt"] = ar.Prompt
	}
	if ar.MaxAgeRaw != "" {
		hidden["max_age"] = ar.MaxAgeRaw
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if problem != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	_ = chooserPage.Execute(w, map[string]any{"Personas": ps, "Levels": ls, "Hidden": hidden, "Problem": problem, "Action": p.path + "/authorize"})
}

func (p *Provider) showError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	_ = errorPage.Execute(w, msg)
}

// levelLabels name the levels in the portal's words (identity.Level.German) with the means
// of each and the STORK value BundID reports.
var levelLabels = map[identity.Level]string{
	identity.LevelBasic:       identity.LevelBasic.German() + " – Benutzername und Passwort (STORK-QAA-Level-1)",
	identity.LevelSubstantial: identity.LevelSubstantial.German() + " – ELSTER-Zertifikat (STORK-QAA-Level-3)",
	identity.LevelHigh:        identity.LevelHigh.German() + " – Online-Ausweis (STORK-QAA-Level-4)",
}

var chooserPage = template.Must(template.New("chooser").Parse(`<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test-Anmeldung (identitytest)</title>
<style>body{font:1.1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
fieldset{margin:1rem 0}label{display:block;padding:.25rem 0}button{font-size:1.1rem;padding:.5rem 1rem}
:focus{outline:3px solid #004b96;outline-offset:2px}.problem{border-left:4px solid #b00020;padding-left:.5rem}</style></head>
<body><main>
<h1>Test-Anmeldung</h1>
<p>Dies ist ein lokaler Test-Identitätsanbieter. Es werden keine echten Daten verwendet.</p>
{{if .Problem}}<p class="problem" role="alert" id="problem">{{.Problem}}</p>{{end}}
<form method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<fieldset><legend>Testperson</legend>
{{range .Personas}}<label><input type="radio" name="persona" value="{{.ID}}"{{if .Checked}} checked{{end}}> {{.Label}} (höchstens {{.MaxLevel}})</label>
{{end}}</fieldset>
<p><label for="level">Vertrauensniveau</label>
<select id="level" name="level"{{if .Problem}} aria-describedby="problem"{{end}}>
{{range .Levels}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>
{{end}}</select></p>
<p><button type="submit">Anmelden</button> <button type="submit" name="cancel" value="1">Abbrechen</button></p>
</form></main></body></html>
`))

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Anmeldung nicht möglich</title></head>
<body><main><h1>Anmeldung nicht möglich</h1><p role="alert">{{.}}</p></main></body></html>
`))
