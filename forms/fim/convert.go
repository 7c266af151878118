package fim

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// latinPattern approximates the character set of DIN SPEC 91379 (String.Latin+) that
// Datentyp text_latin asks for: printable Basic Latin, Latin-1 Supplement, Latin Extended-A
// and -B, combining diacritical marks and Latin Extended Additional; no control characters.
const latinPattern = "^[ -~\u00a0-\u024f\u0300-\u036f\u1e00-\u1eff]*$"

// timePattern accepts a time of day as an HTML time input sends it, "14:30" or "14:30:15".
const timePattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"

// maxUnbounded is the maxItems of an evidence requirement whose cardinality has no upper
// bound ("1:*"), the most files evidence.Requirement allows.
const maxEvidenceFiles = 100

// cardinality is an anzahl "min:max"; max is -1 for "*".
type cardinality struct{ min, max int }

func parseAnzahl(s *node) (cardinality, error) {
	a := s.child("anzahl")
	if a == nil {
		return cardinality{}, invalid(s, "no <xdf:anzahl>")
	}
	v := strings.TrimSpace(a.text.String())
	lo, hi, ok := strings.Cut(v, ":")
	if !ok {
		return cardinality{}, invalid(a, "%q is not min:max", v)
	}
	min, err := strconv.Atoi(lo)
	if err != nil || min < 0 || min > 1_000_000 {
		return cardinality{}, invalid(a, "%q: the minimum is not a number from 0 to 1000000", v)
	}
	max := -1
	if hi != "*" {
		max, err = strconv.Atoi(hi)
		if err != nil || max < 1 || max > 1_000_000 {
			return cardinality{}, invalid(a, "%q: the maximum is not * or a number from 1 to 1000000", v)
		}
		if max < min {
			return cardinality{}, invalid(a, "%q: the maximum is less than the minimum", v)
		}
	}
	return cardinality{min, max}, nil
}

func (c cardinality) String() string {
	if c.max < 0 {
		return fmt.Sprintf("%d:*", c.min)
	}
	return fmt.Sprintf("%d:%d", c.min, c.max)
}

// object fills o with the object schema of n, a Stammdatenschema or Datenfeldgruppe: one
// property per struktur entry, in order. always says whether the object is present in every
// document (so its required evidence is required).
func (im *importer) object(o *obj, n *node, ptr string, always bool, depth int) error {
	r := ref(n)
	if t := label(n); t != "" {
		o.set("title", t)
	}
	help := n.value("hilfetextEingabe")
	o.set("type", "object")
	props := newObj()
	var required []string
	var texts []*obj
	keyOf := map[string]string{} // FIM id → property name
	kinds := map[string]string{} // property name → datentyp of a field
	for _, s := range n.all("struktur") {
		card, err := parseAnzahl(s)
		if err != nil {
			return err
		}
		enth := s.child("enthaelt")
		if enth == nil || len(enth.children) != 1 {
			return invalid(s, "needs an <xdf:enthaelt> with one <xdf:datenfeld> or <xdf:datenfeldgruppe>")
		}
		el := enth.children[0]
		er := ref(el)
		if er.ID == "" {
			return invalid(el, "no <xdf:identifikation><xdf:id>")
		}
		key := er.ID
		for i := 2; props.has(key); i++ {
			key = fmt.Sprintf("%s_%d", er.ID, i)
		}
		cptr := ptr + "/" + key
		if card.max != 1 {
			cptr += "/*"
		}
		var schema *obj
		fillable := true
		switch el.name {
		case "datenfeld":
			feldart := el.code("feldart")
			datentyp := el.code("datentyp")
			if feldart == "label" {
				text := strings.TrimSpace(el.value("inhalt"))
				if text == "" {
					text = label(el)
				}
				help = joinText(help, text)
				texts = append(texts, newObj().set("id", er.ID).set("version", er.Version).set("text", text))
				continue
			}
			if datentyp == "file" || datentyp == "obj" {
				im.evidence(el, er, ptr, ptr+"/"+key, card, always)
				continue
			}
			schema, err = im.field(el, er, cptr)
			if err != nil {
				return err
			}
			kinds[key] = datentyp
			if feldart == "hidden" || feldart == "locked" {
				fillable = false // the citizen cannot fill it; the portal sets it
			}
		case "datenfeldgruppe":
			if depth >= maxGroupDepth {
				return &Error{Element: el.tag(), Line: el.line, Err: fmt.Errorf("%w: groups nested deeper than %d", ErrTooDeep, maxGroupDepth)}
			}
			schema = newObj()
			if err := im.object(schema, el, cptr, always && card.min > 0, depth+1); err != nil {
				return err
			}
		default:
			return invalid(el, "expected <xdf:datenfeld> or <xdf:datenfeldgruppe>")
		}
		keyOf[er.ID] = key
		props.set(key, wrap(schema, card, er))
		if card.min > 0 && fillable {
			required = append(required, key)
		}
	}
	if help != "" {
		o.set("description", help)
	}
	o.set("properties", props)
	if len(required) > 0 {
		o.set("required", required)
	}
	o.set("additionalProperties", false)
	x := o.sub("x-fim")
	if r.ID != "" {
		x.set("id", r.ID)
		if r.Version != "" {
			x.set("version", r.Version)
		}
	}
	if len(texts) > 0 {
		x.set("texts", texts)
	}
	return im.objectRules(o, n, r, ptr, keyOf, kinds)
}

// maxGroupDepth bounds the nesting of Datenfeldgruppen, below the nesting forms accepts in
// documents.
const maxGroupDepth = 12

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

// wrap applies a cardinality to the schema of one struktur entry: an array for more than one
// entry, the schema itself otherwise.
func wrap(s *obj, c cardinality, r Ref) *obj {
	if c.max == 1 {
		s.sub("x-fim").set("anzahl", c.String())
		return s
	}
	a := newObj()
	title, _ := s.get("title").(string)
	if title != "" {
		a.set("title", title)
	}
	a.set("type", "array")
	a.set("items", s)
	if c.min > 0 {
		a.set("minItems", c.min)
	}
	if c.max > 0 {
		a.set("maxItems", c.max)
	}
	if title != "" {
		a.sub("x-ui").set("itemLabel", title)
	}
	a.sub("x-fim").set("id", r.ID).set("version", r.Version).set("anzahl", c.String())
	return a
}

// field converts a Datenfeld that holds data.
func (im *importer) field(el *node, r Ref, ptr string) (*obj, error) {
	s := newObj()
	if t := label(el); t != "" {
		s.set("title", t)
	}
	if h := el.value("hilfetextEingabe"); h != "" {
		s.set("description", h)
	}
	feldart := el.code("feldart")
	datentyp := el.code("datentyp")
	switch datentyp {
	case "text", "":
		s.set("type", "string")
	case "text_latin":
		s.set("type", "string").set("pattern", latinPattern)
	case "date":
		s.set("type", "string").set("format", "date")
	case "time":
		s.set("type", "string").set("pattern", timePattern)
	case "datetime":
		s.set("type", "string").set("format", "date-time")
	case "bool":
		s.set("type", "boolean")
	case "num":
		s.set("type", "number")
	case "num_int":
		s.set("type", "integer")
	case "num_currency":
		s.set("type", "number").set("multipleOf", json.Number("0.01"))
	default:
		s.set("type", "string")
		im.gap(GapDatentyp, r, ptr, el.child("datentyp"), "", "Datentyp %q is unknown; the field takes any text", datentyp)
	}
	im.praezisierung(s, el, r, ptr, datentyp)
	switch feldart {
	case "input", "", "select":
	case "hidden", "locked":
		s.set("readOnly", true)
		what := "shown but not changeable (gesperrt)"
		if feldart == "hidden" {
			what = "not shown (versteckt)"
		}
		im.gap(GapFeldart, r, ptr, el.child("feldart"), "", "Feldart %s: the field is %s and set by the portal; the schema marks it readOnly, which forms neither hides nor enforces", feldart, what)
	default:
		im.gap(GapFeldart, r, ptr, el.child("feldart"), "", "Feldart %q is unknown; the field is an ordinary input", feldart)
	}
	codes, uri := im.codes(el, r, ptr)
	if codes != nil {
		vals := make([]string, len(codes))
		labels := newObj()
		for i, c := range codes {
			vals[i] = c.Value
			if c.Label != "" && c.Label != c.Value {
				labels.set(c.Value, c.Label)
			}
		}
		if s.get("type") == "string" {
			s.set("enum", vals)
			if labels.len() > 0 {
				s.sub("x-ui").set("enumLabels", labels)
			}
		} else {
			im.gap(GapCodeList, r, ptr, el, "", "a code list on a field of Datentyp %q is not applied", datentyp)
		}
	}
	if m, ok := s.get("maxLength").(int); ok && m > 200 && datentyp == "text" && !s.has("enum") {
		s.sub("x-ui").set("widget", "textarea")
	}
	im.inhalt(s, el, r, ptr)
	x := s.sub("x-fim")
	x.set("id", r.ID)
	if r.Version != "" {
		x.set("version", r.Version)
	}
	x.set("feldart", feldart).set("datentyp", datentyp)
	if uri != "" {
		x.set("codeList", uri)
	}
	im.fieldRules(el, r, ptr)
	return s, nil
}

// praezisierung applies the constraints of a field: XDatenfelder 2 writes them as a JSON
// object in the element's text, XDatenfelder 3 as attributes.
func (im *importer) praezisierung(s *obj, el *node, r Ref, ptr, datentyp string) {
	p := el.child("praezisierung")
	if p == nil {
		return
	}
	vals := map[string]string{}
	order := []string{}
	if text := strings.TrimSpace(p.text.String()); im.res.XDatenfelder == "2.0" && text != "" {
		var raw map[string]any
		d := json.NewDecoder(strings.NewReader(text))
		d.UseNumber()
		if err := d.Decode(&raw); err != nil {
			im.gap(GapPraezisierung, r, ptr, p, text, "not a JSON object (%v); no constraint applied", err)
			return
		}
		for _, k := range []string{"minLength", "maxLength", "minValue", "maxValue", "pattern"} {
			if v, ok := raw[k]; ok {
				vals[k] = fmt.Sprint(v)
				order = append(order, k)
				delete(raw, k)
			}
		}
		for k, v := range raw {
			im.gap(GapPraezisierung, r, ptr, p, fmt.Sprintf("%s: %v", k, v), "constraint %q is unknown", k)
		}
	}
	if text := strings.TrimSpace(p.text.String()); im.res.XDatenfelder != "2.0" && text != "" {
		im.gap(GapPraezisierung, r, ptr, p, text, "the text of a Präzisierung in XDatenfelder 3 is not a constraint the import reads; only its attributes are applied")
	}
	for _, a := range p.attrs {
		switch a.Name.Local {
		case "minLength", "maxLength", "minValue", "maxValue", "pattern":
			vals[a.Name.Local] = a.Value
			order = append(order, a.Name.Local)
		default:
			im.gap(GapPraezisierung, r, ptr, p, a.Name.Local+"="+a.Value, "constraint %q is unknown", a.Name.Local)
		}
	}
	typ, _ := s.get("type").(string)
	for _, k := range order {
		v := strings.TrimSpace(vals[k])
		if v == "" {
			continue
		}
		switch {
		case (k == "minLength" || k == "maxLength") && typ == "string":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1<<30 {
				im.gap(GapPraezisierung, r, ptr, p, k+"="+v, "%s is not a length", k)
				continue
			}
			s.set(k, n)
		case k == "pattern" && typ == "string":
			anchored := "^(?:" + v + ")$" // XSD patterns match the whole value
			if _, err := regexp.Compile(anchored); err != nil {
				im.gap(GapPraezisierung, r, ptr, p, v, "the pattern is not a regular expression this validator understands: %v", err)
				continue
			}
			if s.has("pattern") {
				im.gap(GapPraezisierung, r, ptr, p, v, "the pattern is not applied next to the pattern of Datentyp %s", datentyp)
				continue
			}
			s.set("pattern", anchored)
		case (k == "minValue" || k == "maxValue") && (typ == "number" || typ == "integer"):
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				im.gap(GapPraezisierung, r, ptr, p, k+"="+v, "%s is not a number", k)
				continue
			}
			kw := "minimum"
			if k == "maxValue" {
				kw = "maximum"
			}
			s.set(kw, json.Number(strconv.FormatFloat(f, 'f', -1, 64)))
		default:
			im.gap(GapPraezisierung, r, ptr, p, k+"="+v, "%s does not apply to a field of Datentyp %q in JSON Schema", k, datentyp)
		}
	}
}

// codes returns the values of the field's code list: inline values (XDatenfelder 3 werte) or
// the list named by codelisteReferenz, looked up in Options.CodeLists. nil when the field has
// none or its values are unknown (then a Gap says so).
func (im *importer) codes(el *node, r Ref, ptr string) ([]Code, string) {
	if w := el.child("werte"); w != nil {
		var out []Code
		for _, v := range w.all("wert") {
			c := Code{Value: v.value("code"), Label: v.value("name")}
			if c.Value == "" {
				im.gap(GapCodeList, r, ptr, v, "", "a value without a code is left out")
				continue
			}
			out = append(out, c)
		}
		if len(out) > 0 {
			return out, ""
		}
	}
	ref := el.child("codelisteReferenz")
	uri := strings.TrimSpace(find(ref, "canonicalIdentification").textValue())
	versionURI := strings.TrimSpace(find(ref, "canonicalVersionUri").textValue())
	if uri == "" {
		if el.code("feldart") == "select" {
			im.gap(GapCodeList, r, ptr, el, "", "a selection (Feldart select) without code list or values takes any text")
		}
		return nil, ""
	}
	for _, k := range []string{versionURI, uri} {
		if codes, ok := im.opts.CodeLists[k]; ok && k != "" && len(codes) > 0 {
			if ck, nk := el.value("codeKey"), el.value("nameKey"); ck != "" || nk != "" {
				im.gap(GapCodeList, r, ptr, el.child("codeKey"), "codeKey="+ck+" nameKey="+nk, "the field names the columns of its code list; the values given in Options.CodeLists are used as they are")
			}
			return codes, uri
		}
	}
	im.gap(GapCodeList, r, ptr, ref, uri, "the values of code list %s are not in the export; pass them in Options.CodeLists to make the field a choice", firstNonEmpty(versionURI, uri))
	return nil, uri
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// find returns the first descendant of n with the local name, depth first.
func find(n *node, name string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name == name {
			return c
		}
		if f := find(c, name); f != nil {
			return f
		}
	}
	return nil
}

func (n *node) textValue() string {
	if n == nil {
		return ""
	}
	return n.text.String()
}

// inhalt applies the preset value (Inhalt) of a field as its default.
func (im *importer) inhalt(s *obj, el *node, r Ref, ptr string) {
	v := strings.TrimSpace(el.value("inhalt"))
	if v == "" {
		return
	}
	var def any
	switch s.get("type") {
	case "string":
		def = v
		if enum, ok := s.get("enum").([]string); ok && !contains(enum, v) {
			def = nil
		}
		if p, ok := s.get("pattern").(string); ok && !regexp.MustCompile(p).MatchString(v) {
			def = nil
		}
	case "boolean":
		switch strings.ToLower(v) {
		case "true", "1", "ja":
			def = true
		case "false", "0", "nein":
			def = false
		}
	case "number", "integer":
		if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) &&
			(s.get("type") == "number" || f == math.Trunc(f)) {
			def = json.Number(strconv.FormatFloat(f, 'f', -1, 64))
		}
	}
	if def == nil {
		im.gap(GapInhalt, r, ptr, el.child("inhalt"), v, "the preset value does not fit the field and is not used")
		return
	}
	s.set("default", def)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// evidence turns a file field into an evidence requirement.
// parent is the JSON pointer of the enclosing group, ptr the field's.
func (im *importer) evidence(el *node, r Ref, parent, ptr string, card cardinality, always bool) {
	id := strings.ToLower(r.ID)
	base := id
	for i := 2; im.evidenceIDs[id]; i++ {
		id = fmt.Sprintf("%s-%d", base, i)
	}
	im.evidenceIDs[id] = true
	req := evidence.Requirement{
		ID:          id,
		Title:       clip(label(el), 200),
		Description: clip(el.value("hilfetextEingabe"), 2000),
		Required:    always && card.min > 0,
		MediaTypes:  append([]string(nil), im.opts.EvidenceMediaTypes...),
		MaxSize:     im.opts.EvidenceMaxSize,
		MaxCount:    1,
	}
	if req.Title == "" {
		req.Title = r.ID
	}
	if card.min > 1 {
		req.MinCount = min(card.min, maxEvidenceFiles)
	}
	switch {
	case card.max < 0:
		req.MaxCount = max(req.MinCount, 10)
	case card.max > 1:
		req.MaxCount = min(card.max, maxEvidenceFiles)
	}
	if !always && card.min > 0 {
		im.gap(GapEvidence, r, ptr, el, "", "required only when its optional group is filled; the requirement is optional")
	}
	if strings.Contains(parent, "*") {
		im.gap(GapEvidence, r, ptr, el, "", "belongs to a repeated group; one requirement covers all entries")
	}
	if mt := strings.TrimSpace(el.value("mediaType")); mt != "" {
		var types []string
		for _, t := range strings.FieldsFunc(mt, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			if strings.Count(t, "/") == 1 {
				types = append(types, strings.ToLower(t))
			}
		}
		if len(types) > 0 {
			req.MediaTypes = types
		}
	}
	if ms := strings.TrimSpace(el.value("maxSize")); ms != "" {
		im.gap(GapEvidence, r, ptr, el.child("maxSize"), ms, "maxSize is not applied: the export does not state its unit; the requirement allows %d bytes", req.MaxSize)
	}
	im.fieldRules(el, r, ptr)
	im.res.Evidence = append(im.res.Evidence, Evidence{Requirement: req, Field: r, Pointer: ptr})
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
