package identitytest

import (
	"net/http"
	"time"

	"github.com/ozgkit/ozgkit/identity"
)

// SessionCookie is the name of the provider's session cookie. Like a real provider, the
// provider remembers a login in the browser (single sign-on): a later authorization request
// from the same browser is answered from that session, at the level it was logged in at.
const SessionCookie = "identitytest_session"

// maxSessions bounds the provider's session table.
const maxSessions = 10000

// providerSession is a login remembered for a browser.
type providerSession struct {
	id       string // the cookie value
	persona  string
	level    identity.Level
	authTime time.Time
	sid      string // the session ID in ID tokens (sid claim)
	expires  time.Time
}

// sessionOf returns the browser's provider session, or nil when it has none that is valid.
func (p *Provider) sessionOf(r *http.Request) *providerSession {
	c, err := r.Cookie(SessionCookie)
	if err != nil || len(c.Value) > 64 {
		return nil
	}
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.sessions[c.Value]
	if !ok {
		return nil
	}
	_, personaOK := p.personas[s.persona]
	_, revoked := p.revoked[s.sid]
	if !personaOK || revoked || !now.Before(s.expires) {
		delete(p.sessions, c.Value)
		return nil
	}
	cp := *s
	return &cp
}

// startSession records a fresh login of persona at level for this browser, replacing the
// session the browser had, and sets the session cookie.
func (p *Provider) startSession(w http.ResponseWriter, r *http.Request, persona string, level identity.Level) *providerSession {
	now := p.now()
	s := &providerSession{id: randomString(24), persona: persona, level: level, authTime: now, sid: randomString(16), expires: now.Add(p.sessTTL)}
	p.mu.Lock()
	if c, err := r.Cookie(SessionCookie); err == nil {
		delete(p.sessions, c.Value)
	}
	if len(p.sessions) >= maxSessions {
		var oldest string
		for id, old := range p.sessions {
			if !now.Before(old.expires) {
				delete(p.sessions, id)
			} else if oldest == "" || old.authTime.Before(p.sessions[oldest].authTime) {
				oldest = id
			}
		}
		if len(p.sessions) >= maxSessions {
			delete(p.sessions, oldest)
		}
	}
	p.sessions[s.id] = s
	p.mu.Unlock()
	http.SetCookie(w, p.sessionCookie(s.id, 0))
	cp := *s
	return &cp
}

// endSessions ends the provider session of the browser (by cookie) and every session with
// sid, and revokes sid so the access tokens of those logins stop working at userinfo.
func (p *Provider) endSessions(w http.ResponseWriter, r *http.Request, sid string) {
	now := p.now()
	p.mu.Lock()
	if c, err := r.Cookie(SessionCookie); err == nil {
		if s, ok := p.sessions[c.Value]; ok {
			p.revoked[s.sid] = now
			delete(p.sessions, c.Value)
		}
	}
	if sid != "" {
		p.revoked[sid] = now
		for id, s := range p.sessions {
			if s.sid == sid {
				delete(p.sessions, id)
			}
		}
	}
	for s, at := range p.revoked { // a revoked sid matters only while its tokens can live
		if now.Sub(at) > p.sessTTL+p.tokenTTL {
			delete(p.revoked, s)
		}
	}
	p.mu.Unlock()
	http.SetCookie(w, p.sessionCookie("", -1))
}

func (p *Provider) sessionCookie(value string, maxAge int) *http.Cookie {
	path := p.path + "/"
	return &http.Cookie{
		Name: SessionCookie, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode,
	}
}

// EndAllSessions forgets every provider session, as if each browser's session had expired;
// tokens already issued stay valid.
func (p *Provider) EndAllSessions() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.sessions)
}
