package saml

import (
	"encoding/xml"
	"net/http"
	"strings"
	"time"
)

// bounceField marks a response the ACS wrapper has already posted back once.
const bounceField = "ozgkit_same_site"

// ACS wraps the handler that finishes logins (the Gate's callback handler) for the
// assertion consumer service. The identity provider's page posts the response cross-site, so
// the browser leaves out the SameSite=Lax transaction cookie. When a posted response arrives
// without the cookie its RelayState names, ACS answers with a page that posts the same form
// to the same URL once more, now from the portal's own origin, and the cookie comes along.
// Everything else, and the second post, goes to next, which refuses a response without its
// cookie as before.
func (s *ServiceProvider) ACS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			next.ServeHTTP(w, r) // FinishLogin reports the form error
			return
		}
		state := r.PostForm.Get("RelayState")
		resp := r.PostForm.Get("SAMLResponse")
		if resp == "" || len(state) < 16 || len(state) > 128 || r.PostForm.Get(bounceField) != "" {
			next.ServeHTTP(w, r)
			return
		}
		if _, err := r.Cookie(loginCookieName(state)); err == nil {
			next.ServeHTTP(w, r)
			return
		}
		_ = writePostPage(w, postPage{
			Action: r.URL.RequestURI(), Field: "SAMLResponse", Value: resp, RelayState: state,
			Extra: map[string]string{bounceField: "1"},
		})
	})
}

// Metadata returns the portal's SP metadata: entity id, signing and encryption certificates
// (with AES-GCM preferred over AES-CBC), AuthnRequestsSigned and WantAssertionsSigned, and the
// assertion consumer service with the HTTP-POST binding. It is valid for two days from now.
func (s *ServiceProvider) Metadata() ([]byte, error) {
	sp := s.sp
	sp.MetadataValidDuration = 48 * time.Hour
	md := sp.Metadata()
	b, err := xml.MarshalIndent(md, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}

// MetadataHandler serves [ServiceProvider.Metadata] as application/samlmetadata+xml, for
// the identity provider's operator to register the portal with.
func (s *ServiceProvider) MetadataHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "metadata is read with GET", http.StatusMethodNotAllowed)
			return
		}
		b, err := s.Metadata()
		if err != nil {
			http.Error(w, "metadata could not be built", http.StatusInternalServerError)
			return
		}
		ct := "application/samlmetadata+xml"
		if strings.Contains(r.Header.Get("Accept"), "text/xml") && !strings.Contains(r.Header.Get("Accept"), "samlmetadata") {
			ct = "text/xml; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(b)
	})
}
