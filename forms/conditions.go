package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Questions that depend on earlier answers. A property declared only in a conditional branch of
// its object's schema ("then" or "else" of an "if", or an entry of "dependentSchemas") is asked
// only where that branch applies; see the package documentation for the patterns. The methods
// here answer, for a document, what applies: the HTML pages (Render), the order of pages
// (ApplicableSteps), the data kept on save (Prune) and the summary (Answers) follow from them.

// docObject decodes doc (nil or empty for none) as a JSON object within the form's limits.
func (f *Form) docObject(doc []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return map[string]any{}, nil
	}
	v, err := f.decode(doc)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, f.newValidationError([]FieldError{f.entry("", "type.object", messageParams{})})
	}
	return obj, nil
}

// ApplicableSteps returns the steps (pages) that apply to doc, the application data so far, in
// order: a step applies when at least one of its fields does. A step whose fields all depend on
// a condition that doc does not meet is skipped, so the page after a step is the next applicable
// one and follows from the saved answers. A form without steps returns nil.
func (f *Form) ApplicableSteps(doc []byte) ([]Step, error) {
	obj, err := f.docObject(doc)
	if err != nil {
		return nil, err
	}
	var out []Step
	for _, st := range f.steps {
		if f.stepApplies(st, obj) {
			out = append(out, st)
		}
	}
	return out, nil
}

// StepApplies reports whether the step id applies to doc (see ApplicableSteps).
func (f *Form) StepApplies(id string, doc []byte) (bool, error) {
	st, ok := f.Step(id)
	if !ok {
		return false, fmt.Errorf("%w: %q in %s", ErrUnknownStep, id, f.name)
	}
	obj, err := f.docObject(doc)
	if err != nil {
		return false, err
	}
	return f.stepApplies(st, obj), nil
}

func (f *Form) stepApplies(st Step, root map[string]any) bool {
	for _, name := range st.Fields {
		if c := f.root.Child(name); c != nil && c.applies(root) {
			return true
		}
	}
	return false
}

// Applies reports whether the field at pointer (a JSON pointer with concrete array indices,
// e.g. "/wohnung/belastung" or "/haushalt/mitglieder/0/einkommen") is asked given doc: it and
// every object it is in apply. A pointer that is no field of the form is an error.
func (f *Form) Applies(doc []byte, pointer string) (bool, error) {
	obj, err := f.docObject(doc)
	if err != nil {
		return false, err
	}
	if f.Field(pointer) == nil {
		return false, fmt.Errorf("forms: %s has no field %q", f.name, pointer)
	}
	return f.appliesIn(obj, pointer), nil
}

// appliesIn reports whether the field at pointer, which the form has, applies in the decoded
// document root.
func (f *Form) appliesIn(root any, pointer string) bool {
	cur := root
	fld := f.root
	for _, tok := range splitPointer(pointer) {
		if fld == nil {
			return false
		}
		if fld.Type == "array" {
			fld = fld.Items
			arr, _ := cur.([]any)
			i, err := strconv.Atoi(tok)
			cur = nil
			if err == nil && i >= 0 && i < len(arr) {
				cur = arr[i]
			}
			continue
		}
		m, _ := cur.(map[string]any)
		next := fld.byName[tok]
		if next == nil || !next.applies(m) {
			return false
		}
		fld, cur = next, m[tok]
	}
	return true
}

// Prune returns doc without the values of fields that do not apply to it, such as the rent
// (Kaltmiete) of a citizen who has since said that they own their home, or the household
// members of one who has since said they live alone. Call it before saving a draft, so that a
// stale answer is neither shown, validated nor delivered. Values that no field describes are
// left for validation to report. doc is returned unchanged when nothing is dropped; otherwise
// the result is re-encoded (object members in sorted order). It refuses what Validate refuses
// before validation (a document that is not a JSON object, too large or deep, with a member
// twice or a number out of range).
func (f *Form) Prune(doc []byte) ([]byte, error) {
	obj, err := f.docObject(doc)
	if err != nil {
		return nil, err
	}
	changed := false
	for prune(f.root, obj) { // each round drops a value; dropping one may make another not apply
		changed = true
	}
	if !changed {
		return doc, nil
	}
	return json.Marshal(obj)
}

// prune drops the values of fields below fld that do not apply and reports whether it dropped
// any.
func prune(fld *Field, v any) bool {
	if fld == nil {
		return false
	}
	changed := false
	switch n := v.(type) {
	case map[string]any:
		for _, c := range fld.Fields {
			cv, ok := n[c.Name]
			if !ok {
				continue
			}
			if !c.applies(n) {
				delete(n, c.Name)
				changed = true
				continue
			}
			if prune(c, cv) {
				changed = true
			}
		}
	case []any:
		for _, item := range n {
			if prune(fld.Items, item) {
				changed = true
			}
		}
	}
	return changed
}

// Answer is one line of a summary of a document (the "Angaben prüfen" page before submission):
// a field that applies and has a value, labelled as the form labels it, or the heading of a
// group or of an entry of a repeatable group (Value "").
type Answer struct {
	Step    string // the step (page) it is asked on; "" for a form without steps
	Pointer string // JSON pointer of the value
	Label   string
	Value   string // as the citizen chose it: the label of a choice, Ja/Nein, a German date and number
	Depth   int    // 0 for top-level fields, 1 inside them, ...
}

// Answers lists the answers of doc in the form's order for a summary in lang ("de" or "en"):
// only fields that apply (see Applies) and have a value, choices by their labels, booleans as
// Ja/Nein, dates as 27.03.1980 and numbers with a decimal comma in German.
func (f *Form) Answers(doc []byte, lang string) ([]Answer, error) {
	obj, err := f.docObject(doc)
	if err != nil {
		return nil, err
	}
	if lang != "en" {
		lang = "de"
	}
	var out []Answer
	for _, c := range f.root.Fields {
		v, ok := obj[c.Name]
		if !ok || !c.applies(obj) {
			continue
		}
		out = answers(out, c, "/"+escapePointer(c.Name), v, 0, c.Step, lang)
	}
	return out, nil
}

func answers(out []Answer, fld *Field, ptr string, v any, depth int, step, lang string) []Answer {
	label := fld.Label.In(lang)
	if label == "" {
		label = fld.Name
	}
	switch x := v.(type) {
	case map[string]any:
		out = append(out, Answer{Step: step, Pointer: ptr, Label: label, Depth: depth})
		for _, c := range fld.Fields {
			if cv, ok := x[c.Name]; ok && c.applies(x) {
				out = answers(out, c, ptr+"/"+escapePointer(c.Name), cv, depth+1, step, lang)
			}
		}
		return out
	case []any:
		if fld.Items != nil && (fld.Items.Type == "object" || fld.Items.Type == "array") {
			out = append(out, Answer{Step: step, Pointer: ptr, Label: label, Depth: depth})
			item := fld.ItemLabel.In(lang)
			if item == "" {
				item = map[string]string{"de": "Eintrag", "en": "Entry"}[lang]
			}
			for i, e := range x {
				ip := ptr + "/" + strconv.Itoa(i)
				entry := item + " " + strconv.Itoa(i+1)
				if m, ok := e.(map[string]any); ok {
					out = append(out, Answer{Step: step, Pointer: ip, Label: entry, Depth: depth + 1})
					for _, c := range fld.Items.Fields {
						if cv, ok := m[c.Name]; ok && c.applies(m) {
							out = answers(out, c, ip+"/"+escapePointer(c.Name), cv, depth+2, step, lang)
						}
					}
				} else {
					out = answers(out, fld.Items, ip, e, depth+1, step, lang)
					out[len(out)-1].Label = entry
				}
			}
			return out
		}
		vals := make([]string, 0, len(x))
		for _, e := range x {
			vals = append(vals, answerText(fld.Items, e, lang))
		}
		if len(vals) == 0 {
			vals = append(vals, map[string]string{"de": "keine Angabe", "en": "none"}[lang])
		}
		return append(out, Answer{Step: step, Pointer: ptr, Label: label, Value: strings.Join(vals, ", "), Depth: depth})
	}
	return append(out, Answer{Step: step, Pointer: ptr, Label: label, Value: answerText(fld, v, lang), Depth: depth})
}

// answerText shows one value as the citizen chose it.
func answerText(fld *Field, v any, lang string) string {
	if fld != nil {
		for i, e := range fld.Enum {
			if valueKey(e) == valueKey(v) && i < len(fld.EnumLabels) {
				if l := fld.EnumLabels[i].In(lang); l != "" {
					return l
				}
			}
		}
	}
	switch x := v.(type) {
	case bool:
		if x {
			return map[string]string{"de": "Ja", "en": "Yes"}[lang]
		}
		return map[string]string{"de": "Nein", "en": "No"}[lang]
	case json.Number:
		if lang == "de" {
			return germanNumber(x.String())
		}
		return x.String()
	case string:
		if lang == "de" && fld != nil && fld.Format == "date" && len(x) == 10 && x[4] == '-' && x[7] == '-' {
			return x[8:10] + "." + x[5:7] + "." + x[0:4]
		}
		return x
	case nil:
		return ""
	}
	return scalarString(v)
}
