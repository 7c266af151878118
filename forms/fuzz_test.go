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
	// Numbers the validator cannot take, and member names twice.
	f.Add([]byte(`{"einkommen":{"miete":1e99999999}}`))
	f.Add([]byte(`{"einkommen":{"miete":-1e-99999999,"zimmer":1E+9999999999999999999}}`))
	f.Add([]byte(`{"haushalt":[{"vorname":"a","alter":1e400}],"bank":{"iban":0.0000001e-1000000}}`))
	f.Add([]byte(`{"antragsteller":{"vorname":"<script>","vorname":"Erika"}}`))
	f.Add([]byte(`{"a":{"b":[{"c":1,"\u0063":2}]},"a":1}`))
	cond := wohnen(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		_, pruneErr := cond.Prune(doc)
		_, stepsErr := cond.ApplicableSteps(doc)
		for _, err := range []error{form.Validate(doc), form.ValidateDraft(doc), cond.Validate(doc), cond.ValidateStep("wohnung", doc), pruneErr, stepsErr} {
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
	f.Add("%2Feinkommen%2Fmiete=1e99999999&%2Feinkommen%2Fzimmer=1e-99999999&%2Feinkommen%2Fwohnflaeche=-1E%2B400")
	f.Add("%2Fantragsteller%2Fvorname=a&%2Fantragsteller%2Fvorname=b&_arrays=%2Fhaushalt&_arrays=%2Fhaushalt")
	f.Add("_arrays=%2Fhaushalt%2F0%2Fx&_arrays=%2Feinkommen%2FweitereEinkuenfte&_action=remove%3A%2Fhaushalt%2F0")
	cond := wohnen(f)
	f.Fuzz(func(t *testing.T, query string) {
		vals, _ := url.ParseQuery(query)
		if doc, _, err := cond.ParseValues(vals); err == nil {
			_ = cond.ValidateDraft(doc)
			if _, err := cond.Prune(doc); err != nil {
				t.Fatalf("Prune of a parsed post %s: %v", doc, err)
			}
		}
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

// FuzzDuplicateMember compares the byte scanner that finds a member name twice with a plain
// reading of the document's tokens, on valid JSON.
func FuzzDuplicateMember(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, `{"a":{"b":[1,{"c":"}","c":"{"}]}}`, `{"\u0061":1,"a":1}`, `[{"x":1},{"x":1}]`, `{"a\"b":1,"a\"b":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) {
			return
		}
		ptr, got := duplicateMember(doc)
		want := referenceDuplicate(t, doc)
		if got != want {
			t.Fatalf("duplicateMember(%s) = %q %v, want %v", doc, ptr, got, want)
		}
	})
}

func referenceDuplicate(t *testing.T, doc []byte) bool {
	d := json.NewDecoder(bytes.NewReader(doc))
	var stack []map[string]bool
	expectKey := []bool{}
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, map[string]bool{})
				expectKey = append(expectKey, true)
			case '[':
				stack = append(stack, nil)
				expectKey = append(expectKey, false)
			default:
				stack = stack[:len(stack)-1]
				expectKey = expectKey[:len(expectKey)-1]
			}
			if n := len(expectKey); n > 0 && stack[n-1] != nil && v != '{' && v != '[' {
				expectKey[n-1] = true
			}
			continue
		case string:
			if n := len(stack); n > 0 && stack[n-1] != nil && expectKey[n-1] {
				if stack[n-1][v] {
					return true
				}
				stack[n-1][v] = true
				expectKey[n-1] = false
				continue
			}
		}
		if n := len(stack); n > 0 && stack[n-1] != nil {
			expectKey[n-1] = true
		}
	}
}
