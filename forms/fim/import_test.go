package fim_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/forms/fim"
)

func TestImportConverts(t *testing.T) {
	codes := map[string][]fim.Code{
		"urn:test:farbe": {{Value: "r", Label: "Rot"}, {Value: "g", Label: "Grün"}},
	}
	tests := []struct {
		name  string
		xml   string
		opts  *fim.Options
		want  map[string]string // path in the schema → JSON of the value there ("null" for absent)
		gaps  []string          // kinds of NotEnforced entries, in order
		check func(t *testing.T, res *fim.Result)
	}{
		{
			name: "a field of cardinality 1:1 is a required property and 0:1 an optional one",
			xml:  export(field("F1", "1:1", "input", "text", "") + field("F2", "0:1", "input", "text", "")),
			want: map[string]string{
				"required":                      `["F1"]`,
				"properties/F1/type":            `"string"`,
				"properties/F1/title":           `"Feld F1"`,
				"properties/F1/x-fim/id":        `"F1"`,
				"properties/F1/x-fim/anzahl":    `"1:1"`,
				"properties/F2/x-fim/anzahl":    `"0:1"`,
				"additionalProperties":          `false`,
				"x-fim/id":                      `"S99"`,
				"x-fim/xdatenfelder":            `"2.0"`,
				"title":                         `"Antrag zum Testen"`,
				"$schema":                       `"https://json-schema.org/draft/2020-12/schema"`,
				"properties/F1/x-fim/datentyp":  `"text"`,
				"properties/F1/x-fim/feldart":   `"input"`,
				"properties/F1/x-fim/version":   `"1.0"`,
				"properties/F2/x-fim/codeList":  `null`,
				"properties/F1/readOnly":        `null`,
				"properties/F1/x-ui":            `null`,
				"properties/F1/description":     `null`,
				"properties/F1/minLength":       `null`,
				"properties/F1/x-fim/texts":     `null`,
				"properties/F1/x-fim/rules":     `null`,
				"properties/F1/dependentSchema": `null`,
			},
		},
		{
			name: "a group of cardinality 2:5 is a required array of objects with bounds",
			xml:  export(group("G1", "2:5", field("F1", "1:1", "input", "text", ""))),
			want: map[string]string{
				"required":                               `["G1"]`,
				"properties/G1/type":                     `"array"`,
				"properties/G1/minItems":                 `2`,
				"properties/G1/maxItems":                 `5`,
				"properties/G1/x-ui/itemLabel":           `"Gruppe G1"`,
				"properties/G1/x-fim/anzahl":             `"2:5"`,
				"properties/G1/items/type":               `"object"`,
				"properties/G1/items/required":           `["F1"]`,
				"properties/G1/items/x-fim/id":           `"G1"`,
				"properties/G1/items/properties/F1/type": `"string"`,
			},
		},
		{
			name: "a field of cardinality 0:* is an optional array without bounds",
			xml:  export(field("F1", "0:*", "input", "num_int", "")),
			want: map[string]string{
				"required":                 `null`,
				"properties/F1/type":       `"array"`,
				"properties/F1/minItems":   `null`,
				"properties/F1/maxItems":   `null`,
				"properties/F1/items/type": `"integer"`,
			},
		},
		{
			name: "each Datentyp maps to its JSON type and format",
			xml: export(field("F1", "1:1", "input", "text_latin", "") + field("F2", "1:1", "input", "date", "") +
				field("F3", "1:1", "input", "time", "") + field("F4", "1:1", "input", "datetime", "") +
				field("F5", "1:1", "input", "bool", "") + field("F6", "1:1", "input", "num", "") +
				field("F7", "1:1", "input", "num_int", "") + field("F8", "1:1", "input", "num_currency", "")),
			want: map[string]string{
				"properties/F1/pattern":    asJSON("^[ -~\u00a0-\u024f\u0300-\u036f\u1e00-\u1eff]*$"),
				"properties/F2/format":     `"date"`,
				"properties/F3/pattern":    `"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"`,
				"properties/F4/format":     `"date-time"`,
				"properties/F5/type":       `"boolean"`,
				"properties/F6/type":       `"number"`,
				"properties/F7/type":       `"integer"`,
				"properties/F8/type":       `"number"`,
				"properties/F8/multipleOf": `0.01`,
			},
		},
		{
			name: "an unknown Datentyp becomes free text and is listed",
			xml:  export(field("F1", "1:1", "input", "blob", "")),
			want: map[string]string{"properties/F1/type": `"string"`},
			gaps: []string{fim.GapDatentyp},
		},
		{
			name: "Präzisierung of XDatenfelder 2 is read from its JSON text and the pattern anchored",
			xml: export(field("F1", "1:1", "input", "text", `<xdf:praezisierung>{"minLength":"5","maxLength":"300","pattern":"[0-9]+"}</xdf:praezisierung>`) +
				field("F2", "1:1", "input", "num", `<xdf:praezisierung>{"minValue":"0","maxValue":"99.5"}</xdf:praezisierung>`)),
			want: map[string]string{
				"properties/F1/minLength":   `5`,
				"properties/F1/maxLength":   `300`,
				"properties/F1/pattern":     `"^(?:[0-9]+)$"`,
				"properties/F1/x-ui/widget": `"textarea"`,
				"properties/F2/minimum":     `0`,
				"properties/F2/maximum":     `99.5`,
			},
		},
		{
			name: "Präzisierung that does not fit the type or is broken is listed, not applied",
			xml: export(field("F1", "1:1", "input", "date", `<xdf:praezisierung>{"minValue":"2020-01-01"}</xdf:praezisierung>`) +
				field("F2", "1:1", "input", "text", `<xdf:praezisierung>{"minLength":</xdf:praezisierung>`) +
				field("F3", "1:1", "input", "text", `<xdf:praezisierung>{"pattern":"[a-"}</xdf:praezisierung>`)),
			want: map[string]string{"properties/F1/minimum": `null`, "properties/F3/pattern": `null`},
			gaps: []string{fim.GapPraezisierung, fim.GapPraezisierung, fim.GapPraezisierung},
		},
		{
			name: "a select whose code list is given becomes an enum with labels",
			xml: export(field("F1", "1:1", "select", "text", `<xdf:codelisteReferenz><xdf:identifikation><xdf:id>C1</xdf:id></xdf:identifikation>
<xdf:genericodeIdentification><xdf:canonicalIdentification>urn:test:farbe</xdf:canonicalIdentification><xdf:version>1</xdf:version></xdf:genericodeIdentification></xdf:codelisteReferenz>`)),
			opts: &fim.Options{CodeLists: codes},
			want: map[string]string{
				"properties/F1/enum":            `["r","g"]`,
				"properties/F1/x-ui/enumLabels": `{"g":"Grün","r":"Rot"}`,
				"properties/F1/x-fim/codeList":  `"urn:test:farbe"`,
			},
		},
		{
			name: "a select whose code list is not given takes text and is listed",
			xml:  export(field("F1", "1:1", "select", "text", `<xdf:codelisteReferenz><xdf:genericodeIdentification><xdf:canonicalIdentification>urn:test:farbe</xdf:canonicalIdentification></xdf:genericodeIdentification></xdf:codelisteReferenz>`)),
			want: map[string]string{"properties/F1/enum": `null`, "properties/F1/x-fim/codeList": `"urn:test:farbe"`},
			gaps: []string{fim.GapCodeList},
		},
		{
			name: "inline values of XDatenfelder 3 become an enum and a Datenfeldgruppe message a form with the group",
			xml: exportV3(field("F1", "1:1", "select", "text", `<xdf:werte><xdf:wert><xdf:code>a</xdf:code><xdf:name>Erstens</xdf:name></xdf:wert><xdf:wert><xdf:code>b</xdf:code><xdf:name>Zweitens</xdf:name></xdf:wert></xdf:werte>`) +
				field("F2", "0:1", "input", "text", `<xdf:praezisierung minLength="2" maxLength="4" pattern="[A-Z]+"/>`)),
			want: map[string]string{
				"required":                                    `["G1"]`,
				"properties/G1/properties/F1/enum":            `["a","b"]`,
				"properties/G1/properties/F1/x-ui/enumLabels": `{"a":"Erstens","b":"Zweitens"}`,
				"properties/G1/properties/F2/minLength":       `2`,
				"properties/G1/properties/F2/maxLength":       `4`,
				"properties/G1/properties/F2/pattern":         `"^(?:[A-Z]+)$"`,
				"x-fim/xdatenfelder":                          `"3.0.0"`,
			},
		},
		{
			name: "a label field is a text of its group, not a property",
			xml:  export(group("G1", "1:1", field("F9", "1:1", "label", "text", `<xdf:inhalt>Bitte lesen Sie dies.</xdf:inhalt>`)+field("F1", "1:1", "input", "text", ""))),
			want: map[string]string{
				"properties/G1/properties/F9":      `null`,
				"properties/G1/description":        `"Bitte lesen Sie dies."`,
				"properties/G1/x-fim/texts/0/id":   `"F9"`,
				"properties/G1/x-fim/texts/0/text": `"Bitte lesen Sie dies."`,
				"properties/G1/required":           `["F1"]`,
			},
		},
		{
			name: "hidden and locked fields are read-only, never required, with their preset value, and listed",
			xml: export(field("F1", "1:1", "hidden", "text", `<xdf:inhalt>intern</xdf:inhalt>`) +
				field("F2", "1:1", "locked", "bool", `<xdf:inhalt>true</xdf:inhalt>`) + field("F3", "1:1", "input", "text", "")),
			want: map[string]string{
				"required":                    `["F3"]`,
				"properties/F1/readOnly":      `true`,
				"properties/F1/default":       `"intern"`,
				"properties/F2/readOnly":      `true`,
				"properties/F2/default":       `true`,
				"properties/F1/x-fim/feldart": `"hidden"`,
			},
			gaps: []string{fim.GapFeldart, fim.GapFeldart},
		},
		{
			name: "a preset value that does not fit the field is listed, not used",
			xml:  export(field("F1", "1:1", "input", "num_int", `<xdf:inhalt>zwölf</xdf:inhalt>`)),
			want: map[string]string{"properties/F1/default": `null`},
			gaps: []string{fim.GapInhalt},
		},
		{
			name: "a file field becomes an evidence requirement and no property",
			xml:  export(group("G1", "1:1", field("F1", "1:3", "input", "file", `<xdf:hilfetextEingabe>Ein Foto</xdf:hilfetextEingabe>`)+field("F2", "1:1", "input", "text", ""))),
			want: map[string]string{"properties/G1/properties/F1": `null`, "properties/G1/required": `["F2"]`},
			check: func(t *testing.T, res *fim.Result) {
				if len(res.Evidence) != 1 {
					t.Fatalf("evidence = %+v, want one", res.Evidence)
				}
				e := res.Evidence[0]
				r := e.Requirement
				if r.ID != "f1" || r.Title != "Feld F1" || r.Description != "Ein Foto" || !r.Required || r.MaxCount != 3 ||
					e.Pointer != "/G1/F1" || e.Field.ID != "F1" || r.MaxSize != fim.DefaultEvidenceMaxSize || len(r.MediaTypes) != 3 {
					t.Errorf("evidence = %+v", e)
				}
			},
		},
		{
			name: "a file field in an optional group is an optional requirement, and that is listed",
			xml:  export(group("G1", "0:1", field("F1", "1:1", "input", "file", "")+field("F2", "1:1", "input", "text", ""))),
			gaps: []string{fim.GapEvidence},
			check: func(t *testing.T, res *fim.Result) {
				if len(res.Evidence) != 1 || res.Evidence[0].Requirement.Required {
					t.Errorf("evidence = %+v, want one optional", res.Evidence)
				}
			},
		},
		{
			name: "MindestEineAngabe on a group becomes minProperties",
			xml:  export(group("G1", "1:1", rule("R60000037", "MindestEineAngabe", "Mindestens ein Feld ist zu befüllen.")+field("F1", "0:1", "input", "text", "")+field("F2", "0:1", "input", "text", ""))),
			want: map[string]string{"properties/G1/minProperties": `1`, "properties/G1/x-fim/rules/0/id": `"R60000037"`},
		},
		{
			name: "an only-if rule on a group becomes dependentSchemas on the yes/no field",
			xml: export(group("G1", "1:1", rule("R1", "Bedingung", `"F2 Name" und "F3 Name" sind nur dann zu befüllen, wenn "F1 Frage" bejaht wurde.`)+
				field("F1", "1:1", "input", "bool", "")+field("F2", "0:1", "input", "text", "")+field("F3", "0:1", "input", "text", ""))),
			want: map[string]string{
				"properties/G1/dependentSchemas/F2": `{"properties":{"F1":{"const":true}},"required":["F1"]}`,
				"properties/G1/dependentSchemas/F3": `{"properties":{"F1":{"const":true}},"required":["F1"]}`,
			},
		},
		{
			name: "an only-if rule naming a field outside the group is listed, not applied",
			xml: export(group("G1", "1:1", rule("R1", "Bedingung", `"F2 Name" ist nur dann zu befüllen, wenn "F7 Frage" bejaht wurde.`)+
				field("F2", "0:1", "input", "text", ""))),
			want: map[string]string{"properties/G1/dependentSchemas": `null`},
			gaps: []string{fim.GapRule},
		},
		{
			name: "a free-text rule is listed with its text",
			xml:  export(group("G1", "1:1", rule("R5", "Plausibel", "Das Enddatum liegt nach dem Anfangsdatum.")+field("F1", "1:1", "input", "date", ""))),
			gaps: []string{fim.GapRule},
			check: func(t *testing.T, res *fim.Result) {
				g := res.NotEnforced[0]
				if g.Element.ID != "R5" || g.Pointer != "/G1" || g.Text != "Das Enddatum liegt nach dem Anfangsdatum." || g.Line == 0 {
					t.Errorf("gap = %+v", g)
				}
			},
		},
		{
			name: "top-level groups become steps and runs of top-level fields one step each",
			xml:  export(field("F1", "1:1", "input", "text", "") + group("G1", "1:1", field("F2", "1:1", "input", "text", "")) + field("F3", "1:1", "input", "text", "") + field("F4", "1:1", "input", "text", "")),
			want: map[string]string{
				"x-ui/steps": `[{"id":"angaben","title":"Weitere Angaben","fields":["F1"]},{"id":"g1","title":"Gruppe G1","fields":["G1"]},{"id":"angaben-2","title":"Weitere Angaben","fields":["F3","F4"]}]`,
			},
		},
		{
			name: "the same element twice in a group gets a second property name",
			xml:  export(group("G1", "1:1", field("F1", "1:1", "input", "text", "")) + group("G1", "0:1", field("F1", "1:1", "input", "text", ""))),
			want: map[string]string{"properties/G1_2/x-fim/id": `"G1"`, "required": `["G1"]`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, doc := mustImport(t, tc.xml, tc.opts)
			for path, want := range tc.want {
				var w any
				if err := json.Unmarshal([]byte(want), &w); err != nil {
					t.Fatalf("want %s: %v", want, err)
				}
				if got := asJSON(at(doc, path)); got != asJSON(w) {
					t.Errorf("%s = %s, want %s", path, got, want)
				}
			}
			var kinds []string
			for _, g := range res.NotEnforced {
				kinds = append(kinds, g.Kind)
			}
			if strings.Join(kinds, ",") != strings.Join(tc.gaps, ",") {
				t.Errorf("not enforced = %+v, want kinds %v", res.NotEnforced, tc.gaps)
			}
			if tc.check != nil {
				tc.check(t, res)
			}
			if _, err := forms.Load("imported.schema.json", res.Schema); err != nil {
				t.Errorf("forms.Load: %v\n%s", err, res.Schema)
			}
		})
	}
}

func TestImportRefuses(t *testing.T) {
	tests := []struct {
		name    string
		xml     string
		opts    *fim.Options
		want    error
		line    int
		element string
	}{
		{"a cardinality that is not min:max", export("\n" + field("F1", "eins", "input", "text", "")), nil, fim.ErrInvalid, 9, "<xdf:anzahl>"},
		{"a cardinality whose maximum is below its minimum", export(field("F1", "3:2", "input", "text", "")), nil, fim.ErrInvalid, 8, "<xdf:anzahl>"},
		{"a struktur without anything in it", export(`<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt/></xdf:struktur>`), nil, fim.ErrInvalid, 8, "<xdf:struktur>"},
		{"a field without id", export(strings.Replace(field("F1", "1:1", "input", "text", ""), "<xdf:id>F1</xdf:id>", "", 1)), nil, fim.ErrInvalid, 8, "<xdf:datenfeld>"},
		{"XDatenfelder 1", `<xdf:xdatenfelder.stammdatenschema.0102001 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_1"/>`, nil, fim.ErrUnsupported, 1, "<xdf:xdatenfelder.stammdatenschema.0102001>"},
		{"a document of another namespace", `<schema xmlns="urn:other"/>`, nil, fim.ErrUnsupported, 1, "<schema>"},
		{"another XDatenfelder message", `<x:xdatenfelder.codeliste.0104 xmlns:x="` + fim.NamespaceV2 + `"/>`, nil, fim.ErrUnsupported, 1, "<xdf:xdatenfelder.codeliste.0104>"},
		{"a document that is not XML", "<a><b></a>", nil, fim.ErrNotXML, 1, ""},
		{"an empty document", "", nil, fim.ErrNotXML, 0, ""},
		{"a DTD", `<?xml version="1.0"?>` + "\n" + `<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>`, nil, fim.ErrNotXML, 2, ""},
		{"an export larger than the limit", export(field("F1", "1:1", "input", "text", "")), &fim.Options{MaxSize: 100}, fim.ErrTooLarge, 0, ""},
		{"elements nested deeper than the limit", export(field("F1", "1:1", "input", "text", "")), &fim.Options{MaxDepth: 5}, fim.ErrTooDeep, 9, "<xdf:identifikation>"},
		{"more elements than the limit", export(field("F1", "1:1", "input", "text", "")), &fim.Options{MaxElements: 10}, fim.ErrTooLarge, 8, ""},
		{"groups nested deeper than forms can show", export(strings.Repeat(group("G1", "1:1", "")[:len(group("G1", "1:1", ""))-len("</xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur>")], 14) + strings.Repeat("</xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur>", 14)), nil, fim.ErrTooDeep, 0, "<xdf:datenfeldgruppe>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fim.Import(strings.NewReader(tc.xml), tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var fe *fim.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err = %T, want *fim.Error", err)
			}
			if tc.line != 0 && fe.Line != tc.line {
				t.Errorf("line = %d, want %d (%v)", fe.Line, tc.line, err)
			}
			if tc.element != "" && fe.Element != tc.element {
				t.Errorf("element = %q, want %q (%v)", fe.Element, tc.element, err)
			}
		})
	}
}
