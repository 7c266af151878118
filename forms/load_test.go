package forms

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadRefusesBadSchemasWithThePosition(t *testing.T) {
	tests := []struct {
		name      string
		schema    string
		pointer   string
		line, col int
		mention   string
	}{
		{"broken JSON names line and column", "{\n  \"type\": \"object\",\n  \"properties\": {\"a\": }\n}", "", 3, 23, "not valid JSON"},
		{"a wrong keyword value names its pointer", "{\n  \"properties\": {\n    \"age\": {\"minimum\": \"zero\"}\n  }\n}", "/properties/age/minimum", 3, 24, "number"},
		{"an unknown type is refused", `{"type": "fancy"}`, "/type", 1, 10, ""},
		{"a bad regular expression is refused", `{"properties": {"a": {"pattern": "("}}}`, "/properties/a/pattern", 0, 0, ""},
		{"another draft is refused", `{"$schema": "http://json-schema.org/draft-07/schema#"}`, "/$schema", 1, 13, "2020-12"},
		{"a reference to a local file is refused", `{"$ref": "file:///etc/passwd"}`, "", 0, 0, "may refer only to itself"},
		{"a reference to the web is refused", `{"$ref": "https://example.com/s.json"}`, "", 0, 0, "may refer only to itself"},
		{"an unknown hint is refused", `{"properties": {"a": {"type": "string", "x-ui": {"lable": "A"}}}}`, "/properties/a/x-ui", 1, 49, "lable"},
		{"an unknown widget is refused", `{"properties": {"a": {"type": "string", "x-ui": {"widget": "slider"}}}}`, "/properties/a/x-ui/widget", 0, 0, "slider"},
		{"a widget that does not fit is refused", `{"properties": {"a": {"type": "string", "x-ui": {"widget": "checkbox"}}}}`, "/properties/a/x-ui/widget", 0, 0, "does not fit"},
		{"an error message for an unknown key is refused", `{"properties": {"a": {"type": "string", "x-ui": {"errors": {"requird": "x"}}}}}`, "/properties/a/x-ui/errors/requird", 0, 0, "requird"},
		{"a label for a value the field lacks is refused", `{"properties": {"a": {"enum": ["x"], "x-ui": {"enumLabels": {"y": "Y"}}}}}`, "/properties/a/x-ui/enumLabels/y", 0, 0, "not one of"},
		{"an order naming no property is refused", `{"properties": {"a": {}}, "x-ui": {"order": ["b"]}}`, "/x-ui/order/0", 0, 0, "not a property"},
		{"a step naming no property is refused", `{"properties": {"a": {}}, "x-ui": {"steps": [{"id": "s", "fields": ["b"]}]}}`, "/x-ui/steps/0/fields/0", 0, 0, "not a top-level"},
		{"a property in no step is refused", `{"properties": {"a": {}, "b": {}}, "x-ui": {"steps": [{"id": "s", "fields": ["a"]}]}}`, "/x-ui/steps", 0, 0, `"b" is in no step`},
		{"a property in two steps is refused", `{"properties": {"a": {}}, "x-ui": {"steps": [{"id": "s", "fields": ["a"]}, {"id": "t", "fields": ["a"]}]}}`, "/x-ui/steps/1/fields/0", 0, 0, "steps"},
		{"a step id with spaces is refused", `{"properties": {"a": {}}, "x-ui": {"steps": [{"id": "a b", "fields": ["a"]}]}}`, "/x-ui/steps/0/id", 0, 0, "step id"},
		{"steps below the root are refused", `{"properties": {"a": {"type": "object", "x-ui": {"steps": []}}}}`, "/properties/a/x-ui/steps", 0, 0, "root"},
		{"trailing data is refused", `{} {}`, "", 1, 4, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("s.json", []byte(tt.schema))
			var se *SchemaError
			if !errors.As(err, &se) || !errors.Is(err, ErrSchema) {
				t.Fatalf("Load = %v, want a *SchemaError", err)
			}
			if se.Pointer != tt.pointer {
				t.Errorf("pointer = %q, want %q (%v)", se.Pointer, tt.pointer, err)
			}
			if tt.line > 0 && (se.Line != tt.line || se.Column != tt.col) {
				t.Errorf("position = %d:%d, want %d:%d (%v)", se.Line, se.Column, tt.line, tt.col, err)
			}
			if !strings.Contains(err.Error(), tt.mention) || !strings.Contains(err.Error(), "s.json") {
				t.Errorf("error %q does not mention %q and the name", err, tt.mention)
			}
		})
	}
}

func TestLoadFSResolvesReferencesWithinTheFS(t *testing.T) {
	fsys := fstest.MapFS{
		"schemas/antrag.json":   {Data: []byte(`{"type":"object","properties":{"adresse":{"$ref":"common.json#/$defs/adresse"}}}`)},
		"schemas/common.json":   {Data: []byte(`{"$defs":{"adresse":{"type":"object","required":["plz"],"properties":{"plz":{"type":"string","format":"plz"}}}}}`)},
		"schemas/escape.json":   {Data: []byte(`{"$ref":"../../etc/passwd"}`)},
		"schemas/absolute.json": {Data: []byte(`{"$ref":"file:///etc/passwd"}`)},
	}
	f, err := LoadFS(fsys, "schemas/antrag.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := fieldErrors(t, f.Validate([]byte(`{"adresse":{"plz":"123"}}`)))
	if len(got) != 1 || got[0].Pointer != "/adresse/plz" || got[0].Keyword != "format" {
		t.Fatalf("errors = %+v", got)
	}
	for _, name := range []string{"schemas/escape.json", "schemas/absolute.json", "../x.json", "schemas/missing.json"} {
		if _, err := LoadFS(fsys, name, nil); !errors.Is(err, ErrSchema) {
			t.Errorf("LoadFS(%s) = %v, want ErrSchema", name, err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	f, err := LoadFile(filepath.Join("testdata", "antrag.schema.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(readFile(t, "testdata/antrag.valid.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.json"), nil); !errors.Is(err, ErrSchema) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile(missing) = %v", err)
	}
}

func TestLoadBuildsTheFieldModel(t *testing.T) {
	f := antrag(t)
	var names []string
	for _, c := range f.Root().Fields {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "antragsteller,anschrift,haushalt,einkommen,bank,verwaltung,bemerkungen,erklaerung" {
		t.Errorf("top-level order = %s", got)
	}
	tests := []struct {
		pointer, typ, widget, label string
		required                    bool
	}{
		{"/antragsteller/anrede", "string", WidgetRadio, "Anrede", false},
		{"/antragsteller/staatsangehoerigkeit", "string", WidgetSelect, "Staatsangehörigkeit", false},
		{"/antragsteller/geburtsdatum", "string", WidgetDate, "Geburtsdatum", true},
		{"/haushalt", "array", WidgetRepeat, "Haushaltsmitglieder", true},
		{"/haushalt/3/verwandtschaft", "string", WidgetRadio, "Verwandtschaftsverhältnis", true},
		{"/haushalt/*/schwerbehindert", "boolean", WidgetRadio, "Schwerbehindert", false},
		{"/einkommen/weitereEinkuenfte", "array", WidgetCheckboxes, "Weitere Einkünfte", false},
		{"/einkommen/wohnform", "string", WidgetRadio, "Wohnform", false},
		{"/bemerkungen", "string", WidgetTextarea, "Bemerkungen", false},
		{"/erklaerung/richtigkeit", "boolean", WidgetCheckbox, "Ich versichere, dass meine Angaben richtig und vollständig sind.", true},
		{"/anschrift", "object", WidgetGroup, "Anschrift", true},
	}
	count := 0
	var walk func(*Field)
	walk = func(fl *Field) {
		count++
		for _, c := range fl.Fields {
			walk(c)
		}
		if fl.Items != nil {
			walk(fl.Items)
		}
	}
	walk(f.Root())
	if count < 40 {
		t.Errorf("the test form has %d fields, want at least 40", count)
	}
	for _, tt := range tests {
		fl := f.Field(tt.pointer)
		if fl == nil {
			t.Errorf("Field(%s) = nil", tt.pointer)
			continue
		}
		if fl.Type != tt.typ || fl.Widget != tt.widget || fl.Label.DE != tt.label || fl.Required != tt.required {
			t.Errorf("Field(%s) = type %s widget %s label %q required %v", tt.pointer, fl.Type, fl.Widget, fl.Label.DE, fl.Required)
		}
	}
	if wf := f.Field("/einkommen/wohnform"); len(wf.Enum) != 3 || wf.EnumLabels[1].DE != "Eigentum" {
		t.Errorf("oneOf of consts: enum %v labels %v", wf.Enum, wf.EnumLabels)
	}
	if f.Field("/nope") != nil || f.Field("/antragsteller/vorname/x") != nil {
		t.Error("Field returns a field for a pointer the form does not have")
	}
}
