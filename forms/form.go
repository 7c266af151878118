package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// MaxDocumentSize is the largest JSON document, in bytes, that a Form validates.
const MaxDocumentSize = 1 << 20

// Errors returned by this package, for use with errors.Is.
var (
	// ErrSchema: the schema does not compile.
	ErrSchema = errors.New("forms: invalid schema")
	// ErrDocument: the document is not JSON, too large, or does not match the schema.
	ErrDocument = errors.New("forms: invalid document")
)

// Form is a compiled form schema. It is safe for concurrent use.
type Form struct {
	name   string
	raw    json.RawMessage
	schema *jsonschema.Schema
}

// Load compiles schema, a JSON Schema of draft 2020-12 (the default when the schema names no
// $schema), under name, which identifies it in errors (e.g. "wohngeld.schema.json").
func Load(name string, schema []byte) (*Form, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: empty name", ErrSchema)
	}
	if !json.Valid(schema) {
		return nil, fmt.Errorf("%w: %s is not valid JSON", ErrSchema, name)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	url := "file:///" + name
	if err := c.AddResource(url, bytes.NewReader(schema)); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSchema, name, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSchema, name, err)
	}
	return &Form{name: name, raw: append(json.RawMessage(nil), schema...), schema: s}, nil
}

// Name returns the name the form was loaded under.
func (f *Form) Name() string { return f.name }

// Schema returns the schema's JSON as loaded. The caller must not modify it.
func (f *Form) Schema() json.RawMessage { return f.raw }

// Validate checks doc, a JSON document, against the form's schema.
func (f *Form) Validate(doc []byte) error {
	if len(doc) > MaxDocumentSize {
		return fmt.Errorf("%w: %d bytes, more than the %d allowed", ErrDocument, len(doc), MaxDocumentSize)
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return fmt.Errorf("%w: not JSON: %v", ErrDocument, err)
	}
	if d.More() {
		return fmt.Errorf("%w: trailing data after the JSON value", ErrDocument)
	}
	if err := f.schema.Validate(v); err != nil {
		return fmt.Errorf("%w: %v", ErrDocument, err)
	}
	return nil
}
