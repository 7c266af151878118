package forms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"strings"
)

// Provenance records where each value of an application's data came from, by JSON pointer:
// ProvenanceUser for what the citizen entered or changed, "prefill:<source>" for what a
// PrefillSource supplied (once-only). It is kept with the application data; it marshals as a
// JSON object.
type Provenance map[string]string

// ProvenanceUser marks a value the citizen entered or changed.
const ProvenanceUser = "user"

// PrefillSource supplies values already known about the citizen (Once-Only-Prinzip), such as
// identity claims now and register data later.
//
// Name identifies the source in provenance ("prefill:" + Name()) and must be stable; it consists
// of letters, digits, "-", "_" and ".". Prefill returns values by concrete JSON pointer of the
// form ("/antragsteller/vorname", "/haushalt/0/vorname"); a source that knows nothing returns an
// empty map and no error. An error means the source failed (a register did not answer); on a
// cancelled ctx it returns ctx.Err(). Prefill must be safe for concurrent use.
type PrefillSource interface {
	Name() string
	Prefill(ctx context.Context, f *Form) (map[string]any, error)
}

// FactSource is a PrefillSource of plain facts about the citizen, e.g. the claims of an
// identity (given_name, family_name, birthdate, email, postal_code, locality, ...); forms does
// not know where they come from — package ozg turns an identity Principal into one.
type FactSource struct {
	// Source names the source in provenance, e.g. "bundid".
	Source string
	// Facts are the known facts by name.
	Facts map[string]any
	// Pointers maps a fact name to the JSON pointer it fills. When nil, every field whose UI hints
	// name a "fact" is filled with that fact (fields inside arrays are not).
	Pointers map[string]string
}

// Name returns fs.Source.
func (fs *FactSource) Name() string { return fs.Source }

// Prefill returns the facts at their pointers.
func (fs *FactSource) Prefill(ctx context.Context, f *Form) (map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]any{}
	if fs.Pointers != nil {
		for fact, ptr := range fs.Pointers {
			if v, ok := fs.Facts[fact]; ok {
				out[ptr] = v
			}
		}
		return out, nil
	}
	var walk func(*Field, string)
	walk = func(fl *Field, ptr string) {
		if fl.Fact != "" {
			if v, ok := fs.Facts[fl.Fact]; ok {
				out[ptr] = v
			}
		}
		for _, c := range fl.Fields {
			walk(c, ptr+"/"+escapePointer(c.Name))
		}
	}
	walk(f.root, "")
	return out, nil
}

func validSourceName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Prefill fills doc (the application data so far; nil or empty for none) with the values of the
// sources, in order, and records each filled value in a copy of prov. It never overwrites a
// value that is there (the citizen's, or an earlier source's), and it leaves out a value that
// would not be valid at its field (checked as a draft), so that the citizen enters it instead. A
// pointer the form does not have is an error of the source's configuration, as is a source that
// fails; nothing is filled then.
func (f *Form) Prefill(ctx context.Context, doc []byte, prov Provenance, sources ...PrefillSource) ([]byte, Provenance, error) {
	var v any = map[string]any{}
	if len(strings.TrimSpace(string(doc))) > 0 {
		var err error
		if v, err = f.decode(doc); err != nil {
			return nil, nil, err
		}
	}
	out := maps.Clone(prov)
	if out == nil {
		out = Provenance{}
	}
	for _, src := range sources {
		name := src.Name()
		if !validSourceName(name) {
			return nil, nil, fmt.Errorf("forms: prefill %s: source name %q: only letters, digits and \"-_.\" are allowed", f.name, name)
		}
		vals, err := src.Prefill(ctx, f)
		if err != nil {
			return nil, nil, fmt.Errorf("forms: prefill %s from %s: %w", f.name, name, err)
		}
		ptrs := make([]string, 0, len(vals))
		for p := range vals {
			if f.Field(p) == nil || strings.Contains(p, "*") {
				return nil, nil, fmt.Errorf("forms: prefill %s from %s: %q is not a field of the form", f.name, name, p)
			}
			ptrs = append(ptrs, p)
		}
		sortPointers(ptrs)
		for _, p := range ptrs {
			if valueAt(v, p) != nil {
				continue // never overwrite
			}
			val, err := jsonValue(vals[p])
			if err != nil {
				return nil, nil, fmt.Errorf("forms: prefill %s from %s: %s: %w", f.name, name, p, err)
			}
			next, err := setPath(cloneJSON(v), splitPointer(p), val)
			if err != nil {
				continue // e.g. an array entry that does not exist: nothing to fill
			}
			if fieldHasErrors(f.validateValue(next, modeDraft), p) {
				continue
			}
			v = next
			out[p] = "prefill:" + name
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, nil, fmt.Errorf("forms: prefill %s: %w", f.name, err)
	}
	return b, out, nil
}

// fieldHasErrors reports whether err has an entry at p or below it.
func fieldHasErrors(err error, p string) bool {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err != nil
	}
	for _, fe := range ve.Errors {
		if fe.Pointer == p || strings.HasPrefix(fe.Pointer, p+"/") {
			return true
		}
	}
	return false
}

// jsonValue turns a fact into a JSON value (strings, numbers, booleans, and lists and maps of
// them), as encoding/json with UseNumber would decode it.
func jsonValue(x any) (any, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	var v any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func cloneJSON(v any) any {
	switch n := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(n))
		for k, c := range n {
			m[k] = cloneJSON(c)
		}
		return m
	case []any:
		a := make([]any, len(n))
		for i, c := range n {
			a[i] = cloneJSON(c)
		}
		return a
	}
	return v
}

// setPath sets val at toks in v, creating objects on the way and appending an array entry when
// the index is the array's length.
func setPath(v any, toks []string, val any) (any, error) {
	if len(toks) == 0 {
		return val, nil
	}
	switch n := v.(type) {
	case nil:
		if toks[0] == "0" {
			c, err := setPath(nil, toks[1:], val)
			return []any{c}, err
		}
		c, err := setPath(nil, toks[1:], val)
		return map[string]any{toks[0]: c}, err
	case map[string]any:
		c, err := setPath(n[toks[0]], toks[1:], val)
		n[toks[0]] = c
		return n, err
	case []any:
		i, err := strconv.Atoi(toks[0])
		if err != nil || i < 0 || i > len(n) {
			return v, fmt.Errorf("no entry %s", toks[0])
		}
		if i == len(n) {
			n = append(n, nil)
		}
		c, err := setPath(n[i], toks[1:], val)
		n[i] = c
		return n, err
	}
	return v, fmt.Errorf("%s is inside a value that is neither object nor array", toks[0])
}

func sortPointers(ps []string) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j] < ps[j-1]; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// TrackChanges returns a copy of prov updated for the step from old to new data: every value
// that is new or changed is the citizen's (ProvenanceUser), and entries for values that are gone
// are dropped. Leaves are scalars and arrays of scalars; arrays of objects are followed entry by
// entry.
func (f *Form) TrackChanges(old, new []byte, prov Provenance) (Provenance, error) {
	var ov any
	if len(strings.TrimSpace(string(old))) > 0 {
		var err error
		if ov, err = f.decode(old); err != nil {
			return nil, err
		}
	}
	nv, err := f.decode(new)
	if err != nil {
		return nil, err
	}
	out := Provenance{}
	leaves(nv, "", func(p string, val any) {
		if src, ok := prov[p]; ok && reflect.DeepEqual(valueAt(ov, p), val) {
			out[p] = src
		} else {
			out[p] = ProvenanceUser
		}
	})
	return out, nil
}

// leaves calls fn for every leaf of v.
func leaves(v any, p string, fn func(string, any)) {
	switch n := v.(type) {
	case map[string]any:
		for k, c := range n {
			leaves(c, p+"/"+escapePointer(k), fn)
		}
		return
	case []any:
		for _, c := range n {
			switch c.(type) {
			case map[string]any, []any:
				for i, c := range n {
					leaves(c, p+"/"+strconv.Itoa(i), fn)
				}
				return
			}
		}
	}
	if p != "" {
		fn(p, v)
	}
}
