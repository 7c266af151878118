package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// Step is one page (Schritt) of a form: a title and the top-level fields asked on it. Steps are
// declared in the root schema's hints:
//
//	"x-ui": {"steps": [{"id": "person", "title": {"de": "Angaben zur Person", "en": "About you"},
//	                    "fields": ["name", "geburtsdatum"]}, ...]}
//
// When a form has steps, every top-level field belongs to exactly one of them.
type Step struct {
	ID     string
	Title  Text
	Fields []string
}

var validStepID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

func (f *Form) setSteps(hints []stepHint) error {
	if hints == nil {
		return nil
	}
	at := func(i int, rest string) string { return "/x-ui/steps/" + strconv.Itoa(i) + rest }
	owner := map[string]string{}
	ids := map[string]bool{}
	for i, h := range hints {
		if !validStepID.MatchString(h.ID) {
			return &SchemaError{Pointer: at(i, "/id"), Err: fmt.Errorf("step id %q: use lower-case letters, digits and -", h.ID)}
		}
		if ids[h.ID] {
			return &SchemaError{Pointer: at(i, "/id"), Err: fmt.Errorf("step id %q twice", h.ID)}
		}
		ids[h.ID] = true
		if len(h.Fields) == 0 {
			return &SchemaError{Pointer: at(i, "/fields"), Err: fmt.Errorf("step %q has no fields", h.ID)}
		}
		for j, name := range h.Fields {
			fld := f.root.Child(name)
			if fld == nil {
				return &SchemaError{Pointer: at(i, "/fields/"+strconv.Itoa(j)), Err: fmt.Errorf("step %q: %q is not a top-level property", h.ID, name)}
			}
			if o, dup := owner[name]; dup {
				return &SchemaError{Pointer: at(i, "/fields/"+strconv.Itoa(j)), Err: fmt.Errorf("%q is in steps %q and %q", name, o, h.ID)}
			}
			owner[name] = h.ID
			fld.Step = h.ID
		}
		f.steps = append(f.steps, Step{ID: h.ID, Title: h.Title, Fields: append([]string(nil), h.Fields...)})
	}
	for _, fld := range f.root.Fields {
		if fld.Step == "" {
			return &SchemaError{Pointer: "/x-ui/steps", Err: fmt.Errorf("top-level property %q is in no step", fld.Name)}
		}
	}
	return nil
}

// Steps returns all the form's steps in order, or nil when it is a single page. Which of them
// apply to an application's answers so far says ApplicableSteps.
func (f *Form) Steps() []Step { return f.steps }

// Step returns the step with id.
func (f *Form) Step(id string) (Step, bool) {
	for _, s := range f.steps {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

// StepOf returns the id of the step a JSON pointer belongs to, or "" if none.
func (f *Form) StepOf(pointer string) string {
	toks := splitPointer(pointer)
	if len(toks) == 0 {
		return ""
	}
	if fld := f.root.Child(toks[0]); fld != nil {
		return fld.Step
	}
	return ""
}

// ValidateStep checks the page step of doc as the citizen leaves it: its fields completely (as
// Validate does), the rest of the document not at all. Problems that belong to no step (such
// as a field the form does not have) are reported too, and so is a document refused before
// validation (not JSON, a member name twice, a number out of range) on whichever page.
func (f *Form) ValidateStep(step string, doc []byte) error {
	if _, ok := f.Step(step); !ok {
		return fmt.Errorf("%w: %q in %s", ErrUnknownStep, step, f.name)
	}
	v, err := f.decode(doc)
	if err != nil {
		return err // a document refused before validation is refused on every page
	}
	err = f.validateChecked(v, modeFinal)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var keep []FieldError
	for _, fe := range ve.Errors {
		if s := f.StepOf(fe.Pointer); s == "" || s == step {
			keep = append(keep, fe)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return &ValidationError{Form: ve.Form, Errors: keep}
}

// StepsWithErrors returns, in step order, the ids of the steps that have an entry in err (a
// *ValidationError from this form); nil when err is nil or has none.
func (f *Form) StepsWithErrors(err error) []string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	has := map[string]bool{}
	for _, fe := range ve.Errors {
		has[f.StepOf(fe.Pointer)] = true
	}
	var out []string
	for _, s := range f.steps {
		if has[s.ID] {
			out = append(out, s.ID)
		}
	}
	return out
}

// MergeStep returns base (the application data so far) with the fields of step replaced by those
// of page (a document with only that step's fields, as ParseValues returns for a rendered step):
// a field of the step that page lacks is removed from base, since the citizen emptied it; fields
// of other steps are kept as they are. page may not have fields of other steps. The answers
// that no longer apply after the merge are dropped, as Prune does (the rent, say, of a citizen
// who has just said they own their home).
func (f *Form) MergeStep(step string, base, page []byte) ([]byte, error) {
	st, ok := f.Step(step)
	if !ok {
		return nil, fmt.Errorf("%w: %q in %s", ErrUnknownStep, step, f.name)
	}
	var b map[string]any
	if len(bytes.TrimSpace(base)) > 0 {
		bv, err := f.decode(base)
		if err != nil {
			return nil, err
		}
		if b, ok = bv.(map[string]any); !ok {
			return nil, fmt.Errorf("%w: the data so far is not a JSON object", ErrDocument)
		}
	}
	if b == nil {
		b = map[string]any{}
	}
	pv, err := f.decode(page)
	if err != nil {
		return nil, err
	}
	p, ok := pv.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the page is not a JSON object", ErrDocument)
	}
	mine := map[string]bool{}
	for _, name := range st.Fields {
		mine[name] = true
	}
	var foreign []FieldError
	for name := range p {
		if !mine[name] {
			foreign = append(foreign, f.entry("/"+escapePointer(name), "additionalProperties", messageParams{}))
		}
	}
	if len(foreign) > 0 {
		return nil, f.newValidationError(foreign)
	}
	for _, name := range st.Fields {
		if v, ok := p[name]; ok {
			b[name] = v
		} else {
			delete(b, name)
		}
	}
	for prune(f.root, b) {
	}
	return json.Marshal(b)
}
