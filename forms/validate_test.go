package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type want struct {
	pointer, keyword string
	de               string // exact German message, or "" to skip
}

func checkErrors(t *testing.T, got []FieldError, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		var b strings.Builder
		for _, g := range got {
			fmt.Fprintf(&b, "\n  %s %s %q", g.Pointer, g.Keyword, g.Message)
		}
		t.Fatalf("got %d errors, want %d:%s", len(got), len(wants), b.String())
	}
	for i, w := range wants {
		g := got[i]
		if g.Pointer != w.pointer || g.Keyword != w.keyword {
			t.Errorf("error %d = %s %s, want %s %s", i, g.Pointer, g.Keyword, w.pointer, w.keyword)
		}
		if w.de != "" && g.Message != w.de {
			t.Errorf("error %d German = %q, want %q", i, g.Message, w.de)
		}
	}
}

// patch returns the valid document with the JSON values at the given pointers replaced
// (nil deletes).
func patch(t *testing.T, changes map[string]any) []byte {
	t.Helper()
	var doc any
	if err := json.Unmarshal(readFile(t, "testdata/antrag.valid.json"), &doc); err != nil {
		t.Fatal(err)
	}
	for ptr, v := range changes {
		toks := splitPointer(ptr)
		parent := valueAt(doc, "/"+strings.Join(toks[:len(toks)-1], "/"))
		if len(toks) == 1 {
			parent = doc
		}
		last := toks[len(toks)-1]
		switch p := parent.(type) {
		case map[string]any:
			if v == nil {
				delete(p, last)
			} else {
				p[last] = v
			}
		case []any:
			var i int
			fmt.Sscan(last, &i)
			p[i] = v
		default:
			t.Fatalf("no parent for %s", ptr)
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidateTheCompleteApplication(t *testing.T) {
	f := antrag(t)
	if err := f.Validate(readFile(t, "testdata/antrag.valid.json")); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if err := f.ValidateDraft(readFile(t, "testdata/antrag.valid.json")); err != nil {
		t.Fatalf("ValidateDraft: %v", err)
	}
}

func TestValidateReportsEachProblemWithACitizenMessage(t *testing.T) {
	f := antrag(t)
	tests := []struct {
		name    string
		changes map[string]any
		want    []want
	}{
		{"a missing birth date gets the field's own message",
			map[string]any{"/antragsteller/geburtsdatum": nil},
			[]want{{"/antragsteller/geburtsdatum", "required", "Bitte geben Sie Ihr Geburtsdatum an."}}},
		{"a missing given name names the field",
			map[string]any{"/antragsteller/vorname": nil},
			[]want{{"/antragsteller/vorname", "required", "Bitte füllen Sie das Feld „Vorname“ aus."}}},
		{"an empty given name is treated like a missing one",
			map[string]any{"/antragsteller/vorname": ""},
			[]want{{"/antragsteller/vorname", "minLength", "Bitte füllen Sie das Feld „Vorname“ aus."}}},
		{"an impossible date is refused",
			map[string]any{"/antragsteller/geburtsdatum": "1964-02-30"},
			[]want{{"/antragsteller/geburtsdatum", "format", "Bitte geben Sie bei „Geburtsdatum“ ein gültiges Datum an, zum Beispiel 27.03.1980."}}},
		{"an IBAN with a wrong check sum is refused",
			map[string]any{"/bank/iban": "DE02 1203 0000 0000 2020 52"},
			[]want{{"/bank/iban", "format", "Bitte geben Sie bei „IBAN“ eine gültige IBAN an, zum Beispiel DE02 1203 0000 0000 2020 51."}}},
		{"a Steuer-ID with a wrong check digit is refused",
			map[string]any{"/antragsteller/steuerId": "86095742718"},
			[]want{{"/antragsteller/steuerId", "format", ""}}},
		{"a four digit postcode is refused",
			map[string]any{"/anschrift/plz": "1234"},
			[]want{{"/anschrift/plz", "format", "Bitte geben Sie bei „Postleitzahl“ eine gültige Postleitzahl mit 5 Ziffern an."}}},
		{"an ARS of Land 17 is refused",
			map[string]any{"/anschrift/ars": "173150000000"},
			[]want{{"/anschrift/ars", "format", ""}}},
		{"a Leistungsschlüssel without 99 is refused",
			map[string]any{"/verwaltung/leistungsschluessel": "12107023037000"},
			[]want{{"/verwaltung/leistungsschluessel", "format", ""}}},
		{"a phone number with letters is refused",
			map[string]any{"/antragsteller/telefon": "030 CALL ME"},
			[]want{{"/antragsteller/telefon", "format", ""}}},
		{"an email address without domain is refused",
			map[string]any{"/antragsteller/email": "erika@"},
			[]want{{"/antragsteller/email", "format", ""}}},
		{"a member's problem names the member",
			map[string]any{"/haushalt/1/vorname": nil},
			[]want{{"/haushalt/1/vorname", "required", "Bitte füllen Sie das Feld „Vorname (Haushaltsmitglied 2)“ aus."}}},
		{"an empty household is refused",
			map[string]any{"/haushalt": []any{}},
			[]want{{"/haushalt", "minItems", "Bitte machen Sie bei „Haushaltsmitglieder“ mindestens einen Eintrag."}}},
		{"a fractional room count is refused",
			map[string]any{"/einkommen/zimmer": 2.5},
			[]want{{"/einkommen/zimmer", "type", "Bitte geben Sie bei „Anzahl der Zimmer“ eine ganze Zahl an."}}},
		{"a negative income names the limit",
			map[string]any{"/einkommen/bruttoMonat": -1},
			[]want{{"/einkommen/bruttoMonat", "minimum", "Bitte geben Sie bei „Bruttoeinkommen im Monat in Euro“ mindestens 0 an."}}},
		{"a rent of zero is refused",
			map[string]any{"/einkommen/miete": 0},
			[]want{{"/einkommen/miete", "exclusiveMinimum", "Bitte geben Sie bei „Monatliche Miete in Euro“ eine Zahl größer als 0 an."}}},
		{"a rent with fractions of a cent is refused with a decimal comma",
			map[string]any{"/einkommen/miete": 980.555},
			[]want{{"/einkommen/miete", "multipleOf", "Bitte geben Sie bei „Monatliche Miete in Euro“ ein Vielfaches von 0,01 an."}}},
		{"too much living space is refused",
			map[string]any{"/einkommen/wohnflaeche": 5000},
			[]want{{"/einkommen/wohnflaeche", "maximum", "Bitte geben Sie bei „Wohnfläche in m²“ höchstens 1000 an."}}},
		{"an employee must state the income",
			map[string]any{"/einkommen/bruttoMonat": nil},
			[]want{{"/einkommen/bruttoMonat", "required", ""}}},
		{"an unknown housing type is an enum error",
			map[string]any{"/einkommen/wohnform": "zelt"},
			[]want{{"/einkommen/wohnform", "enum", "Bitte wählen Sie bei „Wohnform“ eine der angebotenen Möglichkeiten aus."}}},
		{"an unknown relationship is an enum error",
			map[string]any{"/haushalt/2/verwandtschaft": "nachbar"},
			[]want{{"/haushalt/2/verwandtschaft", "enum", ""}}},
		{"the same other income twice is refused",
			map[string]any{"/einkommen/weitereEinkuenfte": []any{"rente", "rente"}},
			[]want{{"/einkommen/weitereEinkuenfte", "uniqueItems", ""}}},
		{"a BIC without holder needs the holder",
			map[string]any{"/bank/kontoinhaber": nil},
			[]want{{"/bank/kontoinhaber", "dependentRequired", "Bitte füllen Sie auch das Feld „Kontoinhaber“ aus, wenn Sie „BIC“ angeben."}}},
		{"a malformed BIC gets the field's own message",
			map[string]any{"/bank/bic": "COBA"},
			[]want{{"/bank/bic", "pattern", "Eine BIC hat 8 oder 11 Zeichen, zum Beispiel COBADEFFXXX."}}},
		{"an unconfirmed declaration asks for confirmation",
			map[string]any{"/erklaerung/richtigkeit": false},
			[]want{{"/erklaerung/richtigkeit", "const", "Bitte bestätigen Sie „Ich versichere, dass meine Angaben richtig und vollständig sind“."}}},
		{"an unknown field is named",
			map[string]any{"/antragsteller/spitzname": "Eri"},
			[]want{{"/antragsteller/spitzname", "additionalProperties", "Das Feld „spitzname“ ist in diesem Formular nicht vorgesehen."}}},
		{"a too long remark names the limit",
			map[string]any{"/bemerkungen": strings.Repeat("x", 2001)},
			[]want{{"/bemerkungen", "maxLength", "Bitte geben Sie bei „Bemerkungen“ höchstens 2000 Zeichen ein."}}},
		{"a number where text belongs is a type error",
			map[string]any{"/anschrift/ort": 5},
			[]want{{"/anschrift/ort", "type", "Bitte geben Sie bei „Ort“ einen Text ein."}}},
		{"several problems come in form order",
			map[string]any{"/bank/iban": "x", "/antragsteller/nachname": nil, "/haushalt/0/einkommen": -5, "/anschrift/plz": "00000"},
			[]want{{"/antragsteller/nachname", "required", ""}, {"/anschrift/plz", "format", ""},
				{"/haushalt/0/einkommen", "minimum", ""}, {"/bank/iban", "format", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrors(t, fieldErrors(t, f.Validate(patch(t, tt.changes))), tt.want)
		})
	}
}

func TestValidateDraftChecksOnlyWhatIsThere(t *testing.T) {
	f := antrag(t)
	tests := []struct {
		name string
		doc  string
		want []want
	}{
		{"an empty draft is fine", `{}`, nil},
		{"a draft with only a name is fine", `{"antragsteller":{"vorname":"Erika"}}`, nil},
		{"an empty household list is fine in a draft", `{"haushalt":[]}`, nil},
		{"a member with only a name is fine in a draft", `{"haushalt":[{"vorname":"Max"}]}`, nil},
		{"an employee without income is fine in a draft", `{"einkommen":{"arbeitnehmer":true}}`, nil},
		{"a BIC without holder is fine in a draft", `{"bank":{"bic":"COBADEFFXXX"}}`, nil},
		{"a bad IBAN is wrong in a draft too", `{"bank":{"iban":"DE00"}}`, []want{{"/bank/iban", "format", ""}}},
		{"an empty given name is wrong in a draft too", `{"antragsteller":{"vorname":""}}`, []want{{"/antragsteller/vorname", "minLength", ""}}},
		{"an unknown field is wrong in a draft too", `{"x":1}`, []want{{"/x", "additionalProperties", ""}}},
		{"a wrong type is wrong in a draft too", `{"haushalt":{}}`, []want{{"/haushalt", "type", ""}}},
		{"an unknown housing type is wrong in a draft too", `{"einkommen":{"wohnform":"zelt"}}`, []want{{"/einkommen/wohnform", "enum", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrors(t, fieldErrors(t, f.ValidateDraft([]byte(tt.doc))), tt.want)
		})
	}
}

func TestValidateBoundsTheDocument(t *testing.T) {
	f, err := New("antrag", readFile(t, "testdata/antrag.schema.json"), &Options{MaxDocumentSize: 4096, MaxDepth: 4, MaxArrayItems: 3})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  string
		want want
	}{
		{"a document over the size limit is refused unread", `{"bemerkungen":"` + strings.Repeat("x", 5000) + `"}`, want{"", "documentSize", "Die Angaben sind zu umfangreich. Möglich sind höchstens 4096 Bytes."}},
		{"a document nested too deep is refused", `{"antragsteller":{"x":{"y":{"z":[1]}}}}`, want{"/antragsteller/x/y/z", "depth", ""}},
		{"a list over the item limit is refused", `{"haushalt":[{},{},{},{}]}`, want{"/haushalt", "arrayLength", "Bei „Haushaltsmitglieder“ sind höchstens 3 Einträge möglich."}},
		{"broken JSON is refused", `{"antragsteller":`, want{"", "json", ""}},
		{"trailing data is refused", `{} {}`, want{"", "json", ""}},
		{"a trailing brace is refused", `{}}`, want{"", "json", ""}},
		{"trailing garbage is refused", `{} x`, want{"", "json", ""}},
		{"an empty body is refused", ``, want{"", "json", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrors(t, fieldErrors(t, f.ValidateDraft([]byte(tt.doc))), []want{tt.want})
		})
	}
}

// TestEveryLibraryKeywordHasAMessage drives every keyword the jsonschema library reports and
// checks that none falls back to the generic message.
func TestEveryLibraryKeywordHasAMessage(t *testing.T) {
	schema := `{
	  "type": "object",
	  "properties": {
	    "minProps": {"type": "object", "minProperties": 2},
	    "maxProps": {"type": "object", "maxProperties": 1},
	    "names": {"type": "object", "propertyNames": {"maxLength": 3}},
	    "nothing": false,
	    "notX": {"not": {"const": "x"}},
	    "anyNum": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
	    "oneNum": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
	    "contains": {"type": "array", "contains": {"const": 1}},
	    "maxContains": {"type": "array", "contains": {"const": 1}, "maxContains": 1},
	    "tuple": {"type": "array", "prefixItems": [{"type": "string"}], "items": false},
	    "evaluated": {"type": "object", "properties": {"a": {}}, "unevaluatedProperties": false},
	    "nullOnly": {"type": "null"},
	    "boolOnly": {"type": "boolean"},
	    "objOnly": {"type": "object"},
	    "arrOnly": {"type": "array"},
	    "numOnly": {"type": "number"},
	    "strOrNum": {"type": ["string", "number"]},
	    "constA": {"const": "a"},
	    "b64": {"type": "string", "contentEncoding": "base64"},
	    "jsonText": {"type": "string", "contentMediaType": "application/json"},
	    "short": {"type": "string", "minLength": 3},
	    "maxArr": {"type": "array", "maxItems": 1},
	    "minArr": {"type": "array", "minItems": 2},
	    "uri": {"type": "string", "format": "uri"},
	    "dt": {"type": "string", "format": "date-time"},
	    "time": {"type": "string", "format": "time"},
	    "ipv4": {"type": "string", "format": "ipv4"},
	    "max": {"type": "number", "exclusiveMaximum": 1},
	    "dep": {"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}}
	  }
	}`
	f, err := Load("keywords.json", []byte(schema))
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"minProps":{"a":1},"maxProps":{"a":1,"b":2},"names":{"long":1},"nothing":1,"notX":"x",
	  "anyNum":"s","oneNum":1,"contains":[2],"maxContains":[1,1],"tuple":["a","b"],"evaluated":{"a":1,"b":2},
	  "nullOnly":1,"boolOnly":1,"objOnly":1,"arrOnly":1,"numOnly":"1","strOrNum":true,"constA":"b",
	  "b64":"***","jsonText":"{","short":"ab","maxArr":[1,2],"minArr":[1],"uri":"no uri","dt":"yesterday",
	  "time":"25:00","ipv4":"1.2.3","max":1,"dep":{"a":1}}`
	got := fieldErrors(t, f.Validate([]byte(doc)))
	keywords := map[string]bool{}
	for _, fe := range got {
		keywords[fe.Keyword] = true
	}
	for _, kw := range []string{"minProperties", "maxProperties", "maxLength", "false", "not", "anyOf", "oneOf",
		"contains", "type", "const", "minLength", "maxItems", "minItems", "format", "exclusiveMaximum", "required"} {
		if !keywords[kw] {
			t.Errorf("no entry with keyword %q; got %v", kw, keywords)
		}
	}
	// contentEncoding and contentMediaType are annotations only in draft 2020-12: two fewer.
	if len(got) != 27 {
		t.Errorf("got %d entries, want one per bad property (27)", len(got))
	}
}

func TestValidationErrorShapes(t *testing.T) {
	f := antrag(t)
	err := f.Validate(patch(t, map[string]any{"/bank/iban": "x", "/antragsteller/vorname": nil}))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	if got := ve.Field("/bank/iban"); len(got) != 1 || got[0].Text("en") == got[0].Text("de") {
		t.Errorf("Field(/bank/iban) = %v", got)
	}
	p := ve.Problem()
	if len(p) != 2 || p[0].Pointer != "/antragsteller/vorname" || p[0].Code != "required" || p[0].MessageEN == "" {
		t.Errorf("Problem() = %+v", p)
	}
	if !strings.Contains(err.Error(), "/bank/iban") {
		t.Errorf("Error() = %q does not name the field", err.Error())
	}
}
