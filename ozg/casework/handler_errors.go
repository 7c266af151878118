package casework

import (
	"net/http"
	"strings"

	"github.com/ozgkit/ozgkit/internal/problem"
)

// browserErrors answers the problem documents (application/problem+json) of the staff gate —
// a refused CSRF check, a missing or too weak login on a post, a session store that does not
// answer, a failed login — to a browser's request with an HTML page in the case worker's
// language and a way back, instead of JSON. Requests that do not ask for HTML get the gate's
// answer unchanged.
func (h *handler) browserErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept"), "text/html") {
			next.ServeHTTP(w, r)
			return
		}
		problem.Intercept(w, r, next, func(w http.ResponseWriter, status int, problemType string) {
			h.problemPage(w, r, status, problemType)
		})
	})
}

// problemPage answers a browser the page for a problem the staff gate answered.
func (h *handler) problemPage(w http.ResponseWriter, r *http.Request, status int, problemType string) {
	title, text := "error-title", "error-text"
	switch {
	case strings.HasSuffix(problemType, ":csrf"):
		title, text = "csrf-title", "csrf-text"
	case strings.HasSuffix(problemType, ":level-too-low"):
		title, text = "level-title", "level-text"
	case strings.HasSuffix(problemType, ":unauthenticated"), strings.HasSuffix(problemType, ":login-failed"),
		status == http.StatusUnauthorized, status == http.StatusBadRequest:
		title, text = "login-title", "login-text"
	case status == http.StatusServiceUnavailable, status == http.StatusBadGateway:
		title, text = "unavailable-title", "unavailable-text"
	}
	back := ""
	if ref := r.Header.Get("Referer"); r.Method == http.MethodPost && sameOriginPath(ref, r, h.prefix) != "" {
		back = sameOriginPath(ref, r, h.prefix) // the page the form was on, to load it anew
	}
	h.message(w, r, status, title, text, back)
}

// sameOriginPath returns the path (and query) of ref when it is a page of these pages on the
// request's own host, else "".
func sameOriginPath(ref string, r *http.Request, prefix string) string {
	for _, scheme := range []string{"http://", "https://"} {
		rest, ok := strings.CutPrefix(ref, scheme+r.Host)
		if ok && strings.HasPrefix(rest, prefix+"/") && !strings.ContainsAny(rest, "\\\r\n") && !strings.HasPrefix(rest, "//") {
			return rest
		}
	}
	return ""
}
