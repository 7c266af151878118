package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Text is a text for citizens in German and English. In UI hints it is written either as a
// string (German only) or as {"de": "...", "en": "..."}.
type Text struct {
	DE string `json:"de,omitempty"`
	EN string `json:"en,omitempty"`
}

// In returns the text in lang ("en" gives English when there is one; anything else German).
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	if t.DE == "" {
		return t.EN
	}
	return t.DE
}

// UnmarshalJSON accepts a string or an object with "de" and "en".
func (t *Text) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &t.DE)
	}
	type plain Text
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var p plain
	if err := d.Decode(&p); err != nil {
		return fmt.Errorf("a text is a string or {\"de\": ..., \"en\": ...}: %w", err)
	}
	*t = Text(p)
	return nil
}

// Widgets a field can ask for in its hints ("widget"). Without one, the widget follows from the
// schema: radios for up to five choices and for booleans, a select for more, checkboxes for an
// array of choices, a date input for format "date", a text input otherwise.
const (
	WidgetText       = "text"
	WidgetTextarea   = "textarea"
	WidgetRadio      = "radio"
	WidgetSelect     = "select"
	WidgetCheckbox   = "checkbox"   // a single checkbox for a boolean, e.g. a declaration of consent
	WidgetCheckboxes = "checkboxes" // an array of choices
	WidgetDate       = "date"
	WidgetGroup      = "group"  // an object: a fieldset
	WidgetRepeat     = "repeat" // an array of objects or values: repeatable groups
)

// maxRadioChoices is the number of choices up to which a single choice renders as radios.
const maxRadioChoices = 5

// Field describes one field of a form, from the schema and its UI hints. It is read-only.
type Field struct {
	// Name is the property name; "" for the root and for array items.
	Name string
	// Pointer is the JSON pointer of the field with "*" for array indices, e.g. "/haushalt/*/name".
	Pointer string
	// Type is the JSON type: "object", "array", "string", "integer", "number", "boolean", or ""
	// when the schema does not say a single one.
	Type     string
	Format   string
	Required bool  // required by its parent object's own "required" (branches: see Form.Applies)
	Enum     []any // allowed values, from "enum", "const" or a "oneOf" of consts
	// EnumLabels are the labels of Enum, index by index.
	EnumLabels   []Text
	Label        Text
	Help         Text
	Widget       string
	Autocomplete string // HTML autocomplete token, e.g. "given-name"
	Fact         string // name of the citizen fact that prefills it (see FactSource)
	ItemLabel    Text   // for arrays: what one entry is called, e.g. "Haushaltsmitglied"
	Messages     map[string]Text
	Fields       []*Field // for objects: the properties in form order
	Items        *Field   // for arrays: the item
	MinItems     int      // -1 if none
	MaxItems     int      // -1 if none
	MinLength    int      // -1 if none
	MaxLength    int      // -1 if none
	Minimum      string   // JSON number text, "" if none
	Maximum      string   // JSON number text, "" if none
	Step         string   // for fields of the root object: the step (page) it is asked on
	// Conditional is true for a property declared only in a conditional branch of its object's
	// schema ("then", "else", "dependentSchemas"): it is asked only when such a branch applies
	// (see Form.Applies).
	Conditional bool

	byName       map[string]*Field
	low, high    string      // minimum or exclusiveMinimum, maximum or exclusiveMaximum
	when         []condition // the field is asked when one holds; always when there is none
	requiredWhen []condition // the field is required when one holds
	dates        *dateBounds // the "x-date" keyword
}

// condition is one branch of an object's schema that a property depends on.
type condition struct {
	ifPtr    string             // raw pointer of the "if" schema; "" for a trigger property
	ifSchema *jsonschema.Schema // compiled "if", set after compilation
	want     bool               // true for "then", false for "else"
	trigger  string             // for dependentSchemas and dependentRequired: the property whose presence counts
}

// holds reports whether the branch applies to obj, the object the property belongs to (nil
// for an object not there yet).
func (c *condition) holds(obj map[string]any) bool {
	if c.ifSchema == nil {
		_, ok := obj[c.trigger]
		return ok
	}
	var v any = obj
	if obj == nil {
		v = map[string]any{}
	}
	return (c.ifSchema.Validate(v) == nil) == c.want
}

func anyHolds(cs []condition, obj map[string]any) bool {
	for i := range cs {
		if cs[i].holds(obj) {
			return true
		}
	}
	return false
}

// applies reports whether the field is asked, given obj, the value of its parent object.
func (f *Field) applies(obj map[string]any) bool {
	return len(f.when) == 0 || anyHolds(f.when, obj)
}

// requiredIn reports whether the field is required, given obj, the value of its parent object.
func (f *Field) requiredIn(obj map[string]any) bool {
	return f.Required || anyHolds(f.requiredWhen, obj)
}

// Child returns the property name of an object field, or nil.
func (f *Field) Child(name string) *Field {
	if f == nil {
		return nil
	}
	return f.byName[name]
}

// uiHints is the "x-ui" annotation of a schema node.
type uiHints struct {
	Label        *Text           `json:"label"`
	Help         *Text           `json:"help"`
	Widget       string          `json:"widget"`
	Autocomplete string          `json:"autocomplete"`
	Errors       map[string]Text `json:"errors"`
	EnumLabels   map[string]Text `json:"enumLabels"`
	ItemLabel    *Text           `json:"itemLabel"`
	Order        []string        `json:"order"`
	Fact         string          `json:"fact"`
	Steps        []stepHint      `json:"steps"`
}

type stepHint struct {
	ID     string   `json:"id"`
	Title  Text     `json:"title"`
	Fields []string `json:"fields"`
}

// modelBuilder turns the raw schema document into the Field tree.
type modelBuilder struct {
	doc    any
	layout *layout
	steps  []stepHint
}

const maxModelDepth = 32

func (b *modelBuilder) fail(ptr, format string, a ...any) error {
	return &SchemaError{Pointer: ptr, Err: fmt.Errorf(format, a...)}
}

// lookup resolves a JSON pointer in the raw schema document.
func (b *modelBuilder) lookup(ptr string) (any, bool) {
	v := b.doc
	for _, tok := range splitPointer(ptr) {
		switch n := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = n[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return nil, false
			}
			v = n[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// resolve merges local "$ref"s into node. It returns the merged keywords and, for each
// keyword, the raw pointer of the node it came from.
func (b *modelBuilder) resolve(node map[string]any, ptr string) (map[string]any, map[string]string) {
	merged := make(map[string]any, len(node))
	from := make(map[string]string, len(node))
	for hops := 0; node != nil && hops < 16; hops++ {
		for k, v := range node {
			if _, ok := merged[k]; !ok && k != "$ref" {
				merged[k] = v
				from[k] = ptr
			}
		}
		ref, _ := node["$ref"].(string)
		if !strings.HasPrefix(ref, "#") {
			break
		}
		ptr = strings.TrimPrefix(ref, "#")
		target, _ := b.lookup(ptr)
		node, _ = target.(map[string]any)
	}
	return merged, from
}

func (b *modelBuilder) build(raw any, ptr, tmpl, name string, depth int) (*Field, error) {
	f := &Field{Name: name, Pointer: tmpl, MinItems: -1, MaxItems: -1, MinLength: -1, MaxLength: -1}
	node, ok := raw.(map[string]any)
	if !ok || depth > maxModelDepth {
		return f, nil // a boolean schema or a recursion too deep: validated, not rendered
	}
	m, from := b.resolve(node, ptr)
	f.Type = schemaType(m)
	f.Format, _ = m["format"].(string)
	f.MinItems = intKeyword(m, "minItems")
	f.MaxItems = intKeyword(m, "maxItems")
	f.MinLength = intKeyword(m, "minLength")
	f.MaxLength = intKeyword(m, "maxLength")
	if n, ok := m["minimum"].(json.Number); ok {
		f.Minimum = n.String()
	}
	if n, ok := m["maximum"].(json.Number); ok {
		f.Maximum = n.String()
	}
	f.low, f.high = f.Minimum, f.Maximum
	if n, ok := m["exclusiveMinimum"].(json.Number); ok && f.low == "" {
		f.low = n.String()
	}
	if n, ok := m["exclusiveMaximum"].(json.Number); ok && f.high == "" {
		f.high = n.String()
	}
	if x, ok := m["x-date"]; ok {
		if f.dates = parseDateBounds(x); f.dates == nil {
			return nil, b.fail(from["x-date"]+"/x-date", "x-date: an object with notFuture, notPast (true or false), maxYearsBack, maxYearsAhead (0 to %d)", maxDateYears)
		}
	}
	title, _ := m["title"].(string)
	desc, _ := m["description"].(string)
	f.Label = Text{DE: title}
	f.Help = Text{DE: desc}
	if f.Label.DE == "" {
		f.Label.DE = name
	}
	b.enum(f, m)

	var hints uiHints
	if x, ok := m["x-ui"]; ok {
		hp := from["x-ui"] + "/x-ui"
		raw, _ := json.Marshal(x)
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&hints); err != nil {
			return nil, b.fail(hp, "UI hints: %v", err)
		}
		if err := b.applyHints(f, &hints, hp, depth); err != nil {
			return nil, err
		}
	}
	if f.Type == "" && f.Enum != nil {
		f.Type = jsonTypeOf(f.Enum[0])
	}

	switch f.Type {
	case "object":
		if err := b.object(f, m, from, &hints, depth); err != nil {
			return nil, err
		}
	case "array":
		items, ok := m["items"]
		if ok {
			it, err := b.build(items, from["items"]+"/items", tmpl+"/*", "", depth+1)
			if err != nil {
				return nil, err
			}
			f.Items = it
			if it.Label.DE == "" {
				it.Label = f.ItemLabel
			}
		}
	}
	// Labels of values: of the field's own enum, or of its items' for an array of choices.
	target := f
	if f.Enum == nil && f.Items != nil && f.Items.Enum != nil {
		target = f.Items
	}
	for v, t := range hints.EnumLabels {
		i := enumIndex(target.Enum, v)
		if i < 0 {
			return nil, b.fail(from["x-ui"]+"/x-ui/enumLabels/"+escapePointer(v), "%q is not one of the field's values", v)
		}
		target.EnumLabels[i] = t
	}
	if f.Widget == "" {
		f.Widget = defaultWidget(f)
	} else if err := checkWidget(f); err != nil {
		return nil, b.fail(from["x-ui"]+"/x-ui/widget", "%v", err)
	}
	return f, nil
}

func (b *modelBuilder) applyHints(f *Field, h *uiHints, hp string, depth int) error {
	if h.Label != nil {
		f.Label = *h.Label
	}
	if h.Help != nil {
		f.Help = *h.Help
	}
	if h.ItemLabel != nil {
		f.ItemLabel = *h.ItemLabel
	}
	f.Widget = h.Widget
	f.Autocomplete = h.Autocomplete
	for _, c := range h.Autocomplete {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == ' ') {
			return b.fail(hp+"/autocomplete", "autocomplete %q is not an autocomplete token list", h.Autocomplete)
		}
	}
	f.Fact = h.Fact
	for kw := range h.Errors {
		if _, ok := messages[kw]; !ok {
			return b.fail(hp+"/errors/"+escapePointer(kw), "no message key %q (see forms.MessageKeys)", kw)
		}
	}
	f.Messages = h.Errors
	if h.Steps != nil {
		if depth != 0 {
			return b.fail(hp+"/steps", "steps belong in the hints of the root schema")
		}
		b.steps = h.Steps
	}
	return nil
}

func (b *modelBuilder) object(f *Field, m map[string]any, from map[string]string, h *uiHints, depth int) error {
	required := map[string]bool{}
	addRequired := func(x any) {
		if rs, ok := x.([]any); ok {
			for _, r := range rs {
				if s, ok := r.(string); ok {
					required[s] = true
				}
			}
		}
	}
	type src struct {
		props map[string]any
		ptr   string
		cond  *condition // nil: declared unconditionally
	}
	var srcs []src
	requiredWhen := map[string][]condition{}
	// The object's schema and each entry of its allOf: their properties and required, and
	// their conditional branches.
	containers := []struct {
		m    map[string]any
		from map[string]string
	}{{m, from}}
	if all, ok := m["allOf"].([]any); ok {
		for i, a := range all {
			if an, ok := a.(map[string]any); ok {
				am, afrom := b.resolve(an, from["allOf"]+"/allOf/"+strconv.Itoa(i))
				containers = append(containers, struct {
					m    map[string]any
					from map[string]string
				}{am, afrom})
			}
		}
	}
	for _, c := range containers {
		if p, ok := c.m["properties"].(map[string]any); ok {
			srcs = append(srcs, src{props: p, ptr: c.from["properties"] + "/properties"})
		}
		addRequired(c.m["required"])
		branch := func(raw any, ptr string, cond condition) {
			bn, ok := raw.(map[string]any)
			if !ok {
				return
			}
			bm, bfrom := b.resolve(bn, ptr)
			if p, ok := bm["properties"].(map[string]any); ok {
				cc := cond
				srcs = append(srcs, src{props: p, ptr: bfrom["properties"] + "/properties", cond: &cc})
			}
			if rs, ok := bm["required"].([]any); ok {
				for _, r := range rs {
					if s, ok := r.(string); ok {
						requiredWhen[s] = append(requiredWhen[s], cond)
					}
				}
			}
		}
		if _, ok := c.m["if"]; ok {
			ifPtr := c.from["if"] + "/if"
			if t, ok := c.m["then"]; ok {
				branch(t, c.from["then"]+"/then", condition{ifPtr: ifPtr, want: true})
			}
			if e, ok := c.m["else"]; ok {
				branch(e, c.from["else"]+"/else", condition{ifPtr: ifPtr, want: false})
			}
		}
		if ds, ok := c.m["dependentSchemas"].(map[string]any); ok {
			for _, trigger := range b.layout.keys[c.from["dependentSchemas"]+"/dependentSchemas"] {
				branch(ds[trigger], c.from["dependentSchemas"]+"/dependentSchemas/"+escapePointer(trigger), condition{trigger: trigger})
			}
		}
		if dr, ok := c.m["dependentRequired"].(map[string]any); ok {
			for trigger, names := range dr {
				if ns, ok := names.([]any); ok {
					for _, n := range ns {
						if s, ok := n.(string); ok {
							requiredWhen[s] = append(requiredWhen[s], condition{trigger: trigger})
						}
					}
				}
			}
		}
	}
	f.byName = map[string]*Field{}
	var names []string
	where := map[string]src{}
	always := map[string]bool{}
	when := map[string][]condition{}
	for _, s := range srcs {
		for _, k := range b.layout.keys[s.ptr] {
			if _, dup := where[k]; !dup {
				names = append(names, k)
				where[k] = s
			}
			if s.cond == nil {
				always[k] = true
			} else {
				when[k] = append(when[k], *s.cond)
			}
		}
	}
	if len(h.Order) > 0 {
		rank := map[string]int{}
		for i, n := range h.Order {
			if _, ok := where[n]; !ok {
				return b.fail(from["x-ui"]+"/x-ui/order/"+strconv.Itoa(i), "%q is not a property", n)
			}
			rank[n] = i - len(h.Order)
		}
		sort.SliceStable(names, func(i, j int) bool { return rank[names[i]] < rank[names[j]] })
	}
	for _, n := range names {
		s := where[n]
		c, err := b.build(s.props[n], s.ptr+"/"+escapePointer(n), f.Pointer+"/"+escapePointer(n), n, depth+1)
		if err != nil {
			return err
		}
		c.Required = required[n]
		if !always[n] {
			c.when = when[n]
			c.Conditional = true
		}
		c.requiredWhen = requiredWhen[n]
		f.Fields = append(f.Fields, c)
		f.byName[n] = c
	}
	return nil
}

func (b *modelBuilder) enum(f *Field, m map[string]any) {
	switch {
	case m["enum"] != nil:
		f.Enum, _ = m["enum"].([]any)
	case m["const"] != nil:
		f.Enum = []any{m["const"]}
	case m["oneOf"] != nil:
		alts, _ := m["oneOf"].([]any)
		var vals []any
		var labels []Text
		for _, a := range alts {
			am, ok := a.(map[string]any)
			c, has := am["const"]
			if !ok || !has {
				return
			}
			t, _ := am["title"].(string)
			vals = append(vals, c)
			labels = append(labels, Text{DE: t})
		}
		f.Enum, f.EnumLabels = vals, labels
	}
	if f.Enum != nil && f.EnumLabels == nil {
		f.EnumLabels = make([]Text, len(f.Enum))
	}
	for i, v := range f.Enum {
		if f.EnumLabels[i].DE == "" && f.EnumLabels[i].EN == "" {
			switch v {
			case true:
				f.EnumLabels[i] = Text{DE: "Ja", EN: "Yes"}
			case false:
				f.EnumLabels[i] = Text{DE: "Nein", EN: "No"}
			default:
				f.EnumLabels[i] = Text{DE: valueKey(v)}
			}
		}
	}
}

// valueKey is how an enum value is named in hints and in HTML: a string as it is, anything else
// as its JSON text.
func valueKey(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func enumIndex(enum []any, key string) int {
	for i, v := range enum {
		if valueKey(v) == key {
			return i
		}
	}
	return -1
}

func schemaType(m map[string]any) string {
	switch t := m["type"].(type) {
	case string:
		return t
	case []any:
		var one string
		for _, x := range t {
			if s, _ := x.(string); s != "null" {
				if one != "" {
					return ""
				}
				one = s
			}
		}
		return one
	}
	if m["properties"] != nil {
		return "object"
	}
	if m["items"] != nil {
		return "array"
	}
	return ""
}

func jsonTypeOf(v any) string {
	switch v := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case float64:
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return ""
}

func intKeyword(m map[string]any, k string) int {
	if n, ok := m[k].(json.Number); ok {
		if i, err := n.Int64(); err == nil && i >= 0 && i < 1<<31 {
			return int(i)
		}
	}
	return -1
}

func defaultWidget(f *Field) string {
	switch {
	case f.Type == "object":
		return WidgetGroup
	case f.Type == "array" && f.Items != nil && f.Items.Enum != nil && f.Items.Type != "object":
		return WidgetCheckboxes
	case f.Type == "array":
		return WidgetRepeat
	case f.Type == "boolean" && len(f.Enum) == 1 && f.Enum[0] == true:
		return WidgetCheckbox // a declaration: "const": true
	case f.Type == "boolean":
		return WidgetRadio
	case f.Enum != nil && len(f.Enum) <= maxRadioChoices:
		return WidgetRadio
	case f.Enum != nil:
		return WidgetSelect
	case f.Format == "date":
		return WidgetDate
	}
	return WidgetText
}

func checkWidget(f *Field) error {
	ok := false
	switch f.Widget {
	case WidgetText, WidgetTextarea:
		ok = f.Type == "string" || f.Type == "integer" || f.Type == "number"
	case WidgetDate:
		ok = f.Type == "string"
	case WidgetRadio, WidgetSelect:
		ok = f.Enum != nil || f.Type == "boolean"
	case WidgetCheckbox:
		// Ticked means true; a boolean that may be false is asked with Ja/Nein radios.
		ok = f.Type == "boolean" && len(f.Enum) == 1 && f.Enum[0] == true || f.Type == "boolean" && f.Enum == nil
	case WidgetCheckboxes:
		ok = f.Type == "array" && f.Items != nil && f.Items.Enum != nil
	case WidgetGroup:
		ok = f.Type == "object"
	case WidgetRepeat:
		ok = f.Type == "array"
	default:
		return fmt.Errorf("unknown widget %q", f.Widget)
	}
	if !ok {
		return fmt.Errorf("widget %q does not fit a field of type %q", f.Widget, f.Type)
	}
	return nil
}

// fieldAt returns the field that describes the value at a concrete JSON pointer (array indices
// as numbers), or nil.
func (root *Field) fieldAt(pointer string) *Field {
	f := root
	for _, tok := range splitPointer(pointer) {
		switch {
		case f == nil:
			return nil
		case f.Type == "array":
			f = f.Items
		default:
			f = f.byName[tok]
		}
	}
	return f
}
