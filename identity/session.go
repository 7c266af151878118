package identity

import (
	"context"
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
	// ErrSessionEnded: the cookie opens, but its session was ended (logout, step-up, a new
	// login in the same browser, [Sessions.EndAll]) or is unknown to the [SessionStore].
	ErrSessionEnded = errors.New("identity: session ended")
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
	// The session store is asked on every request all the same.
	CacheSize int
	// Store keeps the server-side record of each session, asked on every request, so that
	// ended sessions are refused. Default: a [MemorySessionStore], which is right for a
	// single process only; several replicas need one shared store (ozg/sqlstore).
	Store SessionStore
}

// Session is a logged-in browser's state, kept in an encrypted cookie whose session id a
// [SessionStore] must still know.
type Session struct {
	// ID names the session's record in the [SessionStore].
	ID        string
	Principal Principal
	Created   time.Time // login time; the absolute expiry counts from here
	LastSeen  time.Time // last request that refreshed the cookie; the idle expiry counts from here
	// CSRFToken is a random token bound to this session; state-changing form posts carry it.
	CSRFToken string
}

// Sessions keeps sessions in a cookie sealed with a [Keyring] (JWE dir + A256GCM): HttpOnly,
// Secure unless configured otherwise, SameSite=Lax. The cookie carries the principal, the
// login time, the last activity and a session id; a [SessionStore] keeps the id for as long
// as the session lives, and a cookie whose id the store no longer knows is refused, so that
// logout, step-up and a new login end the old session for good. Several replicas share the
// keyring and one store. It is safe for concurrent use.
//
// A session ends at the first of: its idle timeout (no request for IdleTimeout), its
// absolute expiry (MaxAge after login, which activity never extends), and its revocation.
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
	store    SessionStore
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
		idle: opts.IdleTimeout, maxAge: opts.MaxAge, now: opts.Now, store: opts.Store,
	}
	if s.store == nil {
		s.store = NewMemorySessionStore()
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
	I string    `json:"i"`
	P Principal `json:"p"`
	C int64     `json:"c"`
	T int64     `json:"t"`
	X string    `json:"x"`
	H string    `json:"h,omitempty"` // Principal.LogoutHint, which Principal does not marshal
}

// sessionVersion is the sealed form's version; cookies of other versions are refused.
const sessionVersion = 2

// Start begins a new session for p (a new id in the store, a new CSRF token, a new absolute
// lifetime) and sets its cookie on w. Logging in again, a step-up for example, starts a new
// session: the session the request r carries, if its cookie opens, is ended first, so its
// cookie is refused from now on.
func (s *Sessions) Start(w http.ResponseWriter, r *http.Request, p *Principal) (*Session, error) {
	if !p.Authenticated() {
		return nil, errors.New("identity: start session: principal has no subject or level")
	}
	if len(p.Subject) > MaxSessionSubject {
		return nil, fmt.Errorf("identity: start session: subject longer than %d bytes", MaxSessionSubject)
	}
	ctx := r.Context()
	if c, err := r.Cookie(s.name); err == nil {
		if old, err := s.open(c.Value); err == nil {
			if err := s.store.Revoke(ctx, old.ID); err != nil {
				return nil, fmt.Errorf("identity: start session: end the previous one: %w", err)
			}
		}
	}
	now := s.now()
	sess := &Session{ID: random32(), Principal: *p, Created: now, LastSeen: now, CSRFToken: random32()}
	rec := SessionRecord{ID: sess.ID, Subject: p.Subject, Created: now, Expires: s.expires(sess)}
	if err := s.store.Create(ctx, rec); err != nil {
		return nil, fmt.Errorf("identity: start session: %w", err)
	}
	if err := s.write(w, sess); err != nil {
		_ = s.store.Revoke(context.WithoutCancel(ctx), sess.ID)
		return nil, err
	}
	return sess, nil
}

// random32 returns 32 random bytes, base64url.
func random32() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// expires is the absolute end of sess. The cookie holds whole seconds, so the end is
// counted from the login second as the check does.
func (s *Sessions) expires(sess *Session) time.Time {
	return time.Unix(sess.Created.Unix(), 0).Add(s.maxAge)
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
	// The browser keeps the cookie no longer than the session's absolute expiry: a refreshed
	// cookie does not start the maximum age anew.
	left := s.expires(sess).Sub(s.now())
	http.SetCookie(w, &http.Cookie{
		Name: s.name, Value: v, Path: s.path, Domain: s.domain,
		MaxAge:   max(int((left+time.Second-1)/time.Second), 1),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (s *Sessions) seal(sess *Session) (string, error) {
	hint := sess.Principal.LogoutHint
	if len(hint) > MaxLogoutHint {
		hint = ""
	}
	b, err := json.Marshal(wireSession{V: sessionVersion, I: sess.ID, P: sess.Principal, C: sess.Created.Unix(), T: sess.LastSeen.Unix(), X: sess.CSRFToken, H: hint})
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
	return s.Decode(r.Context(), c.Value)
}

// Decode opens a session cookie value, checks its expiry and asks the store whether the
// session still lives. A value that does not open (tampered, sealed with a retired key,
// malformed) gives an error matching [ErrSessionInvalid]; an idle or too old session
// [ErrSessionExpired]; a session the store no longer knows [ErrSessionEnded]. Any other
// error is the store's failure: the session is then neither accepted nor known to be bad.
func (s *Sessions) Decode(ctx context.Context, value string) (*Session, error) {
	sess, err := s.open(value)
	if err != nil {
		return nil, err
	}
	if sess, err = s.check(sess); err != nil {
		return nil, err
	}
	rec, err := s.store.Lookup(ctx, sess.ID, s.now())
	switch {
	case errors.Is(err, ErrSessionNotFound):
		return nil, fmt.Errorf("%w: %w", ErrSessionEnded, err)
	case err != nil:
		return nil, fmt.Errorf("identity: session store: %w", err)
	case rec.Subject != sess.Principal.Subject:
		return nil, fmt.Errorf("%w: the store holds the session for another subject", ErrSessionInvalid)
	}
	return sess, nil
}

// open returns the session sealed in value without checking its expiry or the store.
func (s *Sessions) open(value string) (*Session, error) {
	var sum [32]byte
	if s.cache != nil && len(value) <= MaxSealed {
		sum = sha256.Sum256([]byte(value))
		if cached, ok := s.cache.Get(sum, s.now()); ok {
			sess := *cached
			return &sess, nil
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
	if ws.V != sessionVersion || !ws.P.Authenticated() || len(ws.X) < 32 || ws.I == "" || len(ws.I) > MaxSessionID {
		return nil, fmt.Errorf("%w: not a session of this version", ErrSessionInvalid)
	}
	if len(ws.H) <= MaxLogoutHint {
		ws.P.LogoutHint = ws.H
	}
	sess := &Session{ID: ws.I, Principal: ws.P, Created: time.Unix(ws.C, 0), LastSeen: time.Unix(ws.T, 0), CSRFToken: ws.X}
	if s.cache != nil {
		// A cookie's content never changes (it is authenticated), so a decoded copy may be
		// reused until the session could no longer be valid; expiry is checked on every use.
		cp := *sess
		s.cache.Put(sum, &cp, sess.Created.Add(s.maxAge))
	}
	return sess, nil
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

// End ends sess (logout): its record leaves the store, so its cookie is refused from now on
// on every replica sharing the store, and the cookie is deleted on w. When the store fails,
// the cookie is left in place (so the logout can be tried again) and the error returned.
// A nil sess only deletes the cookie.
func (s *Sessions) End(ctx context.Context, w http.ResponseWriter, sess *Session) error {
	if sess != nil {
		if err := s.store.Revoke(ctx, sess.ID); err != nil {
			return fmt.Errorf("identity: end session: %w", err)
		}
	}
	s.clear(w)
	return nil
}

// EndAll ends every session of the subject (a citizen's "log out everywhere", or an
// operator's answer to a stolen account) and returns how many were ended.
func (s *Sessions) EndAll(ctx context.Context, subject string) (int, error) {
	n, err := s.store.RevokeSubject(ctx, subject)
	if err != nil {
		return n, fmt.Errorf("identity: end all sessions: %w", err)
	}
	return n, nil
}

// DeleteExpired removes the records of expired sessions from the store; a portal runs it
// now and then (an hour apart is plenty). Expired sessions are refused whether or not it runs.
func (s *Sessions) DeleteExpired(ctx context.Context) (int, error) {
	n, err := s.store.DeleteExpired(ctx, s.now())
	if err != nil {
		return n, fmt.Errorf("identity: delete expired sessions: %w", err)
	}
	return n, nil
}

// clear deletes the session cookie.
func (s *Sessions) clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.name, Path: s.path, Domain: s.domain, MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}
