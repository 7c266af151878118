package forms

import (
	"errors"
	"reflect"
	"testing"
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
			[]want{{"/antragsteller/nachname", "required", ""}, {"/antragsteller/geburtsdatum", "required", "Bitte geben Sie Ihr Geburtsdatum an."}, {"/anschrift", "required", ""}}},
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
