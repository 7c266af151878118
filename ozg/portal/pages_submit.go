package main

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strings"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/payment"
)

// idempotencyField names the hidden field with the submit's Idempotency-Key, new per render
// of the summary, so a double click or a repeated post submits once and shows the same receipt.
const idempotencyField = "idempotency_key"

type summaryPage struct {
	ID       string
	Sections []summarySection
	Evidence []evidenceLine
	Fee      *ozg.Fee
	Paid     bool
	Errors   []pageError
	Key      string
}

type evidenceLine struct {
	Title string
	Files []string
}

// summary shows everything the citizen entered, uploaded and paid, what is still missing,
// and the submit button.
func (u *ui) summary(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok || !u.editable(w, r, d) {
		return
	}
	u.showSummary(w, r, http.StatusOK, d, u.missing(r, d))
}

// missing lists what the submission would still lack: form steps with errors, evidence, fee.
// The portal checks the same again at submission.
func (u *ui) missing(r *http.Request, d *draft) []pageError {
	var out []pageError
	f := d.Service.Form
	if err := f.Validate(d.Data); err != nil {
		steps := f.StepsWithErrors(err)
		if len(f.Steps()) == 0 {
			steps = []string{wholeForm}
		}
		for _, id := range steps {
			st, _, _ := findStep(f, id)
			out = append(out, pageError{Message: "Im Schritt „" + st.Title + "“ fehlen Angaben oder sind fehlerhaft.", Target: "aendern-" + id})
		}
	}
	if len(d.Service.Evidence) > 0 {
		list, err := u.app.evidence.List(r.Context(), d.ID)
		if err != nil {
			return append(out, pageError{Message: "Die Nachweise konnten gerade nicht geprüft werden."})
		}
		for _, req := range d.Service.Evidence {
			n := 0
			for _, e := range list {
				if e.RequirementID == req.ID && e.Usable() {
					n++
				}
			}
			if n < req.MinFiles() {
				out = append(out, pageError{Message: "Der Nachweis „" + req.Title + "“ fehlt noch.", Target: "aendern-nachweise"})
			}
		}
	}
	if d.Service.FeeDueOnline() {
		if _, err := u.app.payments.PaidFor(r.Context(), d.ID, d.Owner.Subject); err != nil {
			out = append(out, pageError{Message: "Die Gebühr von " + euro(d.Service.Fee.Amount) + " ist noch nicht bezahlt.", Target: "aendern-zahlung"})
		}
	}
	return out
}

func (u *ui) showSummary(w http.ResponseWriter, r *http.Request, status int, d *draft, problems []pageError) {
	page := summaryPage{ID: d.ID, Sections: summarize(d), Fee: d.Service.Fee, Errors: problems, Key: rand.Text()}
	if len(d.Service.Evidence) > 0 {
		list, err := u.app.evidence.List(r.Context(), d.ID)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		for _, req := range d.Service.Evidence {
			line := evidenceLine{Title: req.Title}
			for _, e := range list {
				if e.RequirementID == req.ID {
					line.Files = append(line.Files, e.FileName)
				}
			}
			page.Evidence = append(page.Evidence, line)
		}
	}
	if d.Service.FeeDueOnline() {
		_, err := u.app.payments.PaidFor(r.Context(), d.ID, d.Owner.Subject)
		switch {
		case err == nil:
			page.Paid = true
		case !errors.Is(err, payment.ErrNotPaid) && !errors.Is(err, payment.ErrNotFound):
			u.fail(w, r, err)
			return
		}
	}
	title := "Prüfen und absenden"
	if len(problems) > 0 && status != http.StatusOK {
		title = "Fehler: " + title
	}
	u.renderJourney(w, r, status, "summary", title, d, "/antraege/"+d.ID+"/pruefen", page)
}

// submit submits through the portal with the form's Idempotency-Key and answers the
// confirmation with the Aktenzeichen. A repeated post with the same key shows the same receipt.
func (u *ui) submit(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok {
		return
	}
	key := r.PostFormValue(idempotencyField)
	if key == "" || len(key) > ozg.MaxIdempotencyKeyLength || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		if d.State != ozg.StateDraft {
			http.Redirect(w, r, "/antraege/"+d.ID, http.StatusSeeOther)
			return
		}
		u.showSummary(w, r, http.StatusBadRequest, d, []pageError{{Message: "Das Formular ist unvollständig angekommen. Bitte senden Sie den Antrag erneut ab.", Target: "absenden"}})
		return
	}
	var receipt ozg.SubmitReceipt
	err := u.api.call(r, http.MethodPost, "/applications/"+d.ID+"/submit", nil,
		http.Header{ozg.IdempotencyKeyHeader: {key}}, http.StatusAccepted, &receipt)
	var p *apiProblem
	switch {
	case err == nil:
		u.render(w, r, http.StatusOK, "confirmation", "Antrag eingereicht", receipt)
	case errors.As(err, &p) && p.Status == http.StatusUnprocessableEntity:
		u.showSummary(w, r, p.Status, d, submitProblems(d, p))
	case errors.As(err, &p) && p.Status == http.StatusConflict:
		http.Redirect(w, r, "/antraege/"+d.ID, http.StatusSeeOther)
	default:
		u.fail(w, r, err)
	}
}

// submitProblems links the portal's findings to the page where each is put right.
func submitProblems(d *draft, p *apiProblem) []pageError {
	var out []pageError
	f := d.Service.Form
	for _, e := range p.Errors {
		pe := pageError{Message: e.Message}
		switch {
		case strings.HasPrefix(e.Pointer, "evidence/"):
			pe.Target = "aendern-nachweise"
		case e.Pointer == "payment":
			pe.Target = "aendern-zahlung"
		default:
			if s := f.StepOf(e.Pointer); s != "" {
				pe.Target = "aendern-" + s
			} else if len(f.Steps()) == 0 {
				pe.Target = "aendern-" + wholeForm
			}
		}
		if pe.Message == "" {
			pe.Message = e.Code
		}
		out = append(out, pe)
	}
	if len(out) == 0 {
		out = problemErrors(p)
	}
	return out
}

func problemErrors(p *apiProblem) []pageError {
	var out []pageError
	for _, m := range problemMessages(p) {
		out = append(out, pageError{Message: m})
	}
	return out
}
