package forms

import (
	"errors"
	"testing"
)

const personSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["name"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "age": {"type": "integer", "minimum": 0}
  }
}`

func TestLoadRefusesBrokenSchemas(t *testing.T) {
	for name, schema := range map[string]string{
		"not JSON":          `{"type":`,
		"unknown type":      `{"type": "fancy"}`,
		"bad minimum value": `{"minimum": "zero"}`,
	} {
		if _, err := Load("s.json", []byte(schema)); !errors.Is(err, ErrSchema) {
			t.Errorf("%s: Load = %v, want ErrSchema", name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	f, err := Load("person.json", []byte(personSchema))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  string
		ok   bool
	}{
		{"a complete person is valid", `{"name":"Erika","age":40}`, true},
		{"a missing name is refused", `{"age":40}`, false},
		{"a negative age is refused", `{"name":"Erika","age":-1}`, false},
		{"a fractional age is refused", `{"name":"Erika","age":1.5}`, false},
		{"trailing data is refused", `{"name":"Erika"} {}`, false},
		{"broken JSON is refused", `{"name":`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.Validate([]byte(tt.doc))
			if tt.ok && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrDocument) {
				t.Fatalf("Validate = %v, want ErrDocument", err)
			}
		})
	}
}
