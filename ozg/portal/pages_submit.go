package portal

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/ozg"
)

// idempotencyField names the hidden field with the submit's idempotency key, new per render
// of the summary, so a double click or a repeated post submits once and shows the same receipt.
const idempotencyField = "idempotency_key"

type summaryPage struct {
	ID       string
	Sections []summarySection
	Evidence []evidenceLine
	Fee      *ozg.Fee
	Paid     bool
	Errors   []pageError
	// Failed is set after a refused submit: the error summary takes the focus.
	Failed bool
	Key    string
}

type evidenceLine struct {
	Title string
	Files []string
}

// summary shows everything the citizen entered, uploaded and paid, what is still missing,
// and the submit button.
func (p *Pages) summary(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok || !p.editable(w, r, d) {
		return
	}
	problems, err := p.missing(r, d)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.showSummary(w, r, http.StatusOK, d, problems)
}

// missing lists what the submission would still lack: form steps with errors
// (forms.Validate), evidence and the fee (Applications.Check). Submit checks the same again.
func (p *Pages) missing(r *http.Request, d *draft) ([]pageError, error) {
	lang := p.lang(r)
	var out []pageError
	if err := d.Service.Form.Validate(d.Data); err != nil {
		out = append(out, p.formProblems(lang, d, err)...)
	}
	err := p.cfg.Applications.Check(r.Context(), d.Owner.Subject, d.ID)
	var inc *ozg.IncompleteError
	switch {
	case errors.As(err, &inc):
		out = append(out, incompleteProblems(lang, inc)...)
	case err != nil:
		return nil, err
	}
	return out, nil
}

// formProblems names the steps of d whose data is missing or wrong.
func (p *Pages) formProblems(lang string, d *draft, err error) []pageError {
	f := d.Service.Form
	var steps []string
	if len(f.Steps()) == 0 {
		steps = []string{wholeForm}
	} else {
		steps = f.StepsWithErrors(err)
	}
	var out []pageError
	for _, id := range steps {
		st, _, ok := findStep(lang, f, d.Data, id)
		if !ok {
			continue
		}
		out = append(out, pageError{Message: trf(lang, "Im Schritt „%s“ fehlen Angaben oder sind fehlerhaft.", st.Title), Target: "aendern-" + id})
	}
	if len(out) == 0 { // an error no step owns: show the form's own messages
		var verr *forms.ValidationError
		if errors.As(err, &verr) {
			for _, fe := range verr.Errors {
				out = append(out, pageError{Message: fe.Text(lang)})
			}
		}
	}
	return out
}

// incompleteProblems links the missing evidence and fee to the page where each is put right.
func incompleteProblems(lang string, inc *ozg.IncompleteError) []pageError {
	var out []pageError
	for _, pr := range inc.Problems {
		pe := pageError{Message: pick(lang, pr.Message, pr.MessageEN)}
		switch {
		case strings.HasPrefix(pr.Field, "evidence/"):
			pe.Target = "aendern-nachweise"
		case pr.Field == "payment":
			pe.Target = "aendern-zahlung"
		}
		out = append(out, pe)
	}
	return out
}

func (p *Pages) showSummary(w http.ResponseWriter, r *http.Request, status int, d *draft, problems []pageError) {
	lang := p.lang(r)
	page := summaryPage{ID: d.ID, Sections: summarize(lang, d), Errors: problems, Failed: status != http.StatusOK, Key: rand.Text()}
	if len(d.Service.Evidence) > 0 {
		list, err := p.cfg.Applications.Evidence(r.Context(), d.Owner.Subject, d.ID)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		for _, req := range d.Service.Evidence {
			line := evidenceLine{Title: pick(lang, req.Title, req.TitleEN)}
			for _, e := range list {
				if e.RequirementID == req.ID {
					line.Files = append(line.Files, e.FileName)
				}
			}
			page.Evidence = append(page.Evidence, line)
		}
	}
	if d.Service.FeeDueOnline() {
		page.Fee = d.Service.Fee
		_, err := p.cfg.Applications.Fee(r.Context(), d.Owner.Subject, d.ID)
		switch {
		case err == nil:
			page.Paid = true
		case errors.Is(err, ozg.ErrFeeNotPaid), errors.Is(err, ozg.ErrNotFound), errors.Is(err, ozg.ErrFeeUnavailable):
		default:
			p.fail(w, r, err)
			return
		}
	}
	title := tr(lang, "Prüfen und absenden")
	if page.Failed {
		title = errorTitleOf(lang, title)
	}
	p.renderJourney(w, r, status, "summary", title, d, d.base()+"/pruefen", page)
}

type confirmationPage struct {
	ApplicationID, Reference, ServiceName, Authority, Files string
	SubmittedAt                                             time.Time
	Payment                                                 *ozg.PaymentFacts
	ProcessingDays                                          int
}

// submit submits the draft (Applications.Submit, with the form's idempotency key) and answers
// the confirmation with the Aktenzeichen. A repeated post with the same key shows the same
// confirmation; a refused submit shows the summary with what is missing, the error summary
// taking the focus.
func (p *Pages) submit(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok {
		return
	}
	lang := p.lang(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	key := r.PostFormValue(idempotencyField)
	if key == "" || len(key) > ozg.MaxIdempotencyKeyLength || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		if d.State != ozg.StateDraft {
			http.Redirect(w, r, d.base(), http.StatusSeeOther)
			return
		}
		p.showSummary(w, r, http.StatusBadRequest, d, []pageError{{Message: tr(lang, "Das Formular ist unvollständig angekommen. Bitte senden Sie den Antrag erneut ab."), Target: "absenden"}})
		return
	}
	a, sub, err := p.cfg.Applications.Submit(r.Context(), d.Owner.Subject, d.ID, ozg.SubmitRequest{
		IdempotencyKey: key, Identity: identityFacts(d.Owner)})
	var verr *forms.ValidationError
	var inc *ozg.IncompleteError
	switch {
	case err == nil:
		p.render(w, r, http.StatusOK, "confirmation", tr(lang, "Antrag eingereicht"), confirmation(lang, d.Service, a, sub))
	case errors.As(err, &verr), errors.As(err, &inc):
		// Submit stops at the first kind of problem; the page lists them all.
		problems, merr := p.missing(r, d)
		switch {
		case merr != nil || len(problems) > 0:
		case verr != nil:
			problems = p.formProblems(lang, d, verr)
		default:
			problems = incompleteProblems(lang, inc)
		}
		p.showSummary(w, r, http.StatusUnprocessableEntity, d, problems)
	case errors.Is(err, ozg.ErrInvalidTransition):
		http.Redirect(w, r, d.base(), http.StatusSeeOther)
	case errors.Is(err, ozg.ErrDuplicateSubmission), errors.Is(err, ozg.ErrInvalidApplication):
		p.showSummary(w, r, http.StatusBadRequest, d, []pageError{{Message: tr(lang, "Das Formular ist unvollständig angekommen. Bitte senden Sie den Antrag erneut ab."), Target: "absenden"}})
	default:
		p.fail(w, r, err)
	}
}

func confirmation(lang string, svc *ozg.Service, a *ozg.Application, sub *ozg.Submission) confirmationPage {
	c := confirmationPage{ApplicationID: a.ID, Reference: sub.Reference, ServiceName: serviceName(lang, svc),
		Authority: svc.Authority.Name, SubmittedAt: sub.SubmittedAt, Payment: sub.Payment, ProcessingDays: svc.ProcessingDays}
	switch n := len(sub.Attachments); n {
	case 0:
	case 1:
		c.Files = tr(lang, "1 Datei")
	default:
		c.Files = trf(lang, "%s Dateien", numberText(lang, int64(n)))
	}
	return c
}
