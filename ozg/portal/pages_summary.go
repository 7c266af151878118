package portal

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

// maxSummaryDepth bounds the indentation the style sheet knows.
const maxSummaryDepth = 3

// summarize lists d's answers by applicable form step, labelled and written as the form does
// it (forms.Answers: choices by their labels, Ja/Nein, German dates and numbers; only
// questions that apply).
func summarize(lang string, d *draft) []summarySection {
	answers, _ := d.Service.Form.Answers(d.Data, lang) // stored data is a valid JSON object
	var out []summarySection
	for _, st := range formSteps(lang, d.Service.Form, d.Data) {
		sec := summarySection{ID: st.ID, Title: st.Title, Href: d.base() + "/angaben/" + st.ID}
		for _, a := range answers {
			if a.Step != st.Step {
				continue
			}
			sec.Rows = append(sec.Rows, summaryRow{Label: a.Label, Value: a.Value, Group: a.Value == "", Depth: min(a.Depth, maxSummaryDepth)})
		}
		out = append(out, sec)
	}
	return out
}
