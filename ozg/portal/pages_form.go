package portal

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

// wholeForm is the step id in the URL of a form without steps.
const wholeForm = "formular"

// formStep is one page of a form: ID in the URL, Step for forms ("" = the whole form).
type formStep struct {
	ID, Step, Title string
}

// formSteps returns the pages of f for the data so far: the steps that apply to it
// (Form.ApplicableSteps: a step whose questions all depend on answers not given is skipped),
// or one page with everything.
//
// This is the one place that decides which steps a citizen sees; the journey's navigation,
// the step after a saved one, the summary and the completeness check all follow it. The answers
// of steps that no longer apply are dropped when the draft is saved (Applications.SaveData
// prunes them).
func formSteps(lang string, f *forms.Form, data []byte) []formStep {
	steps := f.Steps()
	if applicable, err := f.ApplicableSteps(data); err == nil && len(steps) > 0 {
		steps = applicable
	}
	if len(steps) == 0 {
		return []formStep{{ID: wholeForm, Title: tr(lang, "Angaben")}}
	}
	out := make([]formStep, 0, len(steps))
	for _, s := range steps {
		out = append(out, formStep{ID: s.ID, Step: s.ID, Title: s.Title.In(lang)})
	}
	return out
}

// findStep returns step id of f for data with its index.
func findStep(lang string, f *forms.Form, data []byte, id string) (formStep, int, bool) {
	for i, s := range formSteps(lang, f, data) {
		if s.ID == id {
			return s, i, true
		}
	}
	return formStep{}, 0, false
}

type stepView struct {
	Service  string
	Title    string
	Number   int
	Of       int
	Form     template.HTML
	Problem  string
	Previous string
}

// stepPage shows one step of the form with the draft's data.
func (p *Pages) stepPage(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok || !p.editable(w, r, d) {
		return
	}
	st, _, ok := findStep(p.lang(r), d.Service.Form, d.Data, r.PathValue("step"))
	if !ok {
		p.fail(w, r, ozg.ErrNotFound)
		return
	}
	p.showStep(w, r, http.StatusOK, d, st, d.Data, nil, "")
}

// showStep renders step st of d with doc (the data to show) and the validation error verr.
func (p *Pages) showStep(w http.ResponseWriter, r *http.Request, status int, d *draft, st formStep, doc []byte, verr error, problem string) {
	lang := p.lang(r)
	steps := formSteps(lang, d.Service.Form, d.Data)
	_, i, _ := findStep(lang, d.Service.Form, d.Data, st.ID)
	href := d.base() + "/angaben/" + st.ID
	var buf bytes.Buffer
	err := d.Service.Form.Render(&buf, doc, &forms.RenderOptions{
		Lang: lang, Action: href, Step: st.Step, Errors: verr,
		SubmitLabel: forms.Text{DE: "Speichern und weiter", EN: "Save and continue"},
		Hidden: map[string]string{
			"_version":         strconv.FormatInt(d.Version, 10),
			identity.CSRFField: identity.CSRFToken(r.Context()),
		},
	})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v := stepView{Service: serviceName(lang, d.Service), Title: st.Title, Number: i + 1, Of: len(steps),
		Form: template.HTML(buf.String()), Problem: problem} //nolint:gosec // forms.Render escapes every value
	if i > 0 {
		v.Previous = d.base() + "/angaben/" + steps[i-1].ID
	}
	title := st.Title
	if verr != nil || problem != "" {
		title = errorTitleOf(lang, title)
	}
	p.renderJourney(w, r, status, "step", title, d, href, v)
}

// maxStepBody bounds a posted step: the form's largest document plus its field names.
const maxStepBody = 2 * forms.MaxDocumentSize

// saveStep takes a posted step: an add or remove button changes the repeatable group and
// shows the step again; the main button validates the step (ValidateStep, or Validate for a
// form without steps), saves what is valid as a draft (Applications.SaveData) and goes on when
// the step is complete.
func (p *Pages) saveStep(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok || !p.editable(w, r, d) {
		return
	}
	lang := p.lang(r)
	f := d.Service.Form
	st, _, ok := findStep(lang, f, d.Data, r.PathValue("step"))
	if !ok {
		p.fail(w, r, ozg.ErrNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxStepBody)
	if err := r.ParseForm(); err != nil {
		p.showStep(w, r, http.StatusBadRequest, d, st, d.Data, nil, tr(lang, "Das Formular konnte nicht gelesen werden. Bitte versuchen Sie es erneut."))
		return
	}
	values := r.PostForm // ParseValues ignores the reserved "_" fields: CSRF token, version
	version, err := strconv.ParseInt(values.Get("_version"), 10, 64)
	if err != nil {
		p.showStep(w, r, http.StatusBadRequest, d, st, d.Data, nil, tr(lang, "Das Formular ist unvollständig angekommen. Bitte geben Sie Ihre Angaben erneut ein."))
		return
	}
	page, act, err := f.ParseValues(values)
	if err != nil {
		p.showStep(w, r, http.StatusUnprocessableEntity, d, st, d.Data, err, "")
		return
	}
	data := page
	if st.Step != "" {
		if data, err = f.MergeStep(st.Step, d.Data, page); err != nil {
			p.showStep(w, r, http.StatusUnprocessableEntity, d, st, d.Data, err, "")
			return
		}
	}
	var stepErr error
	if act.Kind == "submit" {
		if st.Step != "" {
			stepErr = f.ValidateStep(st.Step, data)
		} else {
			stepErr = f.Validate(data)
		}
	}
	// What is there must be valid to be saved (SaveData checks it as a draft); required
	// fields wait.
	saved, err := p.cfg.Applications.SaveData(r.Context(), d.Owner.Subject, d.ID, version, data)
	if err != nil {
		var invalid *forms.ValidationError
		switch {
		case errors.As(err, &invalid):
			if stepErr == nil {
				stepErr = invalid
			}
			p.showStep(w, r, http.StatusUnprocessableEntity, d, st, data, stepErr, "")
		case errors.Is(err, ozg.ErrConflict):
			p.showStep(w, r, http.StatusConflict, d, st, d.Data, nil,
				tr(lang, "Der Antrag wurde inzwischen an anderer Stelle geändert. Unten sehen Sie den gespeicherten Stand; bitte prüfen Sie ihn und speichern Sie erneut."))
		case errors.Is(err, ozg.ErrInvalidTransition):
			http.Redirect(w, r, d.base(), http.StatusSeeOther)
		default:
			p.fail(w, r, err)
		}
		return
	}
	d.Application = saved
	href := d.base() + "/angaben/" + st.ID
	switch {
	case act.Kind != "submit":
		http.Redirect(w, r, href+"#"+fieldAnchor(act), http.StatusSeeOther)
	case stepErr != nil:
		p.showStep(w, r, http.StatusUnprocessableEntity, d, st, data, stepErr, "")
	default:
		http.Redirect(w, r, next(d, href), http.StatusSeeOther)
	}
}

// fieldAnchor is the id of the repeatable group an add or remove button belongs to, so the
// page opens where the citizen was.
func fieldAnchor(act forms.Action) string {
	ptr := act.Pointer
	if act.Kind == "remove" {
		if i := strings.LastIndex(ptr, "/"); i > 0 {
			ptr = ptr[:i]
		}
	}
	return forms.FieldID(ptr)
}
