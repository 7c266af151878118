package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"testing"
)

// FuzzValidate validates arbitrary bytes against the 40-field test schema, completely and as a
// draft: no panic, and every failure is a *ValidationError whose entries all have messages of
// their own.
func FuzzValidate(f *testing.F) {
	form := antrag(f)
	f.Add(readFile(f, "testdata/antrag.valid.json"))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"haushalt":[{"vorname":""},{},1],"bank":{"iban":"DE00","bic":1},"x":null}`))
	f.Add([]byte(`{"einkommen":{"arbeitnehmer":true,"miete":1e400,"zimmer":-0.0,"wohnform":[]}}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Add([]byte(`"\ud800"`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, err := range []error{form.Validate(doc), form.ValidateDraft(doc)} {
			if err == nil {
				continue
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("error %v (%T) is not a *ValidationError with entries", err, err)
			}
			for _, fe := range ve.Errors {
				if fe.Keyword == genericKey || fe.Message == "" || fe.MessageEN == "" {
					t.Fatalf("entry without its own message: %+v", fe)
				}
			}
		}
	})
}

// FuzzParseValues parses arbitrary form posts: no panic; a success is a JSON object that renders
// and validates (as a draft) without panicking.
func FuzzParseValues(f *testing.F) {
	form := antrag(f)
	var html bytes.Buffer
	if err := form.Render(&html, readFile(f, "testdata/antrag.valid.json"), nil); err != nil {
		f.Fatal(err)
	}
	f.Add("%2Fantragsteller%2Fvorname=Erika&%2Fhaushalt%2F0%2Fvorname=Max&%2Feinkommen%2Fmiete=1.234%2C5&_action=add%3A%2Fhaushalt")
	f.Add("%2Fhaushalt%2F3%2Feinkommen=x&%2Feinkommen%2FweitereEinkuenfte=rente&%2Feinkommen%2FweitereEinkuenfte=alg&_action=remove%3A%2Fhaushalt%2F3")
	f.Add("%2Ferklaerung%2Frichtigkeit=true&%2Fbank=x&%2F=1&%2Fhaushalt%2F-1%2Fvorname=a")
	f.Add("_action=add%3A%2Fhaushalt%2F0&%2Fhaushalt%2F999999999999%2Fvorname=a")
	f.Fuzz(func(t *testing.T, query string) {
		vals, _ := url.ParseQuery(query)
		doc, _, err := form.ParseValues(vals)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
			}
			return
		}
		var obj map[string]any
		if err := json.Unmarshal(doc, &obj); err != nil {
			t.Fatalf("ParseValues returned %q: %v", doc, err)
		}
		_ = form.ValidateDraft(doc)
		if err := form.Render(&bytes.Buffer{}, doc, &RenderOptions{Errors: form.Validate(doc)}); err != nil {
			t.Fatalf("Render of a parsed post: %v", err)
		}
	})
}
