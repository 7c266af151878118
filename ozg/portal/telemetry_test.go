package portal_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/portal"
)

func TestRouteNamesThePatternThatServesARequest(t *testing.T) {
	r := startPortal(t, func(c *portal.Config) {
		c.Routes = map[string]http.Handler{"GET /sachbearbeitung/{case}": http.NotFoundHandler()}
	})
	tests := []struct {
		name, method, path, want string
	}{
		{"an API route is named by the API's own pattern, prefix included", "GET", "/api/applications/0b9e2c1e-7d43-4a55-9d56-3a1c2b6d9f10", "GET /api/applications/{application}"},
		{"an API route with a method of its own", "POST", "/api/services/bewohnerparkausweis/applications", "POST /api/services/{service}/applications"},
		{"an evidence route of the API", "DELETE", "/api/applications/a/evidence/e", "DELETE /api/applications/{application}/evidence/{evidence}"},
		{"the Postfach's API is named by its prefix", "GET", "/api/mailbox/messages", "/api/mailbox/"},
		{"a page is named by the pages' pattern", "GET", "/antraege/x/angaben/2", "GET /antraege/{application}/angaben/{step}"},
		{"the start page", "GET", "/", "GET /{$}"},
		{"a login route", "GET", "/auth/login", "/auth/login"},
		{"a health route", "GET", "/readyz", "GET /readyz"},
		{"a route of Config.Routes", "GET", "/sachbearbeitung/42", "GET /sachbearbeitung/{case}"},
		{"an unknown API path has no route", "GET", "/api/nope", ""},
		{"an API path with a wrong method has no route", "DELETE", "/api/services", ""},
		{"an unknown page has no route", "GET", "/gibt-es-nicht", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Route(httptest.NewRequest(tt.method, tt.path, nil)); got != tt.want {
				t.Fatalf("Route(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
			}
		})
	}
}

// lines is a concurrency-safe log sink of JSON lines.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) records(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.buf.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Bytes(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestLogLinesOfARequestCarryItsID(t *testing.T) {
	var log lines
	r := startPortal(t, func(c *portal.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.Routes = map[string]http.Handler{"/boom": http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })}
	})
	// The gate logs a refused session cookie with the request's context, without naming the
	// request itself; the panic handler names it itself.
	req, _ := http.NewRequest("GET", r.base+"/api/session", nil)
	req.AddCookie(&http.Cookie{Name: "ozgkit_session", Value: "not-a-sealed-session"})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	refusedID := resp.Header.Get(portal.RequestIDHeader)
	resp, _ = get(t, http.DefaultClient, r.base+"/boom", "application/json")
	panicID := resp.Header.Get(portal.RequestIDHeader)
	if refusedID == "" || panicID == "" || refusedID == panicID {
		t.Fatalf("request ids %q and %q", refusedID, panicID)
	}
	found := map[string]string{}
	for _, rec := range log.records(t) {
		msg, _ := rec["msg"].(string)
		id, _ := rec["request"].(string)
		if msg == "session cookie refused" || msg == "portal: panic" {
			found[msg] = id
		}
	}
	if found["session cookie refused"] != refusedID {
		t.Errorf("the gate's line has request %q, want the answer's id %q", found["session cookie refused"], refusedID)
	}
	if found["portal: panic"] != panicID {
		t.Errorf("the panic's line has request %q, want %q", found["portal: panic"], panicID)
	}
	if bytes.Count(log.buf.Bytes(), []byte(`"request":"`+panicID+`"`)) != 1 {
		t.Errorf("the panic's line names its request more than once:\n%s", log.buf.Bytes())
	}
}

func TestStatsOfAFreshPortalAreZero(t *testing.T) {
	r := startPortal(t, nil)
	st, err := r.Stats(t.Context())
	if err != nil || st != (portal.Stats{}) {
		t.Fatalf("Stats = %+v, %v; want all zero", st, err)
	}
}
