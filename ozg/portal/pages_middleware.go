package portal

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// Handler returns the pages ready to mount at "/": behind the Gate's Authenticate, with the
// Gate's refusals (a failed CSRF check) answered as pages by BrowserErrors. Mount the Gate's
// login and callback handlers wrapped in BrowserErrors too.
func (p *Pages) Handler() http.Handler {
	return p.BrowserErrors(p.cfg.Gate.Authenticate(p))
}

// maxProblemPeek bounds what BrowserErrors reads of a problem document.
const maxProblemPeek = 16 << 10

// BrowserErrors turns the problem documents (application/problem+json) that next answers to a
// browser's page request into the HTML error page ([Pages.ErrorPage]) in the citizen's
// language, with a way back. Wrap the Gate's login and callback handlers in it (a cancelled
// login, a login below the level asked for, an expired login transaction), and the Gate's
// Authenticate in front of the pages (a refused CSRF check). Requests that do not ask for HTML
// get next's answer unchanged.
func (p *Pages) BrowserErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !wantsHTML(r) {
			next.ServeHTTP(w, r)
			return
		}
		bw := &browserWriter{ResponseWriter: w}
		next.ServeHTTP(bw, r)
		if !bw.problem {
			return
		}
		var doc struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(bw.body.Bytes(), &doc)
		h := w.Header()
		for _, k := range []string{"Content-Type", "Content-Length", "Content-Language", "WWW-Authenticate"} {
			h.Del(k)
		}
		title, message := problemText(bw.status, doc.Type)
		p.errorPage(w, r, bw.status, title, message)
	})
}

// problemText is the citizen's title and text for a problem type of identity's Gate.
func problemText(status int, typ string) (title, message string) {
	switch {
	case strings.HasSuffix(typ, ":level-too-low"):
		return errorTitle(http.StatusForbidden), statusMessage(http.StatusForbidden)
	case strings.HasSuffix(typ, ":login-failed"), strings.HasSuffix(typ, ":unauthenticated"):
		return errorTitle(http.StatusBadRequest), statusMessage(http.StatusBadRequest)
	case strings.HasSuffix(typ, ":csrf"):
		return "Formular abgelaufen", "Das Formular ist abgelaufen oder kam nicht von diesem Portal. Bitte laden Sie die Seite neu und versuchen Sie es erneut."
	}
	return errorTitle(status), statusMessage(status)
}

// browserWriter passes an answer through unless it is a problem document with an error
// status, which it keeps (bounded) for BrowserErrors.
type browserWriter struct {
	http.ResponseWriter
	status  int
	problem bool
	wrote   bool
	body    bytes.Buffer
}

func (b *browserWriter) WriteHeader(status int) {
	if b.wrote {
		return
	}
	b.wrote = true
	b.status = status
	ct, _, _ := mime.ParseMediaType(b.Header().Get("Content-Type"))
	if status >= 400 && ct == "application/problem+json" {
		b.problem = true
		return
	}
	b.ResponseWriter.WriteHeader(status)
}

func (b *browserWriter) Write(p []byte) (int, error) {
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
func (b *browserWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }
