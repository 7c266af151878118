package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ozgkit/ozgkit/identity/internal/hashcache"
)

// Session errors.
var (
	// ErrNoSession: the request carries no session cookie.
	ErrNoSession = errors.New("identity: no session")
	// ErrSessionExpired: the session was idle too long or has reached its absolute lifetime.
	ErrSessionExpired = errors.New("identity: session expired")
	// ErrSessionInvalid: the cookie does not open (tampered, retired key, malformed) or its
	// content is not a session.
	ErrSessionInvalid = errors.New("identity: session invalid")
)

// SessionOptions tune [Sessions]; nil means defaults.
type SessionOptions struct {
	// CookieName defaults to "ozgkit_session".
	CookieName string
	// Path and Domain of the cookie; Path defaults to "/".
	Path, Domain string
	// Insecure drops the Secure attribute, for development on http://localhost only.
	Insecure bool
	// IdleTimeout ends a session unused for this long (default 30 minutes).
	IdleTimeout time.Duration
	// MaxAge ends a session this long after login whatever happens (default 12 hours).
	MaxAge time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// CacheSize bounds the cache of decoded cookies, keyed by the cookie's SHA-256, that
	// spares decrypting the same cookie on every request (default 10000; negative disables).
	CacheSize int
}

// Session is a logged-in browser's state, kept entirely in an encrypted cookie.
type Session struct {
	Principal Principal
	Created   time.Time // login time; the absolute expiry counts from here
	LastSeen  time.Time // last request that refreshed the cookie; the idle expiry counts from here
	// CSRFToken is a random token bound to this session; state-changing form posts carry it.
	CSRFToken string
}

// Sessions keeps sessions in a cookie sealed with a [Keyring] (JWE dir + A256GCM): HttpOnly,
// Secure unless configured otherwise, SameSite=Lax. It is safe for concurrent use and needs
// no server-side storage, so it works unchanged with several replicas sharing the keyring.
type Sessions struct {
	keys     *Keyring
	name     string
	path     string
	domain   string
	secure   bool
	idle     time.Duration
	maxAge   time.Duration
	now      func() time.Time
	touchGap time.Duration
	cache    *hashcache.Cache[*Session]
}

// maxCookie is the largest cookie value written; browsers keep about 4 KiB per cookie.
const maxCookie = 4000

// NewSessions returns a session manager sealing with keys.
func NewSessions(keys *Keyring, opts *SessionOptions) (*Sessions, error) {
	if keys == nil {
		return nil, errors.New("identity: sessions need a keyring")
	}
	if opts == nil {
		opts = &SessionOptions{}
	}
	s := &Sessions{
		keys: keys, name: opts.CookieName, path: opts.Path, domain: opts.Domain, secure: !opts.Insecure,
		idle: opts.IdleTimeout, maxAge: opts.MaxAge, now: opts.Now,
	}
	if s.name == "" {
		s.name = "ozgkit_session"
	}
	if s.path == "" {
		s.path = "/"
	}
	if s.idle <= 0 {
		s.idle = 30 * time.Minute
	}
	if s.maxAge <= 0 {
		s.maxAge = 12 * time.Hour
	}
	if s.idle > s.maxAge {
		return nil, fmt.Errorf("identity: idle timeout %v longer than max age %v", s.idle, s.maxAge)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.touchGap = min(time.Minute, s.idle/10)
	switch {
	case opts.CacheSize == 0:
		s.cache = hashcache.New[*Session](10000)
	case opts.CacheSize > 0:
		s.cache = hashcache.New[*Session](opts.CacheSize)
	}
	return s, nil
}

// CookieName returns the session cookie's name.
func (s *Sessions) CookieName() string { return s.name }

// wireSession is the sealed form.
type wireSession struct {
	V int       `json:"v"`
	P Principal `json:"p"`
	C int64     `json:"c"`
	T int64     `json:"t"`
	X string    `json:"x"`
	H string    `json:"h,omitempty"` // Principal.LogoutHint, which Principal does not marshal
}

// Start begins a new session for p (a new CSRF token, a new absolute lifetime) and sets its
// cookie on w. Logging in again, a step-up for example, starts a new session.
func (s *Sessions) Start(w http.ResponseWriter, p *Principal) (*Session, error) {
	if !p.Authenticated() {
		return nil, errors.New("identity: start session: principal has no subject or level")
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	now := s.now()
	sess := &Session{Principal: *p, Created: now, LastSeen: now, CSRFToken: base64.RawURLEncoding.EncodeToString(b)}
	return sess, s.write(w, sess)
}

// write seals sess into its cookie. When the cookie would be too large with the principal's
// logout hint, the hint is dropped (logout then ends the provider session without it) rather
// than failing the login.
func (s *Sessions) write(w http.ResponseWriter, sess *Session) error {
	v, err := s.seal(sess)
	if err != nil {
		return err
	}
	if len(v) > maxCookie && sess.Principal.LogoutHint != "" {
		sess.Principal.LogoutHint = ""
		if v, err = s.seal(sess); err != nil {
			return err
		}
	}
	if len(v) > maxCookie {
		return fmt.Errorf("identity: session cookie would be %d bytes, more than %d", len(v), maxCookie)
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.name, Value: v, Path: s.path, Domain: s.domain,
		MaxAge:   int(s.maxAge.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (s *Sessions) seal(sess *Session) (string, error) {
	hint := sess.Principal.LogoutHint
	if len(hint) > MaxLogoutHint {
		hint = ""
	}
	b, err := json.Marshal(wireSession{V: 1, P: sess.Principal, C: sess.Created.Unix(), T: sess.LastSeen.Unix(), X: sess.CSRFToken, H: hint})
	if err != nil {
		return "", fmt.Errorf("identity: session: %w", err)
	}
	return s.keys.Seal(b)
}

// Load reads the request's session. No cookie gives [ErrNoSession]; see [Sessions.Decode]
// for the rest.
func (s *Sessions) Load(r *http.Request) (*Session, error) {
	c, err := r.Cookie(s.name)
	if err != nil {
		return nil, ErrNoSession
	}
	return s.Decode(c.Value)
}

// Decode opens a session cookie value and checks its expiry. A value that does not open
// (tampered, sealed with a retired key, malformed) gives an error matching
// [ErrSessionInvalid]; an idle or too old session [ErrSessionExpired].
func (s *Sessions) Decode(value string) (*Session, error) {
	var sum [32]byte
	if s.cache != nil && len(value) <= MaxSealed {
		sum = sha256.Sum256([]byte(value))
		if cached, ok := s.cache.Get(sum, s.now()); ok {
			sess := *cached
			return s.check(&sess)
		}
	}
	b, err := s.keys.Open(value)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSessionInvalid, err)
	}
	var ws wireSession
	if err := json.Unmarshal(b, &ws); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSessionInvalid, err)
	}
	if ws.V != 1 || !ws.P.Authenticated() || len(ws.X) < 32 {
		return nil, fmt.Errorf("%w: not a session of this version", ErrSessionInvalid)
	}
	if len(ws.H) <= MaxLogoutHint {
		ws.P.LogoutHint = ws.H
	}
	sess := &Session{Principal: ws.P, Created: time.Unix(ws.C, 0), LastSeen: time.Unix(ws.T, 0), CSRFToken: ws.X}
	if s.cache != nil {
		// A cookie's content never changes (it is authenticated), so a decoded copy may be
		// reused until the session could no longer be valid; expiry is checked on every use.
		cp := *sess
		s.cache.Put(sum, &cp, sess.Created.Add(s.maxAge))
	}
	return s.check(sess)
}

// check applies the idle and absolute expiry to a decoded session.
func (s *Sessions) check(sess *Session) (*Session, error) {
	now := s.now()
	switch {
	case now.Sub(sess.Created) >= s.maxAge:
		return nil, fmt.Errorf("%w: logged in more than %v ago", ErrSessionExpired, s.maxAge)
	case now.Sub(sess.LastSeen) >= s.idle:
		return nil, fmt.Errorf("%w: idle more than %v", ErrSessionExpired, s.idle)
	case sess.LastSeen.Before(sess.Created) || sess.LastSeen.After(now.Add(time.Minute)):
		return nil, fmt.Errorf("%w: timestamps out of order", ErrSessionInvalid)
	}
	return sess, nil
}

// Touch records activity: when the session was last refreshed more than a minute (or a tenth
// of the idle timeout) ago, a new cookie with the current time is set, so the idle expiry
// slides without sealing a cookie on every request.
func (s *Sessions) Touch(w http.ResponseWriter, sess *Session) error {
	now := s.now()
	if now.Sub(sess.LastSeen) < s.touchGap {
		return nil
	}
	sess.LastSeen = now
	return s.write(w, sess)
}

// End deletes the session cookie.
func (s *Sessions) End(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.name, Path: s.path, Domain: s.domain, MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}
