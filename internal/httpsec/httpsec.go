// Package httpsec sets the security headers every page and answer of ozgkit carries, so the
// citizen's portal and the authority's pages cannot drift apart.
package httpsec

import "net/http"

// Set sets the headers on h for request r: csp as the Content-Security-Policy (it must forbid
// framing with frame-ancestors 'none'), no framing for old browsers, nosniff, a strict
// Referrer-Policy, isolation from other origins' windows, no use of camera, microphone,
// location or payment APIs, Cache-Control: no-store unless the handler set its own, and HSTS
// when r came over TLS.
func Set(h http.Header, r *http.Request, csp string) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}
