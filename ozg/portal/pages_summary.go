package portal

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ozgkit/ozgkit/forms"
)

// summarySection is one form step on the summary page, with the answers given.
type summarySection struct {
	ID, Title, Href string
	Rows            []summaryRow
}

// summaryRow is one answer, or (Group) the heading of a group: an entry of a repeatable group
// or a sub-object.
type summaryRow struct {
	Label, Value string
	Group        bool
	Depth        int
}

// summarize lists d's answers by form step, labelled as the form labels them.
func summarize(lang string, d *draft) []summarySection {
	f := d.Service.Form
	var data map[string]any
	dec := json.NewDecoder(strings.NewReader(string(d.Data)))
	dec.UseNumber()
	_ = dec.Decode(&data) // stored data is a valid JSON object
	var out []summarySection
	for _, st := range formSteps(lang, f, d.Data) {
		sec := summarySection{ID: st.ID, Title: st.Title, Href: d.base() + "/angaben/" + st.ID}
		for _, fld := range f.Root().Fields {
			if st.Step != "" && fld.Step != st.Step {
				continue
			}
			if v, ok := data[fld.Name]; ok {
				sec.Rows = appendRows(lang, sec.Rows, fld, v, 0)
			}
		}
		out = append(out, sec)
	}
	return out
}

// maxSummaryDepth bounds the nesting shown (the form bounds it too).
const maxSummaryDepth = 8

func appendRows(lang string, rows []summaryRow, fld *forms.Field, v any, depth int) []summaryRow {
	label := fld.Label.In(lang)
	if label == "" {
		label = fld.Name
	}
	if depth > maxSummaryDepth {
		return rows
	}
	switch x := v.(type) {
	case map[string]any:
		rows = append(rows, summaryRow{Label: label, Group: true, Depth: depth})
		for _, c := range fld.Fields {
			if cv, ok := x[c.Name]; ok {
				rows = appendRows(lang, rows, c, cv, depth+1)
			}
		}
		return rows
	case []any:
		if fld.Items != nil && fld.Items.Type == "object" {
			rows = append(rows, summaryRow{Label: label, Group: true, Depth: depth})
			item := fld.ItemLabel.In(lang)
			if item == "" {
				item = tr(lang, "Eintrag")
			}
			for i, e := range x {
				m, _ := e.(map[string]any)
				rows = append(rows, summaryRow{Label: fmt.Sprintf("%s %d", item, i+1), Group: true, Depth: depth + 1})
				for _, c := range fld.Items.Fields {
					if cv, ok := m[c.Name]; ok {
						rows = appendRows(lang, rows, c, cv, depth+2)
					}
				}
			}
			return rows
		}
		var vals []string
		for _, e := range x {
			vals = append(vals, valueText(lang, fld.Items, e))
		}
		return append(rows, summaryRow{Label: label, Value: strings.Join(vals, ", "), Depth: depth})
	}
	return append(rows, summaryRow{Label: label, Value: valueText(lang, fld, v), Depth: depth})
}

// valueText shows one answer as the citizen chose it: the label of a choice, Ja/Nein, a number
// or date written the citizen's way.
func valueText(lang string, fld *forms.Field, v any) string {
	if b, ok := v.(bool); ok {
		if b {
			return tr(lang, "Ja")
		}
		return tr(lang, "Nein")
	}
	if fld != nil {
		for i, e := range fld.Enum {
			if fmt.Sprint(e) == fmt.Sprint(v) && i < len(fld.EnumLabels) && fld.EnumLabels[i].In(lang) != "" {
				return fld.EnumLabels[i].In(lang)
			}
		}
	}
	switch x := v.(type) {
	case json.Number:
		return decimalText(lang, string(x))
	case string:
		if fld != nil && fld.Format == "date" && len(x) == 10 && x[4] == '-' && x[7] == '-' {
			if lang == "en" {
				return x
			}
			return x[8:10] + "." + x[5:7] + "." + x[0:4]
		}
		if x == "" {
			return "–"
		}
		return x
	case nil:
		return "–"
	}
	return fmt.Sprint(v)
}
