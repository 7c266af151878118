package portal

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/internal/httpsec"
	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/ozg"
)

// RequestIDHeader carries the request id in every answer (and is taken from a request when a
// trusted proxy set it and it is well-formed); every problem document names it as its
// "instance" (urn:ozgkit:request:<id>).
const RequestIDHeader = problem.RequestIDHeader

type requestIDKey struct{}

// RequestID returns the id the portal gave the request of ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// validRequestID accepts 8 to 64 characters of [A-Za-z0-9._-].
func validRequestID(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// withRequestID gives every request an id, in its context, the answer's header and problem
// documents' "instance".
func withRequestID(trustHeader bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := ""
		if trustHeader {
			if h := r.Header.Get(RequestIDHeader); validRequestID(h) {
				id = h
			}
		}
		if id == "" {
			id = rand.Text()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// recoverer answers a panic in a handler with 500 (problem+json for API clients, an HTML page
// for browsers) and logs it once with the request id, so no request ends in a dropped
// connection. http.ErrAbortHandler is passed on, as net/http means it.
func recoverer(logger *slog.Logger, page func(w http.ResponseWriter, r *http.Request, status int), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			logger.ErrorContext(r.Context(), "portal: panic", "method", r.Method, "route", r.Pattern,
				"request", RequestID(r.Context()), "panic", v, "stack", string(debug.Stack()))
			if wantsHTML(r) && page != nil {
				page(w, r, http.StatusInternalServerError)
				return
			}
			problem.Write(w, problem.Details{Status: http.StatusInternalServerError,
				Detail: "Es ist ein technischer Fehler aufgetreten. (An internal error occurred.)", Instance: requestInstance(r)})
		}()
		next.ServeHTTP(w, r)
	})
}

// requestInstance is a problem document's "instance": the request id as a URN.
func requestInstance(r *http.Request) string {
	if id := RequestID(r.Context()); id != "" {
		return problem.InstancePrefix + id
	}
	return ""
}

// SecurityHeaders sets the headers every answer of the portal carries: a Content-Security-Policy
// without inline script that forbids framing, nosniff, a strict Referrer-Policy, no caching of
// anything personal (everything but the static style sheet and the public catalogue), and
// HSTS when the request came over TLS.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// form-action allows the pay page and the identity provider, which forms post to.
		httpsec.Set(w.Header(), r, "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' http: https:; img-src 'self' data:; style-src 'self'")
		next.ServeHTTP(w, r)
	})
}

// wantsHTML reports whether the client is a browser asking for a page.
func wantsHTML(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "text/html") && !strings.HasPrefix(a, "application/json")
}

// notFoundOrMethod answers a request that matched no route: 405 with Allow when the path exists
// for other methods (h is the mux's own answer), else 404; as a problem document.
func notFoundOrMethod(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &statusOnly{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		problem.Write(w, problem.Details{Status: http.StatusMethodNotAllowed,
			Detail: "Diese Methode ist hier nicht erlaubt. (Method not allowed.)", Instance: requestInstance(r)})
		return
	}
	problem.Write(w, problem.Details{Status: http.StatusNotFound,
		Detail: "Diese Adresse gibt es nicht. (Not found.)", Instance: requestInstance(r)})
}

// statusOnly records the status and headers of the mux's 404/405 answer without its text.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) WriteHeader(status int)      { s.status = status }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }

// identityFacts are what the back office learns of the citizen's login.
func identityFacts(pr *identity.Principal) ozg.IdentityFacts {
	return ozg.IdentityFacts{Subject: pr.Subject, Level: pr.Level, Method: string(pr.Method), Issuer: pr.Issuer}
}
