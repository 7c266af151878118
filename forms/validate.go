package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// mode says how complete a document must be.
type mode int

const (
	modeFinal mode = iota // everything, as for submission
	modeDraft             // what is there must be valid; completeness is not checked
)

// Validate checks doc, a JSON document, against the form's schema, completely, as for the
// submission of an application. A document that does not pass gets a *ValidationError (which
// wraps ErrDocument) with one entry per problem.
func (f *Form) Validate(doc []byte) error {
	return f.validateBytes(doc, modeFinal)
}

// ValidateDraft checks doc as a draft (Entwurf): what is present must be valid, but nothing is
// required yet. Completeness keywords are skipped: "required", "dependentRequired", "minItems",
// "minProperties" and "minContains", and a choice ("anyOf", "oneOf") passes when one of its
// alternatives lacks nothing but such completeness. Everything else, including "minLength" of a
// string that is present, is checked.
func (f *Form) ValidateDraft(doc []byte) error {
	return f.validateBytes(doc, modeDraft)
}

// ValidateValue is Validate for a document already decoded with encoding/json (numbers as
// json.Number or float64). The document limits are checked as for bytes, except the size.
func (f *Form) ValidateValue(v any) error {
	return f.validateValue(v, modeFinal)
}

func (f *Form) validateBytes(doc []byte, m mode) error {
	v, err := f.decode(doc)
	if err != nil {
		return err
	}
	return f.validateChecked(v, m)
}

// decode parses doc within the form's limits: its size, nesting depth and array lengths, no
// member name twice in an object, and every number within the bounds the validator can take.
func (f *Form) decode(doc []byte) (any, error) {
	if len(doc) > f.maxSize {
		return nil, f.limitError("", "documentSize", strconv.Itoa(f.maxSize))
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, f.jsonError(err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, f.jsonError(errors.New("trailing data after the JSON value"))
	}
	if ptr, dup := duplicateMember(doc); dup {
		return nil, f.newValidationError([]FieldError{f.entry(ptr, "duplicateKey", messageParams{})})
	}
	if err := f.checkValue(v); err != nil {
		return nil, err
	}
	return v, nil
}

// checkValue checks a decoded document against the form's depth and array limits and the
// bounds of numbers.
func (f *Form) checkValue(v any) error {
	le, bad := checkLimits(v, 0, f.maxDep, f.maxArr)
	if le != nil {
		limit := f.maxDep
		if le.kind == "arrayLength" {
			limit = f.maxArr
		}
		return f.limitError(le.pointer, le.kind, strconv.Itoa(limit))
	}
	if len(bad) > 0 {
		entries := make([]FieldError, len(bad))
		for i, p := range bad {
			entries[i] = f.numberRangeEntry(p)
		}
		return f.newValidationError(entries)
	}
	return nil
}

// numberRangeEntry is the error for a number outside the bounds at pointer: the field's own
// minimum and maximum where the schema gives them, the bounds of forms otherwise.
func (f *Form) numberRangeEntry(pointer string) FieldError {
	p := messageParams{minDE: numberLowDE, minEN: numberLowEN, maxDE: numberHighDE, maxEN: numberHighEN}
	if fld := f.Field(pointer); fld != nil {
		if fld.low != "" {
			p.minDE, p.minEN = germanNumber(fld.low), fld.low
		}
		if fld.high != "" {
			p.maxDE, p.maxEN = germanNumber(fld.high), fld.high
		}
	}
	return f.entry(pointer, "numberRange", p)
}

func (f *Form) validateValue(v any, m mode) error {
	if err := f.checkValue(v); err != nil {
		return err
	}
	return f.validateChecked(v, m)
}

// validateChecked validates a document that has passed checkValue.
func (f *Form) validateChecked(v any, m mode) error {
	err := f.schema.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		// An infinite loop in the schema or a value that is not JSON.
		return &ValidationError{Form: f.name, Errors: []FieldError{f.entry("", "generic", messageParams{})}}
	}
	c := converter{f: f, doc: v, mode: m}
	entries := c.collect(ve)
	if len(entries) == 0 {
		return nil
	}
	return f.newValidationError(entries)
}

func (f *Form) jsonError(err error) error {
	fe := f.entry("", "json", messageParams{})
	fe.MessageEN += " (" + err.Error() + ")"
	return &ValidationError{Form: f.name, Errors: []FieldError{fe}}
}

func (f *Form) limitError(pointer, kind, limit string) error {
	p := f.params(pointer)
	p.limit = limit
	return &ValidationError{Form: f.name, Errors: []FieldError{f.entry(pointer, kind, p)}}
}

type limitErr struct {
	pointer, kind string
}

// checkLimits walks v and reports the first place that is nested deeper than maxDepth or has an
// array longer than maxItems, and the pointers of all numbers outside the bounds (see
// numberInRange). It allocates only when it finds something.
func checkLimits(v any, depth, maxDepth, maxItems int) (*limitErr, []string) {
	switch n := v.(type) {
	case map[string]any:
		if depth >= maxDepth {
			return &limitErr{kind: "depth"}, nil
		}
		var bad []string
		for k, c := range n {
			le, b := checkLimits(c, depth+1, maxDepth, maxItems)
			if le != nil {
				le.pointer = "/" + escapePointer(k) + le.pointer
				return le, nil
			}
			for _, p := range b {
				bad = append(bad, "/"+escapePointer(k)+p)
			}
		}
		return nil, bad
	case []any:
		if depth >= maxDepth {
			return &limitErr{kind: "depth"}, nil
		}
		if len(n) > maxItems {
			return &limitErr{kind: "arrayLength"}, nil
		}
		var bad []string
		for i, c := range n {
			le, b := checkLimits(c, depth+1, maxDepth, maxItems)
			if le != nil {
				le.pointer = "/" + strconv.Itoa(i) + le.pointer
				return le, nil
			}
			for _, p := range b {
				bad = append(bad, "/"+strconv.Itoa(i)+p)
			}
		}
		return nil, bad
	case string, bool, nil:
		return nil, nil
	}
	if !checkNumber(v) {
		return nil, []string{""}
	}
	return nil, nil
}

// entry builds one FieldError with localised messages.
func (f *Form) entry(pointer, key string, p messageParams) FieldError {
	if p.labelDE == "" {
		q := f.params(pointer)
		p.labelDE, p.labelEN = q.labelDE, q.labelEN
	}
	de, en := render(key, f.Field(pointer), p)
	kw, _, _ := strings.Cut(key, ".")
	return FieldError{Pointer: pointer, Keyword: kw, Message: de, MessageEN: en}
}

// params returns the labels of the field at pointer, with the position of every array entry on
// the way: "Vorname (Haushaltsmitglied 2)".
func (f *Form) params(pointer string) messageParams {
	var de, en string
	var posDE, posEN []string
	fld := f.root
	for _, tok := range splitPointer(pointer) {
		var next *Field
		if fld != nil && fld.Type == "array" {
			next = fld.Items
			if i, err := strconv.Atoi(tok); err == nil {
				item := fld.ItemLabel
				if item.DE == "" && item.EN == "" {
					item = Text{DE: "Eintrag", EN: "Entry"}
				}
				n := strconv.Itoa(i + 1)
				posDE = append(posDE, item.In("de")+" "+n)
				posEN = append(posEN, item.In("en")+" "+n)
			}
		} else if fld != nil {
			next = fld.byName[tok]
		}
		fld = next
		if fld != nil && (fld.Label.DE != "" || fld.Label.EN != "") {
			de, en = fld.Label.In("de"), fld.Label.In("en")
		} else {
			de, en = tok, tok
		}
	}
	if pointer == "" {
		de, en = "Antrag", "Application"
		if f.root != nil && f.root.Label.DE != "" {
			de, en = f.root.Label.In("de"), f.root.Label.In("en")
		}
	}
	// A label written as a sentence ("Ich versichere, ...") loses its full stop inside quotes.
	de, en = strings.TrimSuffix(de, "."), strings.TrimSuffix(en, ".")
	if len(posDE) > 0 {
		de += " (" + strings.Join(posDE, ", ") + ")"
		en += " (" + strings.Join(posEN, ", ") + ")"
	}
	return messageParams{labelDE: de, labelEN: en}
}

// newValidationError sorts and de-duplicates entries into the form's field order.
func (f *Form) newValidationError(entries []FieldError) *ValidationError {
	type keyed struct {
		key []int
		fe  FieldError
	}
	seen := map[[2]string]bool{}
	ks := make([]keyed, 0, len(entries))
	for _, e := range entries {
		k := [2]string{e.Pointer, e.Keyword}
		if seen[k] {
			continue
		}
		seen[k] = true
		ks = append(ks, keyed{f.orderKey(e.Pointer), e})
	}
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := ks[i].key, ks[j].key
		for n := 0; n < len(a) && n < len(b); n++ {
			if a[n] != b[n] {
				return a[n] < b[n]
			}
		}
		return len(a) < len(b)
	})
	out := make([]FieldError, len(ks))
	for i, k := range ks {
		out[i] = k.fe
	}
	return &ValidationError{Form: f.name, Errors: out}
}

// orderKey places a pointer in the form's order: field positions and array indices; unknown
// fields come after known ones.
func (f *Form) orderKey(pointer string) []int {
	var key []int
	fld := f.root
	for _, tok := range splitPointer(pointer) {
		switch {
		case fld == nil:
			key = append(key, 1<<30)
		case fld.Type == "array":
			i, err := strconv.Atoi(tok)
			if err != nil {
				i = 1 << 30
			}
			key = append(key, i)
			fld = fld.Items
		default:
			next := fld.byName[tok]
			pos := 1 << 30
			for i, c := range fld.Fields {
				if c == next {
					pos = i
				}
			}
			key = append(key, pos)
			fld = next
		}
	}
	return key
}

// converter turns the jsonschema library's error tree into FieldErrors.
type converter struct {
	f      *Form
	doc    any
	mode   mode
	prefix string // the pointer of doc in the whole document, when doc is a part of it
}

// at returns the pointer of e's instance in the whole document.
func (c *converter) at(e *jsonschema.ValidationError) string {
	return c.prefix + e.InstanceLocation
}

// completeness keywords are not checked in drafts.
var completeness = map[string]bool{
	"required": true, "dependentRequired": true, "dependencies": true,
	"minItems": true, "minProperties": true, "minContains": true,
}

// locate splits an absolute keyword location into the compiled schema it belongs to and the
// keyword path relative to it ("required", "allOf/0", "dependentRequired/a/0").
func (c *converter) locate(abs string, isSchema bool) (*jsonschema.Schema, []string) {
	if isSchema {
		if s := c.f.index[abs]; s != nil {
			return s, nil
		}
	}
	hash := strings.IndexByte(abs, '#')
	if hash < 0 {
		return nil, nil
	}
	end := len(abs)
	for {
		i := strings.LastIndexByte(abs[:end], '/')
		if i < hash {
			return nil, strings.Split(strings.TrimPrefix(abs[hash+1:], "/"), "/")
		}
		end = i
		if s := c.f.index[abs[:end]]; s != nil {
			return s, strings.Split(abs[end+1:], "/")
		}
		if end == hash+1 {
			if s := c.f.index[abs[:hash+1]]; s != nil {
				return s, strings.Split(abs[end+1:], "/")
			}
		}
	}
}

func (c *converter) collect(e *jsonschema.ValidationError) []FieldError {
	if len(e.Causes) == 0 {
		return c.leaf(e)
	}
	_, rel := c.locate(e.AbsoluteKeywordLocation, false)
	kw := ""
	if len(rel) > 0 {
		kw = rel[0]
	}
	switch kw {
	case "anyOf", "oneOf":
		return c.choice(e, kw)
	case "minContains":
		if c.mode == modeDraft {
			return nil
		}
		return []FieldError{c.f.entry(c.at(e), "contains", messageParams{})}
	}
	var out []FieldError
	for _, cause := range e.Causes {
		out = append(out, c.collect(cause)...)
	}
	return out
}

// choice reports a failed anyOf/oneOf: when one alternative fits the value's shape and has only
// problems deeper inside, those problems; otherwise one entry for the choice.
func (c *converter) choice(e *jsonschema.ValidationError, kw string) []FieldError {
	var best []FieldError
	found := false
	for _, branch := range e.Causes {
		errs := c.collect(branch)
		if len(errs) == 0 {
			return nil // in a draft, an alternative that lacks only completeness fits
		}
		deeper := true
		for _, fe := range errs {
			if !strings.HasPrefix(fe.Pointer, c.at(e)+"/") {
				deeper = false
				break
			}
		}
		if deeper && (!found || len(errs) < len(best)) {
			best, found = errs, true
		}
	}
	if found {
		return best
	}
	if fld := c.f.Field(c.at(e)); fld != nil && fld.Enum != nil {
		kw = "enum" // a oneOf of consts is a choice among labelled values
	}
	return []FieldError{c.f.entry(c.at(e), kw, messageParams{})}
}

func (c *converter) leaf(e *jsonschema.ValidationError) []FieldError {
	isFalse := e.Message == "not allowed"
	s, rel := c.locate(e.AbsoluteKeywordLocation, isFalse)
	if isFalse {
		ptr := c.at(e)
		if strings.HasSuffix(e.AbsoluteKeywordLocation, "/unevaluatedProperties") && c.prefix == "" &&
			c.f.Field(ptr) != nil && c.f.appliesIn(c.doc, ptr) {
			// A field of an applicable branch with a problem of its own: the branch failed, so
			// the field counts as unevaluated too. Its own problem is reported where it is.
			return nil
		}
		return []FieldError{c.f.entry(ptr, "false", messageParams{})}
	}
	kw := ""
	if len(rel) > 0 {
		kw = rel[0]
	}
	if c.mode == modeDraft && completeness[kw] {
		return nil
	}
	rel0 := e.InstanceLocation
	ptr := c.at(e)
	p := messageParams{}
	key := kw
	switch kw {
	case "required":
		var out []FieldError
		for _, name := range c.missing(s, rel0, e.Message) {
			p := ptr + "/" + escapePointer(name)
			fld := c.f.Field(p)
			if fld != nil && fld.Type == "object" && s != nil {
				// A group left empty: what each of its fields lacks, not the group.
				if sub := s.Properties[name]; sub != nil {
					if errs := c.empty(sub, p); len(errs) > 0 {
						out = append(out, errs...)
						continue
					}
				}
			}
			out = append(out, c.f.entry(p, requiredKey(fld), messageParams{}))
		}
		return out
	case "x-date":
		if len(rel) == 2 {
			key = "x-date." + rel[1]
			if fld := c.f.Field(ptr); fld != nil && fld.dates != nil {
				switch rel[1] {
				case "maxYearsBack":
					p.limit = strconv.Itoa(*fld.dates.MaxYearsBack)
				case "maxYearsAhead":
					p.limit = strconv.Itoa(*fld.dates.MaxYearsAhead)
				}
			}
			if _, ok := messages[key]; ok {
				break
			}
		}
		key = genericKey
	case "dependentRequired", "dependencies":
		if len(rel) == 3 && s != nil {
			dname := unescapePointer(rel[1])
			i, _ := strconv.Atoi(rel[2])
			var deps []string
			if kw == "dependentRequired" {
				deps = s.DependentRequired[dname]
			} else if d, ok := s.Dependencies[dname].([]string); ok {
				deps = d
			}
			if i < len(deps) {
				other := c.f.params(ptr + "/" + escapePointer(dname))
				p := messageParams{otherDE: other.labelDE, otherEN: other.labelEN}
				return []FieldError{c.f.entry(ptr+"/"+escapePointer(deps[i]), "dependentRequired", p)}
			}
		}
		key = "required"
	case "additionalProperties":
		var out []FieldError
		for _, name := range c.additional(s, rel0) {
			out = append(out, c.f.entry(ptr+"/"+escapePointer(name), "additionalProperties", messageParams{}))
		}
		if len(out) > 0 {
			return out
		}
	case "type":
		if str, ok := valueAt(c.doc, rel0).(string); ok && (jsonNumber.MatchString(str) || germanNumberRe.MatchString(str)) && len(str) > 0 {
			if fld := c.f.Field(ptr); fld != nil && (fld.Type == "number" || fld.Type == "integer") {
				// A number typed in a form that the validator cannot take (see numberInRange).
				return []FieldError{c.f.numberRangeEntry(ptr)}
			}
		}
		key = "type"
		if s != nil && len(s.Types) == 1 {
			key = "type." + s.Types[0]
		} else if s != nil && len(s.Types) == 2 && (s.Types[1] == "null" || s.Types[0] == "null") {
			t := s.Types[0]
			if t == "null" {
				t = s.Types[1]
			}
			key = "type." + t
		}
	case "const":
		if s != nil && len(s.Constant) == 1 && s.Constant[0] == true {
			key = "const.true"
		}
	case "format":
		if s != nil {
			if _, ok := messages["format."+s.Format]; ok {
				key = "format." + s.Format
			}
		}
	case "minLength":
		if s != nil {
			if s.MinLength == 1 {
				key = "minLength.one"
			}
			p.limit = strconv.Itoa(s.MinLength)
		}
	case "maxLength":
		if s != nil {
			p.limit = strconv.Itoa(s.MaxLength)
		}
	case "minItems":
		if s != nil {
			choice := false
			if fld := c.f.Field(ptr); fld != nil && fld.Widget == WidgetCheckboxes {
				choice = true // ticked boxes, not entries
			}
			switch {
			case choice && s.MinItems == 1:
				key = "minItems.choiceOne"
			case choice:
				key = "minItems.choice"
			case s.MinItems == 1:
				key = "minItems.one"
			}
			p.limit = strconv.Itoa(s.MinItems)
		}
	case "maxItems":
		if s != nil {
			p.limit = strconv.Itoa(s.MaxItems)
		}
	case "minProperties":
		if s != nil {
			p.limit = strconv.Itoa(s.MinProperties)
		}
	case "maxProperties":
		if s != nil {
			p.limit = strconv.Itoa(s.MaxProperties)
		}
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf":
		if s != nil {
			p.limit = ratString(map[string]*big.Rat{"minimum": s.Minimum, "maximum": s.Maximum,
				"exclusiveMinimum": s.ExclusiveMinimum, "exclusiveMaximum": s.ExclusiveMaximum, "multipleOf": s.MultipleOf}[kw])
		}
	case "contentEncoding", "contentMediaType", "contentSchema":
		key = "content"
	case "maxContains":
		key = "contains"
	case "oneOf": // valid against more than one alternative
	case "enum", "pattern", "uniqueItems", "not", "additionalItems":
	default:
		key = genericKey
	}
	return []FieldError{c.f.entry(ptr, key, p)}
}

// requiredKey is the message key for a required field that is missing: a choice asks to choose,
// a declaration to confirm, anything else to fill in.
func requiredKey(fld *Field) string {
	if fld == nil {
		return "required"
	}
	switch fld.Widget {
	case WidgetCheckbox:
		return "required.confirm" // a declaration to tick, not a field to fill in
	case WidgetRadio, WidgetSelect:
		if fld.Type == "boolean" && fld.Enum == nil {
			return "required.boolean"
		}
		return "required.choice"
	case WidgetCheckboxes:
		return "required.choices"
	case WidgetRepeat:
		return "required.list"
	}
	return "required"
}

// empty returns what an empty object at ptr lacks against its schema sub: one entry per field.
func (c *converter) empty(sub *jsonschema.Schema, ptr string) []FieldError {
	err := sub.Validate(map[string]any{})
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	inner := converter{f: c.f, doc: map[string]any{}, mode: c.mode, prefix: ptr}
	return inner.collect(ve)
}

// missing returns the names of the required properties absent at ptr.
func (c *converter) missing(s *jsonschema.Schema, ptr, msg string) []string {
	obj, _ := valueAt(c.doc, ptr).(map[string]any)
	if s != nil && obj != nil {
		var out []string
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				out = append(out, r)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	// Fall back to the library's message "missing properties: a, b".
	_, list, _ := strings.Cut(msg, ": ")
	var out []string
	for _, n := range strings.Split(list, ", ") {
		out = append(out, strings.Trim(n, "'"))
	}
	return out
}

// additional returns the properties at ptr that s does not allow.
func (c *converter) additional(s *jsonschema.Schema, ptr string) []string {
	obj, _ := valueAt(c.doc, ptr).(map[string]any)
	if s == nil || obj == nil {
		return nil
	}
	var out []string
	for k := range obj {
		if _, ok := s.Properties[k]; ok {
			continue
		}
		matched := false
		for re := range s.PatternProperties {
			if re.MatchString(k) {
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// valueAt returns the value at a JSON pointer in v, or nil.
func valueAt(v any, ptr string) any {
	for _, tok := range splitPointer(ptr) {
		switch n := v.(type) {
		case map[string]any:
			v = n[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			v = n[i]
		default:
			return nil
		}
	}
	return v
}

func ratString(r *big.Rat) string {
	if r == nil {
		return ""
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}
