package forms

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"testing"
	"time"
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

// BenchmarkGuards measures what Validate does before the validator: the scan for member names
// given twice and the walk that checks depth, array lengths and numbers.
func BenchmarkGuards(b *testing.B) {
	f := antrag(b)
	doc := readFile(b, "testdata/antrag.valid.json")
	v := decoded(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, dup := duplicateMember(doc); dup {
			b.Fatal("duplicate")
		}
		if err := f.checkValue(v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateVsRaw runs Validate and the raw baseline of BenchmarkRawValidate in turns
// within one loop, so that a busy machine slows both alike, and reports the ratio of their
// median times ("validate/raw"; the goal is at most 1.3) and the medians themselves.
func BenchmarkValidateVsRaw(b *testing.B) {
	f := antrag(b)
	doc := readFile(b, "testdata/antrag.valid.json")
	var ours, raw []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := f.Validate(doc); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		d := json.NewDecoder(bytes.NewReader(doc))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			b.Fatal(err)
		}
		if err := f.schema.Validate(v); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		ours = append(ours, t1.Sub(t0))
		raw = append(raw, t2.Sub(t1))
	}
	median := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Nanoseconds())
	}
	mo, mr := median(ours), median(raw)
	b.ReportMetric(mo/mr, "validate/raw")
	b.ReportMetric(mo, "validate-median-ns")
	b.ReportMetric(mr, "raw-median-ns")
}
