package httpsec

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestSetKeepsAHandlersCacheControlAndAddsHSTSOnlyOverTLS(t *testing.T) {
	plain := httptest.NewRequest("GET", "http://portal.example/", nil)
	h := http.Header{}
	Set(h, plain, "frame-ancestors 'none'")
	if h.Get("Cache-Control") != "no-store" || h.Get("Strict-Transport-Security") != "" || h.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("plain http: %v", h)
	}
	secure := httptest.NewRequest("GET", "https://portal.example/", nil)
	secure.TLS = &tls.ConnectionState{}
	h = http.Header{"Cache-Control": {"public, max-age=300"}}
	Set(h, secure, "frame-ancestors 'none'")
	if h.Get("Cache-Control") != "public, max-age=300" || h.Get("Strict-Transport-Security") == "" {
		t.Fatalf("tls: %v", h)
	}
}
