package portal

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/ozgkit/ozgkit/identity"
)

// Handler returns the pages ready to mount at "/": behind the Gate's Authenticate, with
// MultipartCSRF in front of it (uploads carry the CSRF token in the form's body) and the
// Gate's refusals (a failed CSRF check) answered as pages by BrowserErrors. Mount the Gate's
// login and callback handlers wrapped in BrowserErrors too.
func (p *Pages) Handler() http.Handler {
	return MultipartCSRF(p.BrowserErrors(p.cfg.Gate.Authenticate(p)))
}

// maxCSRFPeek bounds what MultipartCSRF reads of a body to find the CSRF token.
const maxCSRFPeek = 16 << 10

// MultipartCSRF lets an HTML upload form carry the CSRF token in its body instead of its URL.
// Put it in front of identity's Gate.Authenticate: for a multipart/form-data post without an
// X-CSRF-Token header whose first part is the field _csrf, it reads that part (at most 16 KiB
// of the body), hands the token to the Gate in the X-CSRF-Token header and puts the bytes it
// read back in front of the rest of the body, so the handler reads the whole form, streaming.
// The Gate then checks the token as it checks every other; a body that does not start with
// the token passes unchanged, and the Gate refuses it.
func MultipartCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get(identity.CSRFHeader) != "" {
			next.ServeHTTP(w, r)
			return
		}
		ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
			next.ServeHTTP(w, r)
			return
		}
		var seen bytes.Buffer
		peek := io.TeeReader(io.LimitReader(r.Body, maxCSRFPeek), &seen)
		part, err := multipart.NewReader(peek, params["boundary"]).NextPart()
		if err == nil && part.FormName() == identity.CSRFField && part.FileName() == "" {
			token, err := io.ReadAll(io.LimitReader(part, 512))
			if err == nil {
				r.Header.Set(identity.CSRFHeader, strings.TrimSpace(string(token)))
			}
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(seen.Bytes()), r.Body), r.Body}
		next.ServeHTTP(w, r)
	})
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
