package forms

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MaxFormKeys is the largest number of distinct names in a submitted HTML form.
const MaxFormKeys = 5000

// arraysField is the name of the hidden inputs by which a rendered form names each array (a
// repeatable group or a group of checkboxes) it showed, so that one left empty comes back as [].
const arraysField = "_arrays"

// Action is what a submit button of a rendered form asks for (the "_action" value).
type Action struct {
	// Kind is "submit" (the main button, also when no button is named), "add" (a new entry at the
	// end of the array at Pointer) or "remove" (the array entry at Pointer).
	Kind    string
	Pointer string
}

// ParseValues turns a submitted HTML form (as rendered by Render) back into the JSON document,
// typed per the schema, and reports which button was pressed. An "add" or "remove" button has
// already been carried out on the returned document (a new empty entry, or one entry less): the
// caller saves it as a draft and renders the form again; only "submit" asks to go on. Names are the fields' JSON pointers;
// names starting with "_" (CSRF tokens, the action) are ignored.
//
//   - Text is trimmed; an empty input means the field was not answered and is left out, as are
//     objects and arrays left without any answer.
//   - Integers and numbers become JSON numbers, read as written in the language of the rendered
//     form (its hidden "_lang" input, German when missing): "1.234,56" and "12,50" in German,
//     "1,234.56" and "12.50" in English. Input that is not a number stays a string, so that validation reports it at its
//     field ("Bitte geben Sie ... eine Zahl an.") and the form can show it again as typed.
//   - Booleans come as "true" or "false"; a ticked checkbox of widget "checkbox" as "true".
//   - Several values for one name form the array of a "checkboxes" field; for any other field
//     they are refused (a browser sends one value per name), as JSON refuses a member twice.
//   - An array the form showed (a repeatable group or a group of checkboxes; Render names each
//     in a hidden "_arrays" input) and the citizen left empty comes back as [], so that a
//     required array the schema allows to be empty (a household of one) can be answered.
//   - A number beyond what forms accepts (such as 1e99999999, see Validate) stays a string, so
//     that validation reports it at its field ("Bitte geben Sie ... eine Zahl zwischen ... an.").
//
// A name that is no field of the form, an array index at or above the form's array limit, or more
// than MaxFormKeys names give a *ValidationError naming the field; nothing is returned then.
func (f *Form) ParseValues(values url.Values) ([]byte, Action, error) {
	act := Action{Kind: "submit"}
	if a := values.Get("_action"); a != "" {
		kind, ptr, _ := strings.Cut(a, ":")
		switch kind {
		case "add", "remove":
			act = Action{Kind: kind, Pointer: ptr}
		}
	}
	if len(values) > MaxFormKeys {
		return nil, act, f.limitError("", "arrayLength", strconv.Itoa(MaxFormKeys))
	}
	size := 0
	names := make([]string, 0, len(values))
	for name, vs := range values {
		size += len(name)
		for _, v := range vs {
			size += len(v)
		}
		if !strings.HasPrefix(name, "_") {
			names = append(names, name)
		}
	}
	if size > f.maxSize {
		return nil, act, f.limitError("", "documentSize", strconv.Itoa(f.maxSize))
	}
	sort.Strings(names)
	lang := values.Get("_lang")
	root := map[string]any{}
	var bad []FieldError
	for _, name := range names {
		if err := f.setValue(root, name, values[name], lang); err != nil {
			bad = append(bad, *err)
		}
	}
	shown := values[arraysField]
	if len(shown) > MaxFormKeys {
		return nil, act, f.limitError("", "arrayLength", strconv.Itoa(MaxFormKeys))
	}
	var empty [][]string
	for _, ptr := range shown {
		toks, err := f.arrayPath(ptr)
		if err != nil {
			bad = append(bad, *err)
			continue
		}
		empty = append(empty, toks)
	}
	if len(bad) > 0 {
		return nil, act, f.newValidationError(bad)
	}
	if act.Kind != "submit" {
		if err := f.applyAction(root, act); err != nil {
			return nil, act, err
		}
	}
	doc := compact(root)
	if doc == nil {
		doc = map[string]any{}
	}
	for _, toks := range empty {
		putEmptyArray(doc.(map[string]any), toks)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, act, fmt.Errorf("forms: parse values for %s: %w", f.name, err)
	}
	return b, act, nil
}

// sparse is an array under construction: entries by index.
type sparse map[int]any

// added is an entry appended by an "add" button; it survives compact although empty.
type added struct{ object bool }

// applyAction carries out an add or remove button on the parsed, not yet compacted, document.
func (f *Form) applyAction(root map[string]any, a Action) error {
	bad := func(why string) error {
		fe := f.entry(a.Pointer, "additionalProperties", messageParams{})
		fe.MessageEN += " (" + a.Kind + ": " + why + ")"
		return &ValidationError{Form: f.name, Errors: []FieldError{fe}}
	}
	toks := splitPointer(a.Pointer)
	if len(toks) == 0 || len(a.Pointer) > 1024 {
		return bad("not an array field")
	}
	arrayPtr := toks
	if a.Kind == "remove" {
		arrayPtr = toks[:len(toks)-1]
	}
	// Walk (and create) the containers down to the array.
	fld := f.root
	var container any = root
	for _, tok := range arrayPtr {
		var next *Field
		var key any
		if fld.Type == "array" {
			if !canonicalIndex.MatchString(tok) {
				return bad("no such entry")
			}
			n, _ := strconv.Atoi(tok)
			if n >= f.maxArr {
				return bad("no such entry")
			}
			next, key = fld.Items, n
		} else {
			next, key = fld.byName[tok], tok
		}
		if next == nil || next.Type != "object" && next.Type != "array" {
			return bad("not an array field")
		}
		var child any = map[string]any{}
		if next.Type == "array" {
			child = sparse{}
		}
		container = getOrPut(container, key, child)
		fld = next
	}
	arr, ok := container.(sparse)
	if !ok || fld.Widget == WidgetCheckboxes {
		return bad("not an array field")
	}
	switch a.Kind {
	case "add":
		n := len(arr)
		next := 0
		for i := range arr {
			next = max(next, i+1)
		}
		if next >= f.maxArr || fld.MaxItems >= 0 && n >= fld.MaxItems {
			return bad("no more entries allowed")
		}
		arr[next] = added{object: fld.Items != nil && fld.Items.Type == "object"}
	case "remove":
		last := toks[len(toks)-1]
		if !canonicalIndex.MatchString(last) {
			return bad("no such entry")
		}
		i, _ := strconv.Atoi(last)
		delete(arr, i)
	}
	return nil
}

// arrayPath checks that ptr, from a hidden "_arrays" input, is an array field of the form with
// concrete indices, and returns its tokens.
func (f *Form) arrayPath(ptr string) ([]string, *FieldError) {
	unknown := func() ([]string, *FieldError) {
		fe := f.entry(ptr, "additionalProperties", messageParams{})
		return nil, &fe
	}
	if !strings.HasPrefix(ptr, "/") || len(ptr) > 1024 {
		return unknown()
	}
	toks := splitPointer(ptr)
	fld := f.root
	for _, tok := range toks {
		if fld.Type == "array" {
			if !canonicalIndex.MatchString(tok) {
				return unknown()
			}
			if n, _ := strconv.Atoi(tok); n >= f.maxArr {
				return unknown()
			}
			fld = fld.Items
		} else {
			fld = fld.byName[tok]
		}
		if fld == nil {
			return unknown()
		}
	}
	if fld.Type != "array" {
		return unknown()
	}
	return toks, nil
}

// putEmptyArray puts [] at toks in doc unless something is there, creating the objects and
// leaving alone a path through an array entry that is not there (an entry removed by its
// button, or left empty).
func putEmptyArray(doc map[string]any, toks []string) {
	var cur any = doc
	for i, tok := range toks {
		last := i == len(toks)-1
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[tok]
			if !ok {
				if last {
					c[tok] = []any{}
					return
				}
				next = map[string]any{}
				c[tok] = next
			}
			cur = next
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n >= len(c) {
				return
			}
			cur = c[n]
		default:
			return
		}
	}
}

var canonicalIndex = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})$`)

func (f *Form) setValue(root map[string]any, name string, vs []string, lang string) *FieldError {
	unknown := func() *FieldError {
		fe := f.entry(name, "additionalProperties", messageParams{})
		return &fe
	}
	if !strings.HasPrefix(name, "/") || len(name) > 1024 {
		return unknown()
	}
	toks := splitPointer(name)
	fld := f.root
	var container any = root
	for i, tok := range toks {
		last := i == len(toks)-1
		var next *Field
		var key any
		if fld.Type == "array" {
			if !canonicalIndex.MatchString(tok) {
				return unknown()
			}
			n, _ := strconv.Atoi(tok)
			if n >= f.maxArr {
				p := f.params(name)
				p.limit = strconv.Itoa(f.maxArr)
				fe := f.entry(name, "arrayLength", p)
				return &fe
			}
			next, key = fld.Items, n
		} else {
			next, key = fld.byName[tok], tok
		}
		if next == nil {
			return unknown()
		}
		if last {
			if len(vs) > 1 && next.Widget != WidgetCheckboxes {
				fe := f.entry(name, "duplicateKey", messageParams{})
				return &fe
			}
			v, ok := formValue(next, vs, lang)
			if !ok {
				return unknown()
			}
			if v != nil {
				put(container, key, v)
			}
			return nil
		}
		var child any
		switch next.Type {
		case "object":
			child = map[string]any{}
		case "array":
			if next.Widget == WidgetCheckboxes {
				return unknown() // its values come under its own name, not per index
			}
			child = sparse{}
		default:
			return unknown()
		}
		container = getOrPut(container, key, child)
		fld = next
	}
	return unknown()
}

func put(container, key, v any) {
	switch c := container.(type) {
	case map[string]any:
		c[key.(string)] = v
	case sparse:
		c[key.(int)] = v
	}
}

func getOrPut(container, key, child any) any {
	switch c := container.(type) {
	case map[string]any:
		if x, ok := c[key.(string)]; ok {
			return x
		}
		c[key.(string)] = child
	case sparse:
		if x, ok := c[key.(int)]; ok {
			return x
		}
		c[key.(int)] = child
	}
	return child
}

// formValue converts the submitted strings of one leaf field; nil means "not answered".
func formValue(fld *Field, vs []string, lang string) (any, bool) {
	if fld.Widget == WidgetCheckboxes {
		var out []any
		for _, s := range vs {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, scalarValue(fld.Items, s, lang))
			}
		}
		if out == nil {
			return nil, true
		}
		return out, true
	}
	if fld.Type == "object" || fld.Type == "array" {
		return nil, false
	}
	if len(vs) == 0 {
		return nil, true
	}
	if len(vs) > 1 {
		return nil, false
	}
	s := strings.TrimSpace(vs[0])
	if s == "" {
		return nil, true
	}
	return scalarValue(fld, s, lang), true
}

var (
	jsonNumber     = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
	jsonInteger    = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)
	germanNumberRe = regexp.MustCompile(`^-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$`)
	englishNumber  = regexp.MustCompile(`^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)
)

// scalarValue types one submitted string per the field's schema; lang ("en", else German) says
// how numbers are written.
func scalarValue(fld *Field, s, lang string) any {
	typ := ""
	if fld != nil {
		typ = fld.Type
		if typ == "" && len(fld.Enum) > 0 {
			// An enum of mixed or unknown type: the value whose key matches.
			if i := enumIndex(fld.Enum, s); i >= 0 {
				return fld.Enum[i]
			}
		}
	}
	switch typ {
	case "integer", "number":
		n := s
		switch {
		case lang == "en" && englishNumber.MatchString(n):
			n = strings.ReplaceAll(n, ",", "")
		case lang == "en":
		case germanNumberRe.MatchString(n):
			n = strings.ReplaceAll(n, ".", "")
			n = strings.Replace(n, ",", ".", 1)
		case strings.Count(n, ",") == 1 && !strings.Contains(n, "."):
			n = strings.Replace(n, ",", ".", 1)
		}
		if !numberInRange(n) {
			return s // validation names the bounds
		}
		if typ == "integer" && jsonInteger.MatchString(n) || typ == "number" && jsonNumber.MatchString(n) && len(n) < 64 {
			return json.Number(n)
		}
		if typ == "integer" && jsonNumber.MatchString(n) && len(n) < 64 {
			return json.Number(n) // 2.5 for an integer: validation names the problem
		}
	case "boolean":
		switch s {
		case "true":
			return true
		case "false":
			return false
		}
	case "null":
		return nil
	}
	return s
}

// compact turns sparse arrays into JSON arrays (in index order) and drops empty objects and
// arrays, which are fields nobody answered.
func compact(v any) any {
	switch n := v.(type) {
	case map[string]any:
		for k, c := range n {
			if cc := compact(c); cc == nil {
				delete(n, k)
			} else {
				n[k] = cc
			}
		}
		if len(n) == 0 {
			return nil
		}
		return n
	case sparse:
		idx := make([]int, 0, len(n))
		for i := range n {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		var out []any
		for _, i := range idx {
			if a, ok := n[i].(added); ok {
				var entry any = ""
				if a.object {
					entry = map[string]any{}
				}
				out = append(out, entry)
			} else if c := compact(n[i]); c != nil {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return v
}
