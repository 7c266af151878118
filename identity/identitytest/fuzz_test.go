package identitytest_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity/identitytest"
)

// FuzzAuthorize sends arbitrary authorization requests (no provider session) and checks what
// a real provider guarantees: no server error, a redirect only to the registered URI, and a
// code never for prompt=none or without PKCE.
func FuzzAuthorize(f *testing.F) {
	p, err := identitytest.New("https://idp.example", &identitytest.Options{Clients: []identitytest.Client{
		{ID: "portal", Secret: "pw", RedirectURIs: []string{redirect}},
	}})
	if err != nil {
		f.Fatal(err)
	}
	if err := p.SetAutoLogin("erika"); err != nil {
		f.Fatal(err)
	}
	ok := "response_type=code&client_id=portal&redirect_uri=" + url.QueryEscape(redirect) +
		"&scope=openid&code_challenge=" + strings.Repeat("a", 43) + "&code_challenge_method=S256"
	for _, seed := range []string{
		ok, ok + "&prompt=none", ok + "&prompt=login&max_age=0", ok + "&prompt=none%20login", ok + "&max_age=-1",
		ok + "&max_age=99999999999999999999", ok + "&prompt=login&prompt=none", ok + "&acr_values=STORK-QAA-Level-1%20x",
		"client_id=portal&redirect_uri=https://evil.example/", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "https://idp.example/authorize", nil)
		r.URL.RawQuery = query
		p.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q", rec.Code, query)
		}
		loc := rec.Header().Get("Location")
		if loc == "" {
			return
		}
		u, err := url.Parse(loc)
		if err != nil || u.Scheme+"://"+u.Host+u.Path != redirect {
			t.Fatalf("redirect to %q for %q", loc, query)
		}
		if u.Query().Get("code") == "" {
			return
		}
		req := r.URL.Query()
		if strings.Contains(req.Get("prompt"), "none") {
			t.Fatalf("a code for prompt=none without a session: %q", query)
		}
		if req.Get("code_challenge_method") != "S256" {
			t.Fatalf("a code without PKCE S256: %q", query)
		}
	})
}
