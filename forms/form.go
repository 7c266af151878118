package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Default limits for documents from outside; see Options.
const (
	// MaxDocumentSize is the default largest JSON document, in bytes, that a Form accepts.
	MaxDocumentSize = 1 << 20
	// MaxDepth is the default deepest nesting of objects and arrays in a document.
	MaxDepth = 32
	// MaxArrayItems is the default largest number of entries of one array in a document.
	MaxArrayItems = 1000
	// MaxSchemaSize is the largest schema document, in bytes, that Load compiles.
	MaxSchemaSize = 4 << 20
)

// Options tune a Form. The zero value and nil mean the defaults.
type Options struct {
	MaxDocumentSize int // default MaxDocumentSize
	MaxDepth        int // default MaxDepth
	MaxArrayItems   int // default MaxArrayItems
	// Now is the clock that "x-date" bounds are checked against (today is the date of Now() in
	// its location); default time.Now. Tests set a fixed day.
	Now func() time.Time
}

// Form is a compiled form: a JSON Schema plus its UI hints. It is safe for concurrent use.
type Form struct {
	name    string
	raw     json.RawMessage
	schema  *jsonschema.Schema
	index   map[string]*jsonschema.Schema // compiled subschemas by absolute location
	root    *Field
	steps   []Step
	maxSize int
	maxDep  int
	maxArr  int
	now     func() time.Time

	typed func() (*typedValidator, error) // built on first use by Decode
}

// Load compiles schema, a JSON Schema of draft 2020-12 (the default when the schema names no
// $schema), under name, which identifies it in errors (e.g. "wohngeld.schema.json"). The schema
// may refer only to itself ("$ref": "#/$defs/..."); see LoadFS for schemas in several files.
func Load(name string, schema []byte) (*Form, error) {
	return New(name, schema, nil)
}

// New is Load with options.
func New(name string, schema []byte, opts *Options) (*Form, error) {
	if name == "" {
		return nil, &SchemaError{Name: name, Err: errors.New("empty name")}
	}
	return compile(name, "file:///"+url.PathEscape(name), schema, opts, func(u string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("refers to %s: a schema loaded from bytes may refer only to itself", u)
	})
}

// LoadFile reads and compiles the schema in the file at path. References to other schema files
// are not followed; use LoadFS for that.
func LoadFile(path string, opts *Options) (*Form, error) {
	b, err := readLimited(os.Open(path))
	if err != nil {
		return nil, &SchemaError{Name: path, Err: err}
	}
	return New(path, b, opts)
}

var validFSName = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// LoadFS reads and compiles the schema at name in fsys, so that a service can embed its schema
// with //go:embed. Relative "$ref"s to other files are resolved within fsys, and only there.
func LoadFS(fsys fs.FS, name string, opts *Options) (*Form, error) {
	if !fs.ValidPath(name) || !validFSName.MatchString(name) {
		return nil, &SchemaError{Name: name, Err: errors.New("not a plain path (letters, digits, . _ - /)")}
	}
	b, err := readLimited(fsys.Open(name))
	if err != nil {
		return nil, &SchemaError{Name: name, Err: err}
	}
	return compile(name, "file:///"+name, b, opts, func(u string) (io.ReadCloser, error) {
		p, ok := strings.CutPrefix(u, "file:///")
		if !ok || !fs.ValidPath(p) || !validFSName.MatchString(p) {
			return nil, fmt.Errorf("refers to %s, which is not a file next to the schema", u)
		}
		b, err := readLimited(fsys.Open(path.Clean(p)))
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	})
}

func readLimited(f fs.File, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSchemaSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSchemaSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxSchemaSize)
	}
	return b, nil
}

func compile(name, u string, schema []byte, opts *Options, load func(string) (io.ReadCloser, error)) (*Form, error) {
	fail := func(err error, l *layout) (*Form, error) {
		var se *SchemaError
		if !errors.As(err, &se) {
			se = &SchemaError{Err: err}
		}
		se.Name = name
		l.locate(se)
		return nil, se
	}
	if len(schema) > MaxSchemaSize {
		return fail(fmt.Errorf("larger than %d bytes", MaxSchemaSize), nil)
	}
	if !json.Valid(schema) {
		var v any
		err := json.Unmarshal(schema, &v)
		se := &SchemaError{Err: fmt.Errorf("not valid JSON: %v", err)}
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			se.Line, se.Column = position(schema, syn.Offset-1)
		}
		return fail(se, nil)
	}
	l, err := scanLayout(schema)
	if err != nil {
		return fail(err, nil)
	}
	d := json.NewDecoder(bytes.NewReader(schema))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return fail(err, l)
	}
	if m, ok := doc.(map[string]any); ok {
		if s, ok := m["$schema"].(string); ok && strings.TrimSuffix(s, "#") != "https://json-schema.org/draft/2020-12/schema" {
			return fail(&SchemaError{Pointer: "/$schema", Err: fmt.Errorf("draft %q: forms needs JSON Schema draft 2020-12", s)}, l)
		}
	}

	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.LoadURL = load
	now := time.Now
	if opts != nil && opts.Now != nil {
		now = opts.Now
	}
	c.RegisterExtension("x-date", dateMeta, dateExtension{now: now})
	for n, check := range formats {
		c.Formats[n] = stringFormat(check)
	}
	if err := c.AddResource(u, bytes.NewReader(schema)); err != nil {
		return fail(err, l)
	}
	s, err := c.Compile(u)
	if err != nil {
		return fail(compileError(err), l)
	}

	b := &modelBuilder{doc: doc, layout: l}
	root, err := b.build(doc, "", "", "", 0)
	if err != nil {
		return fail(err, l)
	}
	f := &Form{
		name:    name,
		raw:     append(json.RawMessage(nil), schema...),
		schema:  s,
		index:   map[string]*jsonschema.Schema{},
		root:    root,
		maxSize: MaxDocumentSize,
		maxDep:  MaxDepth,
		maxArr:  MaxArrayItems,
		now:     now,
	}
	if opts != nil {
		if opts.MaxDocumentSize > 0 {
			f.maxSize = opts.MaxDocumentSize
		}
		if opts.MaxDepth > 0 {
			f.maxDep = opts.MaxDepth
		}
		if opts.MaxArrayItems > 0 {
			f.maxArr = opts.MaxArrayItems
		}
	}
	indexSchema(f.index, s)
	if err := f.resolveConditions(f.root); err != nil {
		return fail(err, l)
	}
	if err := f.setSteps(b.steps); err != nil {
		return fail(err, l)
	}
	f.typed = sync.OnceValues(func() (*typedValidator, error) { return newTypedValidator(f) })
	return f, nil
}

// resolveConditions finds the compiled "if" schema of every condition in the field tree.
func (f *Form) resolveConditions(fld *Field) error {
	base := f.schema.Location
	if i := strings.IndexByte(base, '#'); i >= 0 {
		base = base[:i]
	}
	var walk func(*Field) error
	walk = func(fld *Field) error {
		if fld == nil {
			return nil
		}
		for _, cs := range [][]condition{fld.when, fld.requiredWhen} {
			for i := range cs {
				if cs[i].ifPtr == "" {
					continue
				}
				s := f.index[base+"#"+cs[i].ifPtr]
				if s == nil {
					return &SchemaError{Pointer: cs[i].ifPtr, Err: errors.New("a condition forms cannot evaluate: \"if\" must be in the same schema document as the properties it governs")}
				}
				cs[i].ifSchema = s
			}
		}
		for _, c := range fld.Fields {
			if err := walk(c); err != nil {
				return err
			}
		}
		return walk(fld.Items)
	}
	return walk(fld)
}

// compileError turns the jsonschema library's compile error into a SchemaError with the pointer
// of the offending part of the schema.
func compileError(err error) error {
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		leaf := ve
		for len(leaf.Causes) > 0 {
			leaf = leaf.Causes[0]
		}
		return &SchemaError{Pointer: leaf.InstanceLocation, Err: fmt.Errorf("%s (schema keyword %s)", leaf.Message, leaf.KeywordLocation)}
	}
	msg := err.Error()
	ptr := ""
	if i := strings.Index(msg, "#/"); i >= 0 {
		ptr = msg[i+1:]
		if j := strings.IndexAny(ptr, " '\"),"); j >= 0 {
			ptr = ptr[:j]
		}
	}
	return &SchemaError{Pointer: ptr, Err: err}
}

// indexSchema records every subschema reachable from s by its location.
func indexSchema(idx map[string]*jsonschema.Schema, s *jsonschema.Schema) {
	if s == nil || idx[s.Location] != nil {
		return
	}
	idx[s.Location] = s
	for _, sub := range []*jsonschema.Schema{s.Ref, s.RecursiveRef, s.DynamicRef, s.Not, s.If, s.Then, s.Else,
		s.PropertyNames, s.UnevaluatedProperties, s.Items2020, s.Contains, s.UnevaluatedItems, s.ContentSchema} {
		indexSchema(idx, sub)
	}
	for _, list := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf, s.PrefixItems} {
		for _, sub := range list {
			indexSchema(idx, sub)
		}
	}
	for _, sub := range s.Properties {
		indexSchema(idx, sub)
	}
	for _, sub := range s.PatternProperties {
		indexSchema(idx, sub)
	}
	for _, sub := range s.DependentSchemas {
		indexSchema(idx, sub)
	}
	for _, d := range s.Dependencies {
		if sub, ok := d.(*jsonschema.Schema); ok {
			indexSchema(idx, sub)
		}
	}
	for _, x := range []any{s.AdditionalProperties, s.AdditionalItems, s.Items} {
		switch x := x.(type) {
		case *jsonschema.Schema:
			indexSchema(idx, x)
		case []*jsonschema.Schema:
			for _, sub := range x {
				indexSchema(idx, sub)
			}
		}
	}
}

// Name returns the name the form was loaded under.
func (f *Form) Name() string { return f.name }

// Schema returns the schema's JSON as loaded. The caller must not modify it.
func (f *Form) Schema() json.RawMessage { return f.raw }

// Root returns the description of the whole document: an object field whose Fields are the
// form's top-level fields in order.
func (f *Form) Root() *Field { return f.root }

// Field returns the description of the field at pointer, a JSON pointer into a document (array
// indices as numbers or "*"), or nil if the form has no such field.
func (f *Form) Field(pointer string) *Field { return f.root.fieldAt(pointer) }
