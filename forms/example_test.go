package forms_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/ozgkit/ozgkit/forms"
)

const kontaktSchema = `{
  "type": "object",
  "required": ["name", "geburtsdatum", "iban"],
  "properties": {
    "name": {"type": "string", "minLength": 1, "x-ui": {"label": {"de": "Name", "en": "Name"}}},
    "geburtsdatum": {"type": "string", "format": "date",
      "x-ui": {"label": {"de": "Geburtsdatum", "en": "Date of birth"},
               "errors": {"required": {"de": "Bitte geben Sie Ihr Geburtsdatum an.", "en": "Please enter your date of birth."}}}},
    "plz": {"type": "string", "format": "plz", "x-ui": {"label": {"de": "Postleitzahl", "en": "Postcode"}}},
    "iban": {"type": "string", "format": "iban", "x-ui": {"label": "IBAN"}}
  }
}`

// Load a form, validate a document, and print the German messages for the citizen.
func Example() {
	form, err := forms.Load("kontakt.schema.json", []byte(kontaktSchema))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = form.Validate([]byte(`{"name": "Erika Mustermann", "plz": "5114", "iban": "DE02 1203 0000 0000 2020 52"}`))
	var ve *forms.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			fmt.Printf("%s: %s\n", fe.Pointer, fe.Message)
		}
	}
	fmt.Println(errors.Is(err, forms.ErrDocument))
	// Output:
	// /geburtsdatum: Bitte geben Sie Ihr Geburtsdatum an.
	// /plz: Bitte geben Sie bei „Postleitzahl“ eine gültige Postleitzahl mit 5 Ziffern an.
	// /iban: Bitte geben Sie bei „IBAN“ eine gültige IBAN an, zum Beispiel DE02 1203 0000 0000 2020 51.
	// true
}

// A draft (Entwurf) may be incomplete, but what it has must be valid.
func ExampleForm_ValidateDraft() {
	form, _ := forms.Load("kontakt.schema.json", []byte(kontaktSchema))
	fmt.Println(form.ValidateDraft([]byte(`{"name": "Erika Mustermann"}`)))
	err := form.ValidateDraft([]byte(`{"plz": "00000"}`))
	var ve *forms.ValidationError
	errors.As(err, &ve)
	fmt.Println(ve.Errors[0].MessageEN)
	// Output:
	// <nil>
	// Please enter a valid 5-digit German postcode for “Postcode”.
}

// Decode validated data into a Go struct and check its `validate` tags.
func ExampleForm_Decode() {
	form, _ := forms.Load("kontakt.schema.json", []byte(kontaktSchema))
	var kontakt struct {
		Name         string `json:"name" validate:"required,max=10"`
		Geburtsdatum string `json:"geburtsdatum"`
		IBAN         string `json:"iban" validate:"iban"`
	}
	err := form.Decode([]byte(`{"name": "Erika Mustermann", "geburtsdatum": "1964-08-12", "iban": "DE02120300000000202051"}`), &kontakt)
	var ve *forms.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Errors[0].Pointer, ve.Errors[0].Keyword)
		fmt.Println(ve.Errors[0].Message)
		fmt.Println(ve.Errors[0].MessageEN)
	}
	// Output:
	// /name validator:max
	// „Name“ darf maximal 10 Zeichen lang sein
	// “Name” must be a maximum of 10 characters in length
}

// Prefill a form from identity claims (once-only) and see where each value came from.
func ExampleForm_Prefill() {
	form, _ := forms.Load("person.schema.json", []byte(`{
	  "type": "object",
	  "properties": {
	    "vorname": {"type": "string", "x-ui": {"label": "Vorname", "fact": "given_name"}},
	    "nachname": {"type": "string", "x-ui": {"label": "Nachname", "fact": "family_name"}},
	    "plz": {"type": "string", "format": "plz", "x-ui": {"label": "Postleitzahl", "fact": "postal_code"}}
	  }
	}`))
	claims := &forms.FactSource{Source: "bundid", Facts: map[string]any{
		"given_name": "Erika", "family_name": "Mustermann", "postal_code": "ABC",
	}}
	doc, prov, err := form.Prefill(context.Background(), []byte(`{"vorname": "Eri"}`), forms.Provenance{"/vorname": forms.ProvenanceUser}, claims)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(doc))
	fmt.Println(prov["/vorname"], prov["/nachname"], prov["/plz"] == "")
	// Output:
	// {"nachname":"Mustermann","vorname":"Eri"}
	// user prefill:bundid true
}

// Parse a submitted HTML form back into the JSON document of the API.
func ExampleForm_ParseValues() {
	form, _ := forms.Load("miete.schema.json", []byte(`{
	  "type": "object",
	  "properties": {
	    "miete": {"type": "number", "x-ui": {"label": "Miete in Euro"}},
	    "zimmer": {"type": "integer"},
	    "balkon": {"type": "boolean"}
	  }
	}`))
	post := url.Values{"/miete": {"1.234,50"}, "/zimmer": {"3"}, "/balkon": {"true"}, "_csrf": {"t0k3n"}}
	doc, action, err := form.ParseValues(post)
	fmt.Println(string(doc), action.Kind, err)
	// Output:
	// {"balkon":true,"miete":1234.50,"zimmer":3} submit <nil>
}

const wohnungSchema = `{
  "type": "object",
  "x-ui": {"steps": [
    {"id": "wohnung", "title": "Wohnung", "fields": ["nutzung", "alleine"]},
    {"id": "miete", "title": "Miete", "fields": ["kaltmiete"]},
    {"id": "eigentum", "title": "Eigentum", "fields": ["belastung"]},
    {"id": "haushalt", "title": "Haushalt", "fields": ["mitglieder"]}
  ]},
  "unevaluatedProperties": false,
  "properties": {
    "nutzung": {"enum": ["miete", "eigentum"], "x-ui": {"label": "Sie wohnen"}},
    "alleine": {"type": "boolean", "x-ui": {"label": "Leben Sie allein?"}}
  },
  "allOf": [
    {"if": {"properties": {"nutzung": {"const": "eigentum"}}, "required": ["nutzung"]},
     "then": {"properties": {"belastung": {"type": "number", "x-ui": {"label": "Belastung"}}}, "required": ["belastung"]},
     "else": {"properties": {"kaltmiete": {"type": "number", "x-ui": {"label": "Kaltmiete"}}}, "required": ["kaltmiete"]}},
    {"if": {"properties": {"alleine": {"const": true}}, "required": ["alleine"]},
     "else": {"properties": {"mitglieder": {"type": "array", "items": {"type": "string"}, "x-ui": {"label": "Haushaltsmitglieder"}}}}}
  ]
}`

// Questions that depend on earlier answers: the pages that apply to the saved answers, and a
// saved draft without the answers that no longer apply.
func ExampleForm_Prune() {
	form, err := forms.Load("wohnung.schema.json", []byte(wohnungSchema))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The citizen first said they rent and live with others, then that they own their home and
	// live alone.
	saved := []byte(`{"nutzung": "eigentum", "alleine": true, "kaltmiete": 620, "mitglieder": ["Hans"]}`)
	pruned, err := form.Prune(saved)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(pruned))
	steps, _ := form.ApplicableSteps(pruned)
	for _, st := range steps {
		fmt.Println(st.ID)
	}
	// Output:
	// {"alleine":true,"nutzung":"eigentum"}
	// wohnung
	// eigentum
}
