package problem

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteFillsDefaultsAndKeepsExtensions(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, Details{
		Status: http.StatusForbidden,
		Detail: "Vertrauensniveau zu niedrig",
		Errors: []FieldError{{Pointer: "/name", Code: "required", Message: "Bitte geben Sie Ihren Namen an."}},
		Extra:  map[string]any{"requiredLevel": "high"},
	})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("status = %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Fatalf("content type = %q", ct)
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["type"] != "about:blank" || got["title"] != "Forbidden" || got["requiredLevel"] != "high" {
		t.Fatalf("document = %v", got)
	}
	if errs, _ := got["errors"].([]any); len(errs) != 1 {
		t.Fatalf("errors = %v", got["errors"])
	}
}

func TestAProblemNamesTheRequestIDOfItsAnswer(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set(RequestIDHeader, "ABC123XYZ")
	Error(rec, http.StatusNotFound, "not found")
	if !strings.Contains(rec.Body.String(), `"instance":"urn:ozgkit:request:ABC123XYZ"`) {
		t.Fatalf("problem %s", rec.Body)
	}
}
