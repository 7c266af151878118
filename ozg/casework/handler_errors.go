package casework

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/ozgkit/ozgkit/internal/problem"
)

// maxProblemPeek bounds what browserErrors reads of a problem document.
const maxProblemPeek = 16 << 10

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
		bw := &problemCatcher{ResponseWriter: w}
		next.ServeHTTP(bw, r)
		if !bw.problem {
			return
		}
		var doc struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(bw.body.Bytes(), &doc)
		for _, k := range []string{"Content-Type", "Content-Length", "Content-Language", "WWW-Authenticate"} {
			w.Header().Del(k)
		}
		title, text := "error-title", "error-text"
		switch {
		case strings.HasSuffix(doc.Type, ":csrf"):
			title, text = "csrf-title", "csrf-text"
		case strings.HasSuffix(doc.Type, ":level-too-low"):
			title, text = "level-title", "level-text"
		case strings.HasSuffix(doc.Type, ":unauthenticated"), strings.HasSuffix(doc.Type, ":login-failed"),
			bw.status == http.StatusUnauthorized, bw.status == http.StatusBadRequest:
			title, text = "login-title", "login-text"
		case bw.status == http.StatusServiceUnavailable, bw.status == http.StatusBadGateway:
			title, text = "unavailable-title", "unavailable-text"
		}
		back := ""
		if ref := r.Header.Get("Referer"); r.Method == http.MethodPost && sameOriginPath(ref, r, h.prefix) != "" {
			back = sameOriginPath(ref, r, h.prefix) // the page the form was on, to load it anew
		}
		h.message(w, r, bw.status, title, text, back)
	})
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

// problemCatcher passes an answer through unless it is a problem document with an error
// status, which it keeps (bounded) for browserErrors.
type problemCatcher struct {
	http.ResponseWriter
	status  int
	problem bool
	wrote   bool
	body    bytes.Buffer
}

func (b *problemCatcher) WriteHeader(status int) {
	if b.wrote {
		return
	}
	b.wrote, b.status = true, status
	ct, _, _ := mime.ParseMediaType(b.Header().Get("Content-Type"))
	if status >= 400 && ct == problem.ContentType {
		b.problem = true
		return
	}
	b.ResponseWriter.WriteHeader(status)
}

func (b *problemCatcher) Write(p []byte) (int, error) {
	if !b.wrote {
		b.WriteHeader(http.StatusOK)
	}
	if b.problem {
		if room := maxProblemPeek - b.body.Len(); room > 0 {
			b.body.Write(p[:min(len(p), room)])
		}
		return len(p), nil
	}
	return b.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (b *problemCatcher) Unwrap() http.ResponseWriter { return b.ResponseWriter }
