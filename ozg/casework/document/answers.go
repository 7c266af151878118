package document

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/forms"
)

// Bounds on rendering form data, which comes from outside.
const (
	maxDepth = 8    // nesting of objects and arrays
	maxRows  = 2000 // rows of all sections together
)

// Row is one answered field: its label and its value as text. Depth is its nesting under a
// group or a repeated entry (0 at the top); a group's own row has an empty Value.
type Row struct {
	Label   string
	Value   string
	Depth   int
	Pointer string
}

// Section is one step (page) of the form with its answered fields.
type Section struct {
	Title string
	Rows  []Row
}

// Answers turns form data into sections of labelled rows, in the form's order and steps,
// with the labels, choice labels and dates in lang ("de" or "en"). Fields without an answer
// are left out. Data that is no JSON object is an error.
func Answers(f *forms.Form, data json.RawMessage, lang string) ([]Section, error) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("document: form data is no JSON object: %w", err)
	}
	w := &answerWriter{lang: lang}
	root := f.Root()
	steps := f.Steps()
	if len(steps) == 0 {
		var rows []Row
		for _, fl := range root.Fields {
			rows = w.field(rows, fl, doc[fl.Name], 0, "/"+fl.Name)
		}
		return []Section{{Title: t(lang, "Angaben", "Details"), Rows: rows}}, nil
	}
	var out []Section
	for _, st := range steps {
		var rows []Row
		for _, name := range st.Fields {
			if fl := root.Child(name); fl != nil {
				rows = w.field(rows, fl, doc[name], 0, "/"+name)
			}
		}
		if len(rows) > 0 {
			out = append(out, Section{Title: st.Title.In(lang), Rows: rows})
		}
	}
	return out, nil
}

type answerWriter struct {
	lang string
	n    int
}

func t(lang, de, en string) string {
	if lang == "en" {
		return en
	}
	return de
}

func label(fl *forms.Field, lang string) string {
	if l := fl.Label.In(lang); l != "" {
		return l
	}
	return fl.Name
}

func (w *answerWriter) add(rows []Row, r Row) []Row {
	w.n++
	if w.n > maxRows {
		return rows
	}
	return append(rows, r)
}

func (w *answerWriter) field(rows []Row, fl *forms.Field, v any, depth int, ptr string) []Row {
	if v == nil || depth > maxDepth {
		return rows
	}
	switch x := v.(type) {
	case map[string]any:
		if len(fl.Fields) == 0 {
			return rows
		}
		rows = w.add(rows, Row{Label: label(fl, w.lang), Depth: depth, Pointer: ptr})
		for _, c := range fl.Fields {
			rows = w.field(rows, c, x[c.Name], depth+1, ptr+"/"+c.Name)
		}
		return rows
	case []any:
		if len(x) == 0 {
			return rows
		}
		if fl.Items != nil && fl.Items.Type == "object" {
			name := fl.ItemLabel.In(w.lang)
			if name == "" {
				name = label(fl, w.lang)
			}
			for i, item := range x {
				obj, ok := item.(map[string]any)
				if !ok {
					continue
				}
				rows = w.add(rows, Row{Label: name + " " + strconv.Itoa(i+1), Depth: depth, Pointer: ptr + "/" + strconv.Itoa(i)})
				for _, c := range fl.Items.Fields {
					rows = w.field(rows, c, obj[c.Name], depth+1, ptr+"/"+strconv.Itoa(i)+"/"+c.Name)
				}
			}
			return rows
		}
		var vals []string
		item := fl.Items
		if item == nil {
			item = fl
		}
		for _, e := range x {
			vals = append(vals, w.scalar(item, e))
		}
		return w.add(rows, Row{Label: label(fl, w.lang), Value: strings.Join(vals, ", "), Depth: depth, Pointer: ptr})
	default:
		return w.add(rows, Row{Label: label(fl, w.lang), Value: w.scalar(fl, v), Depth: depth, Pointer: ptr})
	}
}

// scalar renders one value: a choice by its label, a boolean as Ja/Nein, a date as the
// lang's date, anything else as text.
func (w *answerWriter) scalar(fl *forms.Field, v any) string {
	for i, e := range fl.Enum {
		if fmt.Sprint(e) == fmt.Sprint(v) && i < len(fl.EnumLabels) {
			if l := fl.EnumLabels[i].In(w.lang); l != "" {
				return l
			}
		}
	}
	switch x := v.(type) {
	case bool:
		if x {
			return t(w.lang, "Ja", "Yes")
		}
		return t(w.lang, "Nein", "No")
	case string:
		if fl.Format == "date" {
			if d, err := time.Parse(time.DateOnly, x); err == nil {
				return d.Format(t(w.lang, "02.01.2006", "2 January 2006"))
			}
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}
