package identity

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// ErrCSRF is returned (wrapped) by [Gate.CheckCSRF].
var ErrCSRF = errors.New("identity: cross-site request refused")

// CSRFField is the form field, and CSRFHeader the header, that carry the session's CSRF token.
const (
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"
)

// CheckCSRF protects a state-changing request authenticated by the session cookie:
//   - Origin, or else Referer, must be the request's own host or a trusted origin, and a
//     browser's Sec-Fetch-Site must not say cross-site;
//   - form posts (application/x-www-form-urlencoded, multipart/form-data, text/plain: what
//     a foreign page can send without CORS), and requests with neither Origin nor Referer,
//     must carry the session's token: in the X-CSRF-Token header, or in the _csrf field — for
//     multipart forms (uploads) as the form's first part, read from at most 16 KiB of the
//     body, which is then handed on unchanged so the upload still streams. A token in the URL
//     is never accepted: URLs end up in logs and Referer headers.
//
// Safe methods (GET, HEAD, OPTIONS, TRACE) pass.
func (g *Gate) CheckCSRF(r *http.Request, sess *Session) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return nil
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return wrapCSRF("the browser says the request is cross-site")
	}
	origin := r.Header.Get("Origin")
	source := "Origin"
	if origin == "" {
		if ref := r.Header.Get("Referer"); ref != "" {
			u, err := url.Parse(ref)
			if err != nil || u.Host == "" {
				return wrapCSRF("Referer is not an absolute URL")
			}
			origin, source = u.Scheme+"://"+u.Host, "Referer"
		}
	}
	if origin != "" && !g.sameOrigin(r, origin) {
		return wrapCSRF(source + " " + truncate(origin, 100) + " is not this portal")
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	form := ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" || ct == "text/plain"
	if origin != "" && !form {
		return nil
	}
	token := r.Header.Get(CSRFHeader)
	if token == "" {
		switch ct {
		case "application/x-www-form-urlencoded":
			r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
			token = r.PostFormValue(CSRFField)
		case "multipart/form-data":
			token = firstPartToken(r)
		}
	}
	if token == "" {
		return wrapCSRF("the CSRF token is missing")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRFToken)) != 1 {
		return wrapCSRF("the CSRF token is wrong")
	}
	return nil
}

// maxCSRFPeek bounds what firstPartToken reads of a multipart body.
const maxCSRFPeek = 16 << 10

// firstPartToken returns the value of a multipart form's first part when it is the _csrf
// field, and puts every byte it read back in front of r.Body.
func firstPartToken(r *http.Request) string {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" || r.Body == nil {
		return ""
	}
	var seen bytes.Buffer
	peek := io.TeeReader(io.LimitReader(r.Body, maxCSRFPeek), &seen)
	token := ""
	part, err := multipart.NewReader(peek, params["boundary"]).NextPart()
	if err == nil && part.FormName() == CSRFField && part.FileName() == "" {
		if b, err := io.ReadAll(io.LimitReader(part, 512)); err == nil {
			token = strings.TrimSpace(string(b))
		}
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(seen.Bytes()), r.Body), r.Body}
	return token
}

func wrapCSRF(why string) error { return &csrfError{why} }

type csrfError struct{ why string }

func (e *csrfError) Error() string { return "identity: cross-site request refused: " + e.why }
func (e *csrfError) Unwrap() error { return ErrCSRF }

func (g *Gate) sameOrigin(r *http.Request, origin string) bool {
	origin = strings.ToLower(origin)
	if g.origins[origin] {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}
