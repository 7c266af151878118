package identity

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// gateApp is a gate in front of a handler that answers 200 with the principal's subject.
func gateApp(t *testing.T, required Level) (*Gate, *Sessions, http.Handler) {
	t.Helper()
	s, _ := newTestSessions(t)
	g := NewGate(s, nil, nil, &GateOptions{TrustedOrigins: []string{"https://trusted.example"}})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := PrincipalFrom(r.Context())
		_, _ = w.Write([]byte(p.Subject))
	})
	return g, s, g.Authenticate(g.RequireLevel(required)(inner))
}

func withSession(t *testing.T, s *Sessions, p *Principal, r *http.Request) *Session {
	t.Helper()
	rec := httptest.NewRecorder()
	sess, err := s.Start(rec, httptest.NewRequest("GET", "/", nil), p)
	if err != nil {
		t.Fatal(err)
	}
	r.AddCookie(rec.Result().Cookies()[0])
	return sess
}

func TestCSRFProtectionOfStateChangingRequests(t *testing.T) {
	_, s, app := gateApp(t, LevelBasic)
	tests := []struct {
		name   string
		req    func(token string) *http.Request
		status int
	}{
		{"a JSON post from the portal's own origin passes", func(string) *http.Request {
			r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader(`{}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Origin", "http://portal.example")
			return r
		}, 200},
		{"a post from a trusted origin passes", func(string) *http.Request {
			r := httptest.NewRequest("PUT", "http://portal.example/x", strings.NewReader(`{}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Origin", "https://trusted.example")
			return r
		}, 200},
		{"a post with a foreign Origin is refused", func(string) *http.Request {
			r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader(`{}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Origin", "https://evil.example")
			return r
		}, 403},
		{"a post with a foreign Referer and no Origin is refused", func(token string) *http.Request {
			r := httptest.NewRequest("DELETE", "http://portal.example/x", nil)
			r.Header.Set("Referer", "https://evil.example/page")
			r.Header.Set(CSRFHeader, token)
			return r
		}, 403},
		{"a form post without token is refused even from the own origin", func(string) *http.Request {
			r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader("a=b"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", "http://portal.example")
			return r
		}, 403},
		{"a form post with the token field passes", func(token string) *http.Request {
			r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader(url.Values{CSRFField: {token}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", "http://portal.example")
			return r
		}, 200},
		{"a form post with a wrong token is refused", func(string) *http.Request {
			r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader(CSRFField+"=wrong"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", "http://portal.example")
			return r
		}, 403},
		{"a multipart post with the token as its first part passes", func(token string) *http.Request {
			body := "--b\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + token + "\r\n--b--\r\n"
			r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader(body))
			r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
			r.Header.Set("Origin", "http://portal.example")
			return r
		}, 200},
		{"a multipart post with the token in the URL is refused", func(token string) *http.Request {
			r := httptest.NewRequest("POST", "http://portal.example/x?"+CSRFField+"="+url.QueryEscape(token), strings.NewReader("--b--\r\n"))
			r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
			r.Header.Set("Origin", "http://portal.example")
			return r
		}, 403},
		{"a post with neither Origin nor Referer needs the token", func(string) *http.Request {
			r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader(`{}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 403},
		{"a post with neither Origin nor Referer but the header token passes", func(token string) *http.Request {
			r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader(`{}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set(CSRFHeader, token)
			return r
		}, 200},
		{"a browser-declared cross-site post is refused", func(token string) *http.Request {
			r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader(`{}`))
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.Header.Set(CSRFHeader, token)
			return r
		}, 403},
		{"a GET needs no check", func(string) *http.Request {
			r := httptest.NewRequest("GET", "http://portal.example/x", nil)
			r.Header.Set("Origin", "https://evil.example")
			return r
		}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probe := httptest.NewRequest("GET", "/", nil)
			sess := withSession(t, s, erika, probe)
			r := tt.req(sess.CSRFToken)
			r.AddCookie(probe.Cookies()[0])
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, r)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 403 && rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("content type %q", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestRequireLevelAnswersByKindOfClient(t *testing.T) {
	_, s, app := gateApp(t, LevelHigh)
	basic := &Principal{Subject: "bPK2-LENA", Level: LevelBasic}
	tests := []struct {
		name      string
		principal *Principal
		browser   bool
		status    int
		required  string
	}{
		{"an API call without login gets 401 with the required level", nil, false, 401, "high"},
		{"an API call at too low a level gets 403 with the required level", basic, false, 403, "high"},
		// Browser redirects need an Authenticator: see the end-to-end test in identity/oidc.
		{"a browser without login and no login configured gets 401", nil, true, 401, "high"},
		{"a login at the level passes", erika, false, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://portal.example/antrag?x=1", nil)
			if tt.browser {
				r.Header.Set("Accept", "text/html,application/xhtml+xml")
			}
			if tt.principal != nil {
				withSession(t, s, tt.principal, r)
			}
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, r)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			switch tt.status {
			case 401, 403:
				var doc map[string]any
				_ = json.Unmarshal(rec.Body.Bytes(), &doc)
				if doc["requiredLevel"] != tt.required || doc["status"] != float64(tt.status) {
					t.Errorf("problem = %v", doc)
				}
			}
		})
	}
}

func TestLocalPathRefusesOpenRedirects(t *testing.T) {
	for s, want := range map[string]bool{
		"/": true, "/antrag/1?x=y": true, "//evil.example": false, "https://evil.example/": false,
		"/\\evil.example": false, "": false, "antrag": false, "/a\nb": false,
	} {
		if LocalPath(s) != want {
			t.Errorf("LocalPath(%q) = %v", s, !want)
		}
	}
}
