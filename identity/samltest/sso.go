package samltest

import (
	"context"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
)

// clockFunc is a clockwork.Clock whose Now is the provider's clock.
type clockFunc struct {
	clockwork.Clock
	now func() time.Time
}

func newClock(now func() time.Time) clockFunc {
	return clockFunc{Clock: clockwork.NewRealClock(), now: now}
}

func (c clockFunc) Now() time.Time                  { return c.now() }
func (c clockFunc) Since(t time.Time) time.Duration { return c.now().Sub(t) }

// pending is an AuthnRequest waiting for the chooser's answer.
type pending struct {
	method  string
	query   string
	form    url.Values
	expires time.Time
}

// Form fields of the request the chooser replays to /sso.
const (
	fieldPersona = "samltest_persona"
	fieldLevel   = "samltest_level"
)

func (p *Provider) serveSSO(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "samltest: form: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	p.idp.ServeSSO(w, r)
}

// GetSession implements saml.SessionProvider: the auto-login persona, the persona chosen on
// the chooser page, or the chooser page itself.
func (p *Provider) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	p.record(req, r)
	requested := p.requestedLevel(req)
	p.mu.Lock()
	auto := p.auto
	p.mu.Unlock()
	persona, level := auto, requested
	if chosen := formValue(r, fieldPersona); chosen != "" {
		persona = chosen
		var err error
		if level, err = identity.ParseLevel(formValue(r, fieldLevel)); err != nil || level == identity.LevelNone {
			http.Error(w, "samltest: unknown level", http.StatusBadRequest)
			return nil
		}
	}
	if persona == "" {
		p.showChooser(w, r, req, requested)
		return nil
	}
	p.mu.Lock()
	ps, ok := p.personas[persona]
	p.mu.Unlock()
	if !ok {
		http.Error(w, "samltest: no persona "+persona, http.StatusBadRequest)
		return nil
	}
	if level > ps.MaxLevel {
		level = ps.MaxLevel
	}
	return p.session(ps, level)
}

func formValue(r *http.Request, name string) string {
	if r.Method == http.MethodPost {
		return r.PostForm.Get(name)
	}
	return r.URL.Query().Get(name)
}

// requestedLevel is the least level the request's RequestedAuthnContext asks for (basic
// without one).
func (p *Provider) requestedLevel(req *saml.IdpAuthnRequest) identity.Level {
	level := identity.LevelBasic
	if rac := req.Request.RequestedAuthnContext; rac != nil {
		for _, ref := range rac.ClassRefs() {
			if l, err := p.acrMap.Level(ref); err == nil && l > level {
				level = l
			}
		}
	}
	return level
}

func (p *Provider) session(ps identitytest.Persona, level identity.Level) *saml.Session {
	acr, _ := level.STORK()
	if acr == "" {
		acr, _ = p.acrMap.ACR(level)
	}
	now := p.now()
	s := &saml.Session{
		ID: randomID(), CreateTime: now, ExpireTime: now.Add(time.Hour), Index: randomID(),
		NameID: randomID(), NameIDFormat: string(saml.TransientNameIDFormat), AuthnContextClassRef: acr,
	}
	names := make([]string, 0, len(ps.Claims))
	for k := range ps.Claims {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		v, ok := ps.Claims[name].(string)
		if !ok {
			continue
		}
		s.CustomAttributes = append(s.CustomAttributes, attribute(name, v))
	}
	s.CustomAttributes = append(s.CustomAttributes, attribute(identity.ClaimTrustLevel, acr))
	return s
}

func attribute(name, value string) saml.Attribute {
	a := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
		Values: []saml.AttributeValue{{Type: "xs:string", Value: value}}}
	if !strings.HasPrefix(name, "urn:") {
		a.NameFormat = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
	}
	return a
}

// MakeAssertion implements saml.AssertionMaker: the library's assertion (subject, bearer
// confirmation, conditions, audience, AuthnStatement with the session's class) with the
// persona's attributes, passed through the hook.
func (p *Provider) MakeAssertion(req *saml.IdpAuthnRequest, session *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		return err
	}
	p.mu.Lock()
	hook := p.hook
	p.mu.Unlock()
	if hook != nil {
		hook(req.Assertion)
	}
	return nil
}

// record keeps what the last request asked for.
func (p *Provider) record(req *saml.IdpAuthnRequest, r *http.Request) {
	last := Request{ID: req.Request.ID, Binding: saml.HTTPRedirectBinding}
	if r.Method == http.MethodPost {
		last.Binding = saml.HTTPPostBinding
	}
	if req.Request.ForceAuthn != nil && *req.Request.ForceAuthn {
		last.ForceAuthn = true
	}
	if rac := req.Request.RequestedAuthnContext; rac != nil {
		last.Comparison = rac.Comparison
		last.ClassRefs = rac.ClassRefs()
	}
	var ext struct {
		Extensions struct {
			AuthenticationRequest struct {
				Attributes []struct {
					Name     string `xml:"Name,attr"`
					Required string `xml:"RequiredAttribute,attr"`
				} `xml:"https://www.akdb.de/request/2018/09 RequestedAttributes>RequestedAttribute"`
				Display struct {
					Version struct {
						Name string `xml:"https://www.akdb.de/request/2018/09/classic-ui/v1 OrganizationDisplayName"`
					} `xml:"https://www.akdb.de/request/2018/09/classic-ui/v1 Version"`
				} `xml:"https://www.akdb.de/request/2018/09 DisplayInformation"`
			} `xml:"https://www.akdb.de/request/2018/09 AuthenticationRequest"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:protocol Extensions"`
	}
	if err := xml.Unmarshal(req.RequestBuffer, &ext); err == nil {
		for _, a := range ext.Extensions.AuthenticationRequest.Attributes {
			last.Attributes = append(last.Attributes, a.Name)
			if a.Required == "true" {
				last.Required = append(last.Required, a.Name)
			}
		}
		last.DisplayName = ext.Extensions.AuthenticationRequest.Display.Version.Name
	}
	p.mu.Lock()
	p.last = last
	p.mu.Unlock()
}

var chooser = template.Must(template.New("chooser").Parse(`<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Anmeldung (samltest)</title></head>
<body><main>
<h1>Anmeldung beim Test-Identitätsprovider</h1>
<p>Verlangt ist mindestens das Vertrauensniveau „{{.Requested}}“.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="ticket" value="{{.Ticket}}">
<fieldset><legend>Testperson</legend>
{{range .Personas}}<p><input type="radio" name="persona" id="p-{{.ID}}" value="{{.ID}}" required>
<label for="p-{{.ID}}">{{.Label}} (bis „{{.MaxLevel}}“)</label></p>
{{end}}</fieldset>
<p><label for="level">Vertrauensniveau</label>
<select name="level" id="level">{{range .Levels}}<option value="{{.}}"{{if eq . $.Requested}} selected{{end}}>{{.}}</option>{{end}}</select></p>
<button type="submit">Anmelden</button>
</form></main></body></html>
`))

func (p *Provider) showChooser(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest, requested identity.Level) {
	ticket := randomID()
	pd := pending{method: r.Method, query: r.URL.RawQuery, form: r.PostForm, expires: p.now().Add(10 * time.Minute)}
	p.mu.Lock()
	now := p.now()
	for k, v := range p.pending {
		if now.After(v.expires) {
			delete(p.pending, k)
		}
	}
	if len(p.pending) >= 1000 {
		p.mu.Unlock()
		http.Error(w, "samltest: too many logins under way", http.StatusServiceUnavailable)
		return
	}
	p.pending[ticket] = pd
	var personas []identitytest.Persona
	for _, id := range p.order {
		personas = append(personas, p.personas[id])
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = chooser.Execute(w, map[string]any{
		"Action": p.base.Path + "/choose", "Ticket": ticket, "Personas": personas, "Requested": requested,
		"Levels": []identity.Level{identity.LevelBasic, identity.LevelSubstantial, identity.LevelHigh},
	})
}

// choose takes the chooser's answer and replays the waiting AuthnRequest with it.
func (p *Provider) choose(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "samltest: POST the chooser form", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "samltest: form: "+err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	pd, ok := p.pending[r.PostForm.Get("ticket")]
	delete(p.pending, r.PostForm.Get("ticket"))
	p.mu.Unlock()
	if !ok || p.now().After(pd.expires) {
		http.Error(w, "samltest: this login has expired; start again at the portal", http.StatusBadRequest)
		return
	}
	target := *p.idp.SSOURL.ResolveReference(&url.URL{})
	replay := &http.Request{Method: pd.method, Header: http.Header{}, Host: r.Host, RemoteAddr: r.RemoteAddr, RequestURI: target.Path}
	replay = replay.WithContext(context.WithoutCancel(r.Context()))
	choice := url.Values{fieldPersona: {r.PostForm.Get("persona")}, fieldLevel: {r.PostForm.Get("level")}}
	if pd.method == http.MethodGet {
		target.RawQuery = pd.query + "&" + choice.Encode()
		replay.URL = &target
	} else {
		replay.URL = &target
		form := url.Values{}
		for k, v := range pd.form {
			form[k] = v
		}
		for k, v := range choice {
			form[k] = v
		}
		replay.PostForm, replay.Form = form, form
	}
	p.idp.ServeSSO(w, replay)
}

func randomID() string { return "_" + strings.ReplaceAll(fmt.Sprintf("%x", randBytes(16)), "-", "") }
