package problem

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestInterceptHandsProblemsToThePageAndPassesTheRest(t *testing.T) {
	problemHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		Write(w, Details{Status: http.StatusForbidden, Type: "urn:ozgkit:problem:csrf"})
	})
	rec := httptest.NewRecorder()
	var gotStatus int
	var gotType string
	Intercept(rec, httptest.NewRequest("POST", "/x", nil), problemHandler, func(w http.ResponseWriter, status int, problemType string) {
		gotStatus, gotType = status, problemType
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte("<p>page</p>"))
	})
	if gotStatus != 403 || gotType != "urn:ozgkit:problem:csrf" || rec.Body.String() != "<p>page</p>" || rec.Header().Get("WWW-Authenticate") != "" {
		t.Fatalf("intercepted %d %q, answer %d %q %v", gotStatus, gotType, rec.Code, rec.Body, rec.Header())
	}

	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("fine"))
	})
	rec = httptest.NewRecorder()
	Intercept(rec, httptest.NewRequest("GET", "/x", nil), ok, func(http.ResponseWriter, int, string) { t.Fatal("page called for a success") })
	if rec.Code != 200 || rec.Body.String() != "fine" {
		t.Fatalf("passed through %d %q", rec.Code, rec.Body)
	}
}
