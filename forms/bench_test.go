package forms

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// The 40+ field document with 4 household members, validated by Form.Validate and, as the
// baseline, by the jsonschema library alone (decoding with UseNumber + Schema.Validate of the
// same compiled schema).

func BenchmarkValidate(b *testing.B) {
	f := antrag(b)
	doc := readFile(b, "testdata/antrag.valid.json")
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Validate(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawValidate(b *testing.B) {
	f := antrag(b)
	doc := readFile(b, "testdata/antrag.valid.json")
	b.ReportAllocs()
	for b.Loop() {
		d := json.NewDecoder(bytes.NewReader(doc))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			b.Fatal(err)
		}
		if err := f.schema.Validate(v); err != nil {
			b.Fatal(err)
		}
	}
}

func decoded(b *testing.B) any {
	d := json.NewDecoder(bytes.NewReader(readFile(b, "testdata/antrag.valid.json")))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		b.Fatal(err)
	}
	return v
}

func BenchmarkValidateValue(b *testing.B) {
	f := antrag(b)
	v := decoded(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := f.ValidateValue(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawValidateDecoded(b *testing.B) {
	f := antrag(b)
	v := decoded(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := f.schema.Validate(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateDraft(b *testing.B) {
	f := antrag(b)
	doc := readFile(b, "testdata/antrag.valid.json")
	b.ReportAllocs()
	for b.Loop() {
		if err := f.ValidateDraft(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateWithErrors(b *testing.B) {
	f := antrag(b)
	doc := []byte(`{"antragsteller":{"vorname":"","steuerId":"1"},"haushalt":[{"vorname":"A"}],"bank":{"iban":"DE00"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if f.Validate(doc) == nil {
			b.Fatal("valid")
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	f := antrag(b)
	doc := readFile(b, "testdata/antrag.valid.json")
	b.ReportAllocs()
	for b.Loop() {
		var a testAntrag
		if err := f.Decode(doc, &a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	f := antrag(b)
	doc := readFile(b, "testdata/antrag.valid.json")
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Render(io.Discard, doc, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseValues(b *testing.B) {
	f := antrag(b)
	var html bytes.Buffer
	if err := f.Render(&html, readFile(b, "testdata/antrag.valid.json"), nil); err != nil {
		b.Fatal(err)
	}
	vals := submitValues(b, html.Bytes())
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := f.ParseValues(vals); err != nil {
			b.Fatal(err)
		}
	}
}
