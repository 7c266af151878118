package forms

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// antrag loads the 40+ field test form.
func antrag(t testing.TB) *Form {
	t.Helper()
	f, err := Load("antrag.schema.json", readFile(t, "testdata/antrag.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// fieldErrors returns the entries of err, failing the test if err is not a *ValidationError or
// if an entry fell back to the generic message (every keyword our schemas trigger must have a
// message of its own) or has an empty or unfilled message.
func fieldErrors(t testing.TB, err error) []FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	if !errors.Is(err, ErrDocument) {
		t.Fatalf("error %v does not wrap ErrDocument", err)
	}
	if len(ve.Errors) == 0 {
		t.Fatal("ValidationError without entries")
	}
	for _, fe := range ve.Errors {
		if fe.Keyword == genericKey {
			t.Errorf("%s: keyword without a message of its own (generic message used)", fe.Pointer)
		}
		for _, m := range []string{fe.Message, fe.MessageEN} {
			if m == "" || strings.Contains(m, "{") {
				t.Errorf("%s %s: message %q empty or unfilled", fe.Pointer, fe.Keyword, m)
			}
		}
	}
	return ve.Errors
}

// withoutEmptyArrays returns doc without its empty arrays and the objects left empty by that.
func withoutEmptyArrays(t testing.TB, doc []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	var drop func(any) (any, bool)
	drop = func(v any) (any, bool) {
		switch n := v.(type) {
		case map[string]any:
			for k, c := range n {
				if cc, keep := drop(c); keep {
					n[k] = cc
				} else {
					delete(n, k)
				}
			}
			return n, len(n) > 0
		case []any:
			return n, len(n) > 0
		}
		return v, true
	}
	v, _ = drop(v)
	if v == nil {
		v = map[string]any{}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
