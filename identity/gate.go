package identity

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/ozgkit/ozgkit/internal/problem"
)

// GateOptions tune a [Gate]; nil means defaults.
type GateOptions struct {
	// LoginPath is where [Gate.RequireLevel] sends browsers to log in (the path the
	// [Gate.LoginHandler] is mounted at). Default "/auth/login".
	LoginPath string
	// AfterLogout is where the browser goes after logout when the provider has no end-session
	// endpoint. Default "/".
	AfterLogout string
	// TrustedOrigins are origins ("https://portal.example") allowed to send state-changing
	// requests besides the request's own host.
	TrustedOrigins []string
	// Logger gets a few structured lines, never personal data. Default slog.Default().
	Logger *slog.Logger
}

// Gate is the front door of a portal: it authenticates requests (session cookie or bearer
// token), protects cookie-authenticated state-changing requests against CSRF, enforces trust
// levels, and serves login, callback and logout.
type Gate struct {
	sessions *Sessions
	authn    Authenticator
	bearer   BearerVerifier
	login    string
	after    string
	origins  map[string]bool
	log      *slog.Logger
}

// NewGate returns a gate. authn (browser logins) or bearer (API clients) may be nil when the
// portal offers only the other.
func NewGate(sessions *Sessions, authn Authenticator, bearer BearerVerifier, opts *GateOptions) *Gate {
	if opts == nil {
		opts = &GateOptions{}
	}
	g := &Gate{sessions: sessions, authn: authn, bearer: bearer, login: opts.LoginPath, after: opts.AfterLogout, origins: map[string]bool{}, log: opts.Logger}
	if g.login == "" {
		g.login = "/auth/login"
	}
	if g.after == "" {
		g.after = "/"
	}
	for _, o := range opts.TrustedOrigins {
		g.origins[strings.TrimSuffix(strings.ToLower(o), "/")] = true
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	return g
}

type sessionKey struct{}

// SessionFrom returns the session a request was authenticated by, if it came with a cookie.
func SessionFrom(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(*Session)
	return s, ok
}

// CSRFToken returns the token a form of this request's session must post back in the field
// _csrf (or an API client in the X-CSRF-Token header); "" without a session.
func CSRFToken(ctx context.Context) string {
	if s, ok := SessionFrom(ctx); ok {
		return s.CSRFToken
	}
	return ""
}

// Authenticate puts the request's principal on its context (read it with [PrincipalFrom]):
// from an Authorization: Bearer token when there is one (an invalid token is answered 401),
// else from the session cookie (an invalid or expired cookie is deleted and the request goes
// on unauthenticated). State-changing requests authenticated by cookie must pass the CSRF
// check ([Gate.CheckCSRF]) or are answered 403.
func (g *Gate) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth := r.Header.Get("Authorization"); auth != "" {
			scheme, token, _ := strings.Cut(auth, " ")
			if !strings.EqualFold(scheme, "Bearer") || token == "" || g.bearer == nil {
				g.unauthorized(w, `Bearer error="invalid_request"`, "Authorization must be a bearer token.", LevelNone)
				return
			}
			p, err := g.bearer.VerifyBearer(r.Context(), token)
			if err != nil {
				g.log.LogAttrs(r.Context(), slog.LevelInfo, "bearer token refused", slog.String("error", err.Error()))
				g.unauthorized(w, `Bearer error="invalid_token"`, "Das Zugriffstoken ist ungültig oder abgelaufen.", LevelNone)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
			return
		}
		sess, err := g.sessions.Load(r)
		switch {
		case errors.Is(err, ErrNoSession):
			next.ServeHTTP(w, r)
			return
		case errors.Is(err, ErrSessionInvalid), errors.Is(err, ErrSessionExpired), errors.Is(err, ErrSessionEnded):
			g.log.LogAttrs(r.Context(), slog.LevelInfo, "session cookie refused", slog.String("error", err.Error()))
			g.sessions.clear(w)
			next.ServeHTTP(w, r)
			return
		case err != nil:
			// The store did not answer: neither accept the session nor throw the cookie away.
			g.log.LogAttrs(r.Context(), slog.LevelError, "session store failed", slog.String("error", err.Error()))
			problem.Error(w, http.StatusServiceUnavailable, "Die Anmeldung kann gerade nicht geprüft werden; bitte versuchen Sie es gleich noch einmal.")
			return
		}
		if err := g.CheckCSRF(r, sess); err != nil {
			problem.Write(w, problem.Details{Status: http.StatusForbidden, Type: "urn:ozgkit:problem:csrf",
				Title: "CSRF check failed", Detail: err.Error()})
			return
		}
		if err := g.sessions.Touch(w, sess); err != nil {
			g.log.LogAttrs(r.Context(), slog.LevelWarn, "session refresh failed", slog.String("error", err.Error()))
		}
		ctx := context.WithValue(WithPrincipal(r.Context(), &sess.Principal), sessionKey{}, sess)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// RequireLevel lets a request through only with a principal at level l or above. Without
// one, a browser navigation is redirected to login and anything else answered 401; with a
// lower level a browser navigation is redirected to a step-up login and anything else
// answered 403. Problems carry "requiredLevel" (and "level" for 403). It needs
// [Gate.Authenticate] in front of it.
func (g *Gate) RequireLevel(l Level) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := PrincipalFrom(r.Context())
			if ok && p.Level.Meets(l) {
				next.ServeHTTP(w, r)
				return
			}
			if isNavigation(r) && g.authn != nil {
				q := url.Values{"level": {l.String()}, "return": {r.URL.RequestURI()}}
				http.Redirect(w, r, g.login+"?"+q.Encode(), http.StatusSeeOther)
				return
			}
			if !ok {
				g.unauthorized(w, `Bearer`, "Bitte melden Sie sich an (Vertrauensniveau „"+l.German()+"“ oder höher).", l)
				return
			}
			problem.Write(w, problem.Details{
				Status: http.StatusForbidden, Type: "urn:ozgkit:problem:level-too-low", Title: "Trust level too low",
				Detail: "Diese Leistung verlangt das Vertrauensniveau „" + l.German() + "“; Ihre Anmeldung hat „" + p.Level.German() + "“.",
				Extra:  map[string]any{"requiredLevel": l, "level": p.Level},
			})
		})
	}
}

func (g *Gate) unauthorized(w http.ResponseWriter, challenge, detail string, l Level) {
	w.Header().Set("WWW-Authenticate", challenge)
	d := problem.Details{Status: http.StatusUnauthorized, Type: "urn:ozgkit:problem:unauthenticated", Title: "Authentication required", Detail: detail}
	if l > LevelNone {
		d.Extra = map[string]any{"requiredLevel": l}
	}
	problem.Write(w, d)
}

// isNavigation reports whether r is a browser navigation: a GET or HEAD asking for HTML,
// without an Authorization header.
func isNavigation(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || r.Header.Get("Authorization") != "" {
		return false
	}
	if m := r.Header.Get("Sec-Fetch-Mode"); m != "" {
		return m == "navigate"
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// LoginHandler starts a login: GET ?level=<level>&return=<local path>. The level defaults to
// basic; return must be a local path (no scheme, no host) and defaults to "/". The request's
// session principal, if any, is put on the context the Authenticator's BeginLogin sees
// ([PrincipalFrom]), so a step-up from a lower level forces re-authentication.
func (g *Gate) LoginHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.authn == nil {
			problem.Error(w, http.StatusNotFound, "this portal has no browser login")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			problem.Error(w, http.StatusMethodNotAllowed, "login is started with GET")
			return
		}
		q := r.URL.Query()
		level := LevelBasic
		if s := q.Get("level"); s != "" {
			var err error
			if level, err = ParseLevel(s); err != nil || level == LevelNone {
				problem.Write(w, problem.Details{Status: http.StatusBadRequest, Detail: "level must be basic, low, substantial or high",
					Errors: []problem.FieldError{{Pointer: "level", Code: "enum", Message: "Unbekanntes Vertrauensniveau.", MessageEN: "Unknown trust level."}}})
				return
			}
		}
		ret := q.Get("return")
		if ret == "" {
			ret = "/"
		}
		if !LocalPath(ret) {
			problem.Write(w, problem.Details{Status: http.StatusBadRequest, Detail: "return must be a local path",
				Errors: []problem.FieldError{{Pointer: "return", Code: "format", Message: "Die Rücksprungadresse muss ein Pfad dieses Portals sein.", MessageEN: "return must be a path on this portal."}}})
			return
		}
		// The authenticator sees the current login, so that a step-up can make the provider
		// authenticate anew instead of answering from its session at the lower level.
		if _, ok := PrincipalFrom(r.Context()); !ok && g.sessions != nil {
			if sess, err := g.sessions.Load(r); err == nil {
				r = r.WithContext(context.WithValue(WithPrincipal(r.Context(), &sess.Principal), sessionKey{}, sess))
			}
		}
		if err := g.authn.BeginLogin(w, r, level, ret); err != nil {
			g.log.LogAttrs(r.Context(), slog.LevelError, "begin login failed", slog.String("error", err.Error()))
			problem.Error(w, http.StatusInternalServerError, "the login could not be started")
		}
	})
}

// LocalPath reports whether s is a path on this site that is safe to redirect to: it starts
// with one "/" and has no scheme, host, backslash or control character.
func LocalPath(s string) bool {
	if len(s) == 0 || len(s) > 2048 || s[0] != '/' || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\") {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// CallbackHandler finishes a login at the provider's redirect, starts the session (ending
// the one the browser had, see [Sessions.Start]) and sends the browser to where the login
// was started from.
func (g *Gate) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.authn == nil {
			problem.Error(w, http.StatusNotFound, "this portal has no browser login")
			return
		}
		p, ret, err := g.authn.FinishLogin(w, r)
		if err != nil {
			g.log.LogAttrs(r.Context(), slog.LevelInfo, "login failed", slog.String("error", err.Error()))
			switch {
			case errors.Is(err, ErrLevelTooLow):
				problem.Write(w, problem.Details{Status: http.StatusForbidden, Type: "urn:ozgkit:problem:level-too-low", Title: "Trust level too low", Detail: err.Error()})
			case errors.Is(err, ErrLogin), errors.Is(err, ErrInvalidToken):
				problem.Write(w, problem.Details{Status: http.StatusBadRequest, Type: "urn:ozgkit:problem:login-failed", Title: "Login failed", Detail: err.Error()})
			default:
				problem.Error(w, http.StatusBadGateway, "the identity provider could not be reached")
			}
			return
		}
		if _, err := g.sessions.Start(w, r, p); err != nil {
			g.log.LogAttrs(r.Context(), slog.LevelError, "session start failed", slog.String("error", err.Error()))
			problem.Error(w, http.StatusInternalServerError, "the session could not be started")
			return
		}
		if !LocalPath(ret) {
			ret = "/"
		}
		http.Redirect(w, r, ret, http.StatusSeeOther)
	})
}

// LogoutHandler ends the session on POST (CSRF-checked like every state-changing request),
// in the session store too, so its cookie is refused everywhere afterwards, and sends the
// browser to the provider's end-session endpoint, or to AfterLogout.
func (g *Gate) LogoutHandler() http.Handler {
	return g.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			problem.Error(w, http.StatusMethodNotAllowed, "logout is a POST")
			return
		}
		target := g.after
		if sess, ok := SessionFrom(r.Context()); ok {
			if err := g.sessions.End(r.Context(), w, sess); err != nil {
				g.log.LogAttrs(r.Context(), slog.LevelError, "logout failed", slog.String("error", err.Error()))
				problem.Error(w, http.StatusServiceUnavailable, "Die Abmeldung ist fehlgeschlagen; bitte versuchen Sie es noch einmal.")
				return
			}
			if g.authn != nil {
				if u := g.authn.EndSessionURL(&sess.Principal); u != "" {
					target = u
				}
			}
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	}))
}
