package forms

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed templates/form.html.tmpl
var templateFS embed.FS

// formTemplate is parsed on first use; it holds no state.
var formTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(templateFS, "templates/form.html.tmpl"))
})

// RenderOptions say how to render a form. nil means German, all fields, no errors.
type RenderOptions struct {
	// Lang is "de" (default) or "en".
	Lang string
	// Action is the URL the form posts to; "" posts to the page's own URL.
	Action string
	// Step renders only the fields of this step (page); "" renders all.
	Step string
	// Errors is the error of a validation (a *ValidationError) to show: an error summary at the
	// top linking to each field, and each message at its field. Other errors are ignored.
	Errors error
	// Hidden are extra hidden inputs, such as a CSRF token. Their names must start with "_",
	// which ParseValues ignores; "_lang", "_action" and "_arrays" are the package's own.
	Hidden map[string]string
	// SubmitLabel is the text of the submit button; default "Weiter"/"Continue".
	SubmitLabel Text
}

// Render writes the form as accessible HTML (WCAG 2.1 AA / BITV 2.0) filled with the values of
// doc (a JSON document; nil or empty for none):
//
//   - every input has a <label for>; objects and choices are fieldsets with a legend;
//   - help texts and error messages are linked with aria-describedby, invalid inputs have
//     aria-invalid, required ones aria-required, and optional ones say "(optional)";
//   - with errors, an error summary (role="alert") at the top links to each field, following the
//     GOV.UK Design System pattern;
//   - up to five choices render as radios, more as a select, booleans as Ja/Nein radios, a
//     declaration ({"type": "boolean", "const": true}, or a boolean with widget "checkbox") as
//     one checkbox with the field's label, arrays of choices as checkboxes, format "date" as a
//     date input (with min and max from "x-date"), numbers as text inputs with an inputmode;
//   - arrays render as repeatable groups with add and remove buttons that are plain submit
//     buttons (name "_action"), so they work without JavaScript; see ParseValues. Each array is
//     named in a hidden "_arrays" input, so that one left empty posts back as [];
//   - only the questions that apply to doc are rendered (see the package documentation on
//     conditions), and errors at fields not rendered are left out of the page.
//
// Every value is escaped by html/template. Input names are the fields' JSON pointers.
func (f *Form) Render(w io.Writer, doc []byte, opts *RenderOptions) error {
	if opts == nil {
		opts = &RenderOptions{}
	}
	var v any
	if len(bytes.TrimSpace(doc)) > 0 {
		var err error
		if v, err = f.decode(doc); err != nil {
			return fmt.Errorf("forms: render %s: %w", f.name, err)
		}
	}
	r := renderer{f: f, lang: opts.Lang, byPointer: map[string]*viewField{}, errs: map[string][]string{}, skipped: map[string]bool{}}
	if r.lang != "en" {
		r.lang = "de"
	}
	var ve *ValidationError
	if errors.As(opts.Errors, &ve) {
		r.ve = ve
		for _, fe := range ve.Errors {
			r.errs[fe.Pointer] = append(r.errs[fe.Pointer], fe.Text(r.lang))
		}
	}
	page := viewForm{
		Lang:         r.lang,
		Action:       opts.Action,
		SummaryTitle: r.t("Es gibt ein Problem", "There is a problem"),
		SubmitLabel:  opts.SubmitLabel.In(r.lang),
	}
	if page.SubmitLabel == "" {
		page.SubmitLabel = r.t("Weiter", "Continue")
	}
	if opts.Step != "" {
		st, ok := f.Step(opts.Step)
		if !ok {
			return fmt.Errorf("%w: %q in %s", ErrUnknownStep, opts.Step, f.name)
		}
		page.Title = st.Title.In(r.lang)
	}
	page.Hidden = append(page.Hidden, viewHidden{"_lang", r.lang}) // how ParseValues reads numbers
	for _, name := range sortedKeys(opts.Hidden) {
		if !strings.HasPrefix(name, "_") || name == "_lang" || name == "_action" || name == arraysField {
			return fmt.Errorf("forms: render %s: hidden input %q must start with _ and not be _lang, _action or %s", f.name, name, arraysField)
		}
		page.Hidden = append(page.Hidden, viewHidden{name, opts.Hidden[name]})
	}
	obj, _ := v.(map[string]any)
	for _, c := range f.root.Fields {
		ptr := "/" + escapePointer(c.Name)
		if opts.Step != "" && c.Step != opts.Step || !c.applies(obj) {
			r.skipped[ptr] = true
			continue
		}
		page.Fields = append(page.Fields, r.field(c, ptr, obj[c.Name], 0, c.requiredIn(obj)))
	}
	if ve != nil {
		for _, fe := range ve.Errors {
			if r.hidden(fe.Pointer) {
				continue // a field not on this page, or one whose condition does not hold
			}
			page.Summary = append(page.Summary, viewSummary{Message: fe.Text(r.lang), Target: r.target(fe.Pointer)})
		}
	}
	var buf bytes.Buffer
	if err := formTemplate().ExecuteTemplate(&buf, "form", page); err != nil {
		return fmt.Errorf("forms: render %s: %w", f.name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type viewForm struct {
	Lang, Action, Title string
	SummaryTitle        string
	Summary             []viewSummary
	Hidden              []viewHidden
	Fields              []*viewField
	SubmitLabel         string
}

type viewSummary struct{ Message, Target string }

type viewHidden struct{ Name, Value string }

type viewOption struct {
	ID, Value, Label string
	Checked          bool
}

type viewItem struct {
	Field       *viewField
	Pointer     string
	RemoveLabel string
}

type viewField struct {
	Kind         string // group, repeat, radio, checkboxes, checkbox, select, textarea, input
	ID           string
	FieldsetID   string
	Name         string // JSON pointer
	Label        string
	Optional     string
	Help         string
	HintID       string
	Errors       []string
	ErrorID      string
	ErrorPrefix  string
	DescribedBy  string
	Invalid      bool
	Required     bool
	Value        string
	InputType    string
	InputMode    string
	Autocomplete string
	MaxLength    int
	Placeholder  string
	Options      []viewOption
	Children     []*viewField
	Items        []viewItem
	AddLabel     string
	Marker       bool   // an array: a hidden input tells ParseValues that it was on the page
	MarkerName   string // arraysField
	Min, Max     string // bounds of a date input
}

type renderer struct {
	f         *Form
	lang      string
	ve        *ValidationError
	errs      map[string][]string
	byPointer map[string]*viewField
	skipped   map[string]bool // pointers of fields not rendered: other steps, conditions not met
}

// hidden reports whether pointer is at or below a field that was not rendered.
func (r *renderer) hidden(pointer string) bool {
	for p := pointer; p != ""; {
		if r.skipped[p] {
			return true
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return false
}

func (r *renderer) t(de, en string) string {
	if r.lang == "en" {
		return en
	}
	return de
}

// fieldID makes an HTML id from a JSON pointer: "f" and, per token, "-" and the token with
// everything but ASCII letters and digits written as _XX. It is unique per pointer and never
// contains "--", which separates the suffixes of option, hint and error ids.
// FieldID returns the HTML id Render gives the field (or fieldset) at the JSON pointer, e.g.
// for a page to jump back to a repeatable group after its add or remove button.
func FieldID(pointer string) string { return fieldID(pointer) }

func fieldID(pointer string) string {
	var b strings.Builder
	b.WriteString("f")
	for _, tok := range splitPointer(pointer) {
		b.WriteByte('-')
		if tok == "" {
			b.WriteByte('_')
		}
		for i := 0; i < len(tok); i++ {
			c := tok[i]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "_%02X", c)
			}
		}
	}
	return b.String()
}

func (r *renderer) field(fl *Field, ptr string, v any, depth int, required bool) *viewField {
	id := fieldID(ptr)
	vf := &viewField{
		Kind:         fl.Widget,
		ID:           id,
		FieldsetID:   id,
		Name:         ptr,
		Label:        fl.Label.In(r.lang),
		Help:         fl.Help.In(r.lang),
		HintID:       id + "--hint",
		ErrorID:      id + "--error",
		ErrorPrefix:  r.t("Fehler:", "Error:"),
		Required:     required,
		Autocomplete: fl.Autocomplete,
		Placeholder:  r.t("Bitte wählen Sie aus", "Please choose"),
		Errors:       r.errs[ptr],
		MarkerName:   arraysField,
	}
	if vf.Label == "" {
		vf.Label = fl.Name
	}
	if !required && fl.Widget != WidgetGroup && fl.Widget != WidgetCheckbox {
		vf.Optional = "(optional)"
	}
	vf.Invalid = len(vf.Errors) > 0
	var desc []string
	if vf.Help != "" {
		desc = append(desc, vf.HintID)
	}
	if vf.Invalid {
		desc = append(desc, vf.ErrorID)
	}
	vf.DescribedBy = strings.Join(desc, " ")
	r.byPointer[ptr] = vf

	switch fl.Widget {
	case WidgetGroup:
		obj, _ := v.(map[string]any)
		for _, c := range fl.Fields {
			cp := ptr + "/" + escapePointer(c.Name)
			if !c.applies(obj) {
				r.skipped[cp] = true
				continue
			}
			vf.Children = append(vf.Children, r.field(c, cp, obj[c.Name], depth+1, c.requiredIn(obj)))
		}
	case WidgetRepeat:
		vf.Kind = "repeat"
		vf.Marker = true
		arr, _ := v.([]any)
		// As many entries as there are, and empty ones up to the least the schema asks for. An
		// array that may be empty starts empty: its add button adds the first entry.
		n := max(len(arr), fl.MinItems)
		item := fl.ItemLabel.In(r.lang)
		if item == "" {
			item = r.t("Eintrag", "Entry")
		}
		for i := 0; i < n; i++ {
			var iv any
			if i < len(arr) {
				iv = arr[i]
			}
			ip := ptr + "/" + strconv.Itoa(i)
			child := fl.Items
			if child == nil {
				child = &Field{Type: "string", Widget: WidgetText}
			}
			cf := r.field(child, ip, iv, depth+1, true)
			cf.Label = item + " " + strconv.Itoa(i+1)
			cf.Optional = ""
			vf.Items = append(vf.Items, viewItem{Field: cf, Pointer: ip,
				RemoveLabel: r.t(item+" "+strconv.Itoa(i+1)+" entfernen", "Remove "+strings.ToLower(item)+" "+strconv.Itoa(i+1))})
		}
		if fl.MaxItems < 0 || n < fl.MaxItems {
			vf.AddLabel = r.t(item+" hinzufügen", "Add "+strings.ToLower(item))
		}
	case WidgetRadio, WidgetSelect:
		cur := scalarString(v)
		if fl.Type == "boolean" && fl.Enum == nil {
			vf.Options = []viewOption{{Value: "true", Label: r.t("Ja", "Yes")}, {Value: "false", Label: r.t("Nein", "No")}}
		} else {
			for i, e := range fl.Enum {
				vf.Options = append(vf.Options, viewOption{Value: valueKey(e), Label: fl.EnumLabels[i].In(r.lang)})
			}
		}
		for i := range vf.Options {
			vf.Options[i].ID = id + "--" + strconv.Itoa(i)
			vf.Options[i].Checked = v != nil && vf.Options[i].Value == cur
		}
	case WidgetCheckboxes:
		vf.Marker = true
		chosen := map[string]bool{}
		arr, _ := v.([]any)
		for _, x := range arr {
			chosen[scalarString(x)] = true
		}
		for i, e := range fl.Items.Enum {
			vf.Options = append(vf.Options, viewOption{ID: id + "--" + strconv.Itoa(i), Value: valueKey(e),
				Label: fl.Items.EnumLabels[i].In(r.lang), Checked: chosen[valueKey(e)]})
		}
	case WidgetCheckbox:
		vf.Value = scalarString(v)
	default:
		vf.Kind = "input"
		if fl.Widget == WidgetTextarea {
			vf.Kind = "textarea"
		}
		vf.Value = scalarString(v)
		if fl.MaxLength > 0 {
			vf.MaxLength = fl.MaxLength
		}
		vf.InputType = "text"
		if fl.Format == FormatIBAN && vf.Help == "" {
			vf.Help = r.t("Zum Beispiel ", "For example ") + ExampleIBAN
			vf.HintID = id + "--hint"
			vf.DescribedBy = strings.TrimSpace(vf.HintID + " " + vf.DescribedBy)
		}
		switch {
		case fl.Widget == WidgetDate:
			vf.InputType = "date"
			if fl.dates != nil {
				now := r.f.now()
				if t, ok := fl.dates.earliest(now); ok {
					vf.Min = t.Format(time.DateOnly)
				}
				if t, ok := fl.dates.latest(now); ok {
					vf.Max = t.Format(time.DateOnly)
				}
			}
		case fl.Format == "email":
			vf.InputType = "email"
		case fl.Format == FormatPhone:
			vf.InputType = "tel"
		case fl.Type == "integer", fl.Format == FormatPLZ, fl.Format == FormatSteuerID:
			vf.InputMode = "numeric"
		case fl.Type == "number":
			vf.InputMode = "decimal"
		}
		if n, ok := v.(json.Number); ok && r.lang == "de" && (fl.Type == "number" || fl.Type == "integer") {
			// Shown as a German would write it, so that "2,5" comes back as "2,5".
			vf.Value = strings.Replace(n.String(), ".", ",", 1)
		}
	}
	return vf
}

// target returns the id an error summary entry links to: the field's input (the first option of
// a choice), or the first input of the nearest rendered ancestor; "" when there is none.
func (r *renderer) target(pointer string) string {
	for p := pointer; ; {
		if vf, ok := r.byPointer[p]; ok {
			return firstInput(vf)
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return ""
		}
		p = p[:i]
	}
}

func firstInput(vf *viewField) string {
	switch vf.Kind {
	case "group":
		for _, c := range vf.Children {
			if id := firstInput(c); id != "" {
				return id
			}
		}
		return vf.ID
	case "repeat":
		if len(vf.Items) > 0 {
			return firstInput(vf.Items[0].Field)
		}
		if vf.AddLabel != "" {
			return vf.ID + "--add" // an empty list: its add button
		}
		return vf.ID
	case WidgetRadio, WidgetCheckboxes:
		if len(vf.Options) > 0 {
			return vf.Options[0].ID
		}
	}
	return vf.ID
}

// scalarString is how a JSON value shows in an input.
func scalarString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
