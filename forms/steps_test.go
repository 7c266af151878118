package forms

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/ozgkit/ozgkit/forms/formstest"
)

func TestStepsSplitTheForm(t *testing.T) {
	f := antrag(t)
	var ids []string
	for _, s := range f.Steps() {
		ids = append(ids, s.ID)
	}
	if !reflect.DeepEqual(ids, []string{"person", "haushalt", "abschluss"}) {
		t.Fatalf("steps = %v", ids)
	}
	if f.StepOf("/haushalt/2/vorname") != "haushalt" || f.StepOf("/bank/iban") != "abschluss" || f.StepOf("/x") != "" {
		t.Error("StepOf is wrong")
	}
	tests := []struct {
		name string
		step string
		doc  string
		want []want
	}{
		{"the first page alone is complete", "person",
			`{"antragsteller":{"vorname":"Erika","nachname":"M","geburtsdatum":"1964-08-12"},"anschrift":{"strasse":"A","hausnummer":"1","plz":"51147","ort":"Köln"}}`, nil},
		{"a page reports its missing fields and nothing of other pages", "person",
			`{"antragsteller":{"vorname":"Erika"},"bank":{"iban":"x"}}`,
			[]want{{"/antragsteller/nachname", "required", ""}, {"/antragsteller/geburtsdatum", "required", "Bitte geben Sie Ihr Geburtsdatum an."},
				{"/anschrift/strasse", "required", ""}, {"/anschrift/hausnummer", "required", ""}, {"/anschrift/plz", "required", ""}, {"/anschrift/ort", "required", ""}}},
		{"the household page needs a member", "haushalt", `{}`, []want{{"/haushalt", "required", ""}}},
		{"a field of no page is reported on every page", "haushalt", `{"haushalt":[{"vorname":"A","nachname":"B","geburtsdatum":"2000-01-01","verwandtschaft":"kind"}],"x":1}`,
			[]want{{"/x", "additionalProperties", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrors(t, fieldErrors(t, f.ValidateStep(tt.step, []byte(tt.doc))), tt.want)
		})
	}
	if err := f.ValidateStep("nope", []byte(`{}`)); !errors.Is(err, ErrUnknownStep) {
		t.Errorf("ValidateStep(nope) = %v", err)
	}
	err := f.Validate([]byte(`{"antragsteller":{"vorname":"Erika"},"bank":{}}`))
	if got := f.StepsWithErrors(err); !reflect.DeepEqual(got, []string{"person", "haushalt", "abschluss"}) {
		t.Errorf("StepsWithErrors = %v", got)
	}
	if got := f.StepsWithErrors(f.Validate(patch(t, map[string]any{"/bank/iban": "x"}))); !reflect.DeepEqual(got, []string{"abschluss"}) {
		t.Errorf("StepsWithErrors = %v", got)
	}
}

func TestAPageAtATimeBuildsTheWholeApplication(t *testing.T) {
	f := antrag(t)
	valid := readFile(t, "testdata/antrag.valid.json")
	var data []byte
	for _, st := range f.Steps() {
		// The citizen sees the page filled from the complete application and sends it.
		var html bytes.Buffer
		if err := f.Render(&html, valid, &RenderOptions{Step: st.ID}); err != nil {
			t.Fatal(err)
		}
		vals, err := formstest.Submit(&html, "_action", "submit")
		if err != nil {
			t.Fatal(err)
		}
		page, _, err := f.ParseValues(vals)
		if err != nil {
			t.Fatal(err)
		}
		if data, err = f.MergeStep(st.ID, data, page); err != nil {
			t.Fatal(err)
		}
		if err := f.ValidateStep(st.ID, data); err != nil {
			t.Fatalf("step %s: %v", st.ID, err)
		}
	}
	if !reflect.DeepEqual(canonical(t, data), canonical(t, valid)) {
		t.Fatalf("pages merged into %s", data)
	}
	// Emptying a field on its page removes it; fields of other pages are not accepted.
	data, err := f.MergeStep("abschluss", data, []byte(`{"bank":{"iban":"DE02120300000000202051"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if m := canonical(t, data).(map[string]any); m["erklaerung"] != nil || m["antragsteller"] == nil {
		t.Errorf("after merging a page: %s", data)
	}
	if _, err := f.MergeStep("abschluss", data, []byte(`{"haushalt":[]}`)); !errors.Is(err, ErrDocument) {
		t.Errorf("a page with another page's field: %v", err)
	}
	if _, err := f.MergeStep("nope", data, []byte(`{}`)); !errors.Is(err, ErrUnknownStep) {
		t.Errorf("unknown step: %v", err)
	}
}
