package main

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

// formSteps returns the pages of f: its steps, or one page with everything.
func formSteps(f *forms.Form) []formStep {
	steps := f.Steps()
	if len(steps) == 0 {
		return []formStep{{ID: wholeForm, Title: "Angaben"}}
	}
	out := make([]formStep, 0, len(steps))
	for _, s := range steps {
		out = append(out, formStep{ID: s.ID, Step: s.ID, Title: s.Title.In("de")})
	}
	return out
}

func findStep(f *forms.Form, id string) (formStep, int, bool) {
	for i, s := range formSteps(f) {
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
func (u *ui) stepPage(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok || !u.editable(w, r, d) {
		return
	}
	st, _, ok := findStep(d.Service.Form, r.PathValue("step"))
	if !ok {
		u.fail(w, r, ozg.ErrNotFound)
		return
	}
	u.showStep(w, r, http.StatusOK, d, st, d.Data, nil, "")
}

// showStep renders step st of d with doc (the data to show) and the validation error verr.
func (u *ui) showStep(w http.ResponseWriter, r *http.Request, status int, d *draft, st formStep, doc []byte, verr error, problem string) {
	steps := formSteps(d.Service.Form)
	_, i, _ := findStep(d.Service.Form, st.ID)
	href := "/antraege/" + d.ID + "/angaben/" + st.ID
	label := forms.Text{DE: "Speichern und weiter", EN: "Save and continue"}
	var buf bytes.Buffer
	err := d.Service.Form.Render(&buf, doc, &forms.RenderOptions{
		Lang: "de", Action: href, Step: st.Step, Errors: verr, SubmitLabel: label,
		Hidden: map[string]string{
			"_version":         strconv.FormatInt(d.Version, 10),
			identity.CSRFField: identity.CSRFToken(r.Context()),
		},
	})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := stepView{Service: d.Service.Name, Title: st.Title, Number: i + 1, Of: len(steps),
		Form: template.HTML(buf.String()), Problem: problem} //nolint:gosec // forms.Render escapes every value
	if i > 0 {
		v.Previous = "/antraege/" + d.ID + "/angaben/" + steps[i-1].ID
	}
	title := st.Title
	if verr != nil {
		title = "Fehler: " + title
	}
	u.renderJourney(w, r, status, "step", title, d, href, v)
}

// saveStep takes a posted step: an add or remove button changes the repeatable group and
// shows the step again; the main button validates the step (ValidateStep, or Validate for a
// form without steps), saves what is valid as a draft and goes on when the step is complete.
func (u *ui) saveStep(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok || !u.editable(w, r, d) {
		return
	}
	f := d.Service.Form
	st, _, ok := findStep(f, r.PathValue("step"))
	if !ok {
		u.fail(w, r, ozg.ErrNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		u.showStep(w, r, http.StatusBadRequest, d, st, d.Data, nil, "Das Formular konnte nicht gelesen werden. Bitte versuchen Sie es erneut.")
		return
	}
	values := r.PostForm // ParseValues ignores the reserved "_" fields: CSRF token, version
	version, err := strconv.ParseInt(values.Get("_version"), 10, 64)
	if err != nil {
		u.showStep(w, r, http.StatusBadRequest, d, st, d.Data, nil, "Das Formular ist unvollständig angekommen. Bitte geben Sie Ihre Angaben erneut ein.")
		return
	}
	page, act, err := f.ParseValues(values)
	if err != nil {
		u.showStep(w, r, http.StatusUnprocessableEntity, d, st, d.Data, err, "")
		return
	}
	data := page
	if st.Step != "" {
		if data, err = f.MergeStep(st.Step, d.Data, page); err != nil {
			u.showStep(w, r, http.StatusUnprocessableEntity, d, st, d.Data, err, "")
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
	// What is there must be valid to be saved (Applications.SaveData checks it as a draft, as
	// over the API); required fields wait.
	saved, err := u.app.apps.SaveData(r.Context(), d.Owner.Subject, d.ID, version, data)
	if err != nil {
		var invalid *forms.ValidationError
		if errors.As(err, &invalid) {
			if stepErr == nil {
				stepErr = invalid
			}
			u.showStep(w, r, http.StatusUnprocessableEntity, d, st, data, stepErr, "")
			return
		}
		if errors.Is(err, ozg.ErrConflict) {
			u.showStep(w, r, http.StatusConflict, d, st, d.Data, nil,
				"Der Antrag wurde inzwischen an anderer Stelle geändert. Unten sehen Sie den gespeicherten Stand; bitte prüfen Sie ihn und speichern Sie erneut.")
			return
		}
		u.fail(w, r, err)
		return
	}
	d.Application = saved
	href := "/antraege/" + d.ID + "/angaben/" + st.ID
	switch {
	case act.Kind != "submit":
		http.Redirect(w, r, href+"#"+fieldAnchor(act), http.StatusSeeOther)
	case stepErr != nil:
		u.showStep(w, r, http.StatusUnprocessableEntity, d, st, data, stepErr, "")
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
