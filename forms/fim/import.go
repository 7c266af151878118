package fim

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// Default limits; see Options.
const (
	// MaxSize is the default largest export, in bytes, that Import reads.
	MaxSize = 8 << 20
	// MaxDepth is the default deepest nesting of XML elements. Each level of Datenfeldgruppen
	// costs three (struktur, enthaelt, datenfeldgruppe).
	MaxDepth = 64
	// MaxElements is the default largest number of XML elements in an export.
	MaxElements = 200_000
	// DefaultEvidenceMaxSize is the largest file an evidence requirement from a file field
	// accepts unless Options say otherwise.
	DefaultEvidenceMaxSize = 10 << 20
)

// Namespaces of the XDatenfelder versions.
const (
	NamespaceV1 = "urn:xoev-de:fim:standard:xdatenfelder_1"
	NamespaceV2 = "urn:xoev-de:fim:standard:xdatenfelder_2"
	NamespaceV3 = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"
)

// DefaultEvidenceMediaTypes are the media types an evidence requirement from a file field
// accepts unless the export (XDatenfelder 3 mediaType) or Options say otherwise.
var DefaultEvidenceMediaTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// Options tune Import. nil means the defaults.
type Options struct {
	MaxSize     int64 // default MaxSize
	MaxDepth    int   // default MaxDepth
	MaxElements int   // default MaxElements
	// CodeLists holds the values of code lists (Codelisten) by canonical URI (e.g.
	// "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat") or canonical version
	// URI. XDatenfelder 2 exports only refer to their code lists; fields whose list is
	// missing here become free text and are listed in Result.NotEnforced. See ReadGenericode.
	CodeLists map[string][]Code
	// EvidenceMediaTypes are the media types of evidence requirements made from file fields
	// that do not name their own; default DefaultEvidenceMediaTypes.
	EvidenceMediaTypes []string
	// EvidenceMaxSize is the largest accepted file of such requirements; default
	// DefaultEvidenceMaxSize.
	EvidenceMaxSize int64
}

// Code is one value of a code list and its label for citizens.
type Code struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Ref identifies a FIM element (Stammdatenschema S…, Datenfeldgruppe G…, Datenfeld F…,
// Regel R…) with its version.
type Ref struct {
	ID      string `json:"id"`
	Version string `json:"version,omitempty"`
}

// Result is an imported Stammdatenschema.
type Result struct {
	// Schema is the form: a JSON Schema (draft 2020-12) with "x-ui" hints for package forms
	// and an "x-fim" annotation on every node that comes from a FIM element.
	Schema json.RawMessage `json:"schema"`
	// Source is the imported Stammdatenschema (or Datenfeldgruppe) and Name its name.
	Source Ref    `json:"source"`
	Name   string `json:"name"`
	// XDatenfelder is the version of the export: "2.0" or "3.0.0".
	XDatenfelder string `json:"xdatenfelder"`
	// Evidence lists the file fields (Datentyp file or obj), which are uploads, not data.
	Evidence []Evidence `json:"evidence,omitempty"`
	// NotEnforced lists what the schema does not check although the export asks for it:
	// rules (Regeln) JSON Schema cannot express, code lists whose values were not given, and
	// the like. Nothing of the export is dropped without an entry here.
	NotEnforced []Gap `json:"notEnforced,omitempty"`
}

// Evidence is an evidence requirement (Nachweis) made from a file field.
type Evidence struct {
	Requirement evidence.Requirement `json:"requirement"`
	// Field is the FIM Datenfeld it comes from.
	Field Ref `json:"field"`
	// Pointer is the JSON pointer of the field's place in a document, "*" for the entries
	// of a repeated group, e.g. "/G00000630/F00001019". The data holds no value there.
	Pointer string `json:"pointer"`
}

// Kinds of Gap.
const (
	GapRule          = "rule"          // a Regel
	GapCodeList      = "codeList"      // a code list whose values are unknown
	GapFeldart       = "feldart"       // hidden and locked fields, unknown Feldarten
	GapDatentyp      = "datentyp"      // an unknown Datentyp
	GapPraezisierung = "praezisierung" // a constraint that was not applied
	GapInhalt        = "inhalt"        // a preset value that does not fit the field
	GapEvidence      = "evidence"      // a detail of a file field not applied
)

// Gap is something the export asks for that the schema does not enforce.
type Gap struct {
	Kind string `json:"kind"`
	// Element is the FIM element the gap belongs to (R… for rules, F…/G… otherwise).
	Element Ref `json:"element"`
	// Pointer is the JSON pointer in a document of the field or group concerned.
	Pointer string `json:"pointer"`
	Line    int    `json:"line"`
	// Text is what the export says, e.g. the rule's free text or script.
	Text   string `json:"text,omitempty"`
	Reason string `json:"reason"`
}

// Import reads an XDatenfelder 2.0 or 3.0 export (a Stammdatenschema message or a
// Datenfeldgruppe message) and returns the form it describes. Errors are *Error values that
// name the element and line; ErrUnsupported for other documents, such as XDatenfelder 1.x.
func Import(r io.Reader, opts *Options) (*Result, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.MaxSize <= 0 {
		o.MaxSize = MaxSize
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = MaxDepth
	}
	if o.MaxElements <= 0 {
		o.MaxElements = MaxElements
	}
	if len(o.EvidenceMediaTypes) == 0 {
		o.EvidenceMediaTypes = DefaultEvidenceMediaTypes
	}
	if o.EvidenceMaxSize <= 0 {
		o.EvidenceMaxSize = DefaultEvidenceMaxSize
	}
	root, err := parse(r, parseLimits{maxSize: o.MaxSize, maxDepth: o.MaxDepth, maxElements: o.MaxElements})
	if err != nil {
		return nil, err
	}
	im := &importer{opts: &o, res: &Result{}, evidenceIDs: map[string]bool{}}
	switch root.space {
	case NamespaceV2:
		im.res.XDatenfelder = "2.0"
	case NamespaceV3:
		im.res.XDatenfelder = "3.0.0"
	case NamespaceV1:
		return nil, &Error{Element: root.tag(), Line: root.line, Err: fmt.Errorf("%w: XDatenfelder 1.x (namespace %s); export the schema in XDatenfelder 2.0 or 3.0", ErrUnsupported, root.space)}
	default:
		return nil, &Error{Element: "<" + root.name + ">", Line: root.line, Err: fmt.Errorf("%w: namespace %q is not XDatenfelder 2.0 or 3.0", ErrUnsupported, root.space)}
	}
	var schema *obj
	switch root.name {
	case "xdatenfelder.stammdatenschema.0102":
		body := root.child("stammdatenschema")
		if body == nil {
			return nil, invalid(root, "no <xdf:stammdatenschema>")
		}
		schema, err = im.root(body)
	case "xdatenfelder.datenfeldgruppe.0103":
		body := root.child("datenfeldgruppe")
		if body == nil {
			return nil, invalid(root, "no <xdf:datenfeldgruppe>")
		}
		schema, err = im.groupMessage(body)
	default:
		return nil, &Error{Element: root.tag(), Line: root.line, Err: fmt.Errorf("%w: message %s; Import reads Stammdatenschema (0102) and Datenfeldgruppe (0103) messages", ErrUnsupported, root.name)}
	}
	if err != nil {
		return nil, err
	}
	raw, err := indentObj(schema)
	if err != nil {
		return nil, fmt.Errorf("fim: encode schema: %w", err)
	}
	im.res.Schema = raw
	return im.res, nil
}

// importer holds the state of one Import.
type importer struct {
	opts        *Options
	res         *Result
	evidenceIDs map[string]bool
}

func (im *importer) gap(kind string, el Ref, ptr string, n *node, text, reason string, a ...any) {
	g := Gap{Kind: kind, Element: el, Pointer: ptr, Text: strings.TrimSpace(text), Reason: fmt.Sprintf(reason, a...)}
	if n != nil {
		g.Line = n.line
	}
	im.res.NotEnforced = append(im.res.NotEnforced, g)
}

func ref(n *node) Ref {
	id := n.child("identifikation")
	return Ref{ID: id.value("id"), Version: id.value("version")}
}

// root converts a Stammdatenschema into the root schema.
func (im *importer) root(s *node) (*obj, error) {
	r := ref(s)
	if r.ID == "" {
		return nil, invalid(s, "no <xdf:identifikation><xdf:id>")
	}
	im.res.Source = r
	im.res.Name = s.value("name")
	schema := newObj()
	schema.set("$schema", "https://json-schema.org/draft/2020-12/schema")
	if err := im.object(schema, s, "", true, 0); err != nil {
		return nil, err
	}
	im.steps(schema)
	schema.sub("x-fim").set("xdatenfelder", im.res.XDatenfelder)
	return schema, nil
}

// groupMessage converts a Datenfeldgruppe message into a form with the group as its only
// property, so that documents carry the group's id as they would in a Stammdatenschema.
func (im *importer) groupMessage(g *node) (*obj, error) {
	r := ref(g)
	if r.ID == "" {
		return nil, invalid(g, "no <xdf:identifikation><xdf:id>")
	}
	im.res.Source = r
	im.res.Name = g.value("name")
	schema := newObj()
	schema.set("$schema", "https://json-schema.org/draft/2020-12/schema")
	schema.set("title", label(g))
	schema.set("type", "object")
	child := newObj()
	if err := im.object(child, g, "/"+r.ID, true, 1); err != nil {
		return nil, err
	}
	schema.sub("properties").set(r.ID, child)
	schema.set("required", []string{r.ID})
	schema.set("additionalProperties", false)
	schema.sub("x-fim").set("xdatenfelder", im.res.XDatenfelder)
	return schema, nil
}

// steps splits the root's properties into pages: each top-level group is a step, and each
// run of top-level fields between groups is one more. A form without top-level groups is a
// single page.
func (im *importer) steps(root *obj) {
	props, _ := root.get("properties").(*obj)
	if props == nil {
		return
	}
	type step struct {
		id     string
		title  string
		fields []string
	}
	var steps []*step
	var run *step
	groups, runs := 0, 0
	for _, k := range props.keys {
		p := props.get(k).(*obj)
		if isGroup(p) {
			title, _ := p.get("title").(string)
			groups++
			steps = append(steps, &step{id: stepID(k), title: title, fields: []string{k}})
			run = nil
			continue
		}
		if run == nil {
			runs++
			id := "angaben"
			if runs > 1 {
				id = fmt.Sprintf("angaben-%d", runs)
			}
			run = &step{id: id, title: "Weitere Angaben"}
			steps = append(steps, run)
		}
		run.fields = append(run.fields, k)
	}
	if groups == 0 || len(steps) < 2 {
		return
	}
	var hints []*obj
	for _, s := range steps {
		hints = append(hints, newObj().set("id", s.id).set("title", s.title).set("fields", s.fields))
	}
	root.sub("x-ui").set("steps", hints)
}

func isGroup(p *obj) bool {
	if p.get("type") == "array" {
		p, _ = p.get("items").(*obj)
	}
	return p != nil && p.get("type") == "object"
}

// stepID makes a step id from a property name: lower case, "_" as "-".
func stepID(key string) string {
	return strings.ReplaceAll(strings.ToLower(key), "_", "-")
}

// label is what citizens see as the name of an element: Bezeichnung Eingabe, else the name.
func label(n *node) string {
	if s := n.value("bezeichnungEingabe"); s != "" {
		return s
	}
	return n.value("name")
}

// MarshalReport renders the whole result (schema, source, evidence, notEnforced) as
// indented JSON.
func (r *Result) MarshalReport() ([]byte, error) {
	return marshalIndent(r)
}
