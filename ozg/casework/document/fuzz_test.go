package document_test

import (
	"encoding/json"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/casework/caseworktest"
	"github.com/ozgkit/ozgkit/ozg/casework/document"
)

// FuzzAnswers renders arbitrary form data (a submission's data is outside input): it never
// panics and never yields more rows than the bound.
func FuzzAnswers(f *testing.F) {
	f.Add([]byte(caseworktest.Data))
	f.Add([]byte(`{"haushalt":[1,{"name":2},[[]]],"person":"x"}`))
	f.Add([]byte(`{"person":{"vorname":{"a":[1,2]}},"miete":1e400}`))
	form := caseworktest.Service().Form
	f.Fuzz(func(t *testing.T, data []byte) {
		secs, err := document.Answers(form, json.RawMessage(data), "de")
		if err != nil {
			return
		}
		n := 0
		for _, s := range secs {
			n += len(s.Rows)
		}
		if n > 2000 {
			t.Fatalf("%d rows", n)
		}
	})
}
