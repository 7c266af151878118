package portal

import (
	"errors"
	"net/http"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/payment"
)

type paymentPage struct {
	ID     string
	Fee    *ozg.Fee
	Paid   *ozg.FeePayment
	Notice string
	Error  string
	Next   string
}

// paymentPage shows the fee and whether it is paid (Applications.Fee asks the payment service,
// never the query string).
func (p *Pages) paymentPage(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok || !p.editable(w, r, d) {
		return
	}
	p.showPayment(w, r, http.StatusOK, d, "", "")
}

func (p *Pages) showPayment(w http.ResponseWriter, r *http.Request, status int, d *draft, notice, problem string) {
	if !d.Service.FeeDueOnline() {
		p.fail(w, r, ozg.ErrNotFound)
		return
	}
	lang := p.lang(r)
	href := d.base() + "/zahlung"
	page := paymentPage{ID: d.ID, Fee: d.Service.Fee, Next: next(d, href), Notice: notice, Error: problem}
	paid, err := p.cfg.Applications.Fee(r.Context(), d.Owner.Subject, d.ID)
	switch {
	case err == nil:
		page.Paid = &paid
	case errors.Is(err, ozg.ErrFeeNotPaid), errors.Is(err, ozg.ErrNotFound):
	case errors.Is(err, ozg.ErrFeeUnavailable):
		if page.Error == "" {
			page.Error = tr(lang, "Der Bezahldienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut.")
		}
	default:
		p.fail(w, r, err)
		return
	}
	title := tr(lang, "Gebühr bezahlen")
	if problem != "" {
		title = errorTitleOf(lang, title)
	}
	p.renderJourney(w, r, status, "payment", title, d, href, page)
}

// startPayment starts (or resumes) paying the fee and sends the browser to the provider's pay
// page, which returns it to paymentReturn.
func (p *Pages) startPayment(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok || !p.editable(w, r, d) {
		return
	}
	lang := p.lang(r)
	ret := p.cfg.BaseURL + d.base() + "/zahlung/zurueck"
	pay, err := p.cfg.Applications.StartPayment(r.Context(), d.Owner.Subject, d.ID, ret)
	switch {
	case err == nil && pay.State == ozg.FeePaid:
		http.Redirect(w, r, d.base()+"/zahlung", http.StatusSeeOther)
	case err == nil && pay.RedirectURL != "":
		http.Redirect(w, r, pay.RedirectURL, http.StatusSeeOther)
	case err == nil:
		p.showPayment(w, r, http.StatusBadGateway, d, "", tr(lang, "Der Bezahldienst hat keine Bezahlseite genannt. Bitte versuchen Sie es später erneut."))
	case errors.Is(err, ozg.ErrFeeUnavailable):
		p.showPayment(w, r, http.StatusServiceUnavailable, d, "", tr(lang, "Der Bezahldienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut."))
	case errors.Is(err, ozg.ErrFeeAttempts):
		p.showPayment(w, r, http.StatusTooManyRequests, d, "", tr(lang, "Es gab zu viele Zahlungsversuche für diesen Antrag. Bitte wenden Sie sich an die zuständige Stelle."))
	case errors.Is(err, ozg.ErrInvalidTransition):
		http.Redirect(w, r, d.base(), http.StatusSeeOther)
	default:
		p.fail(w, r, err)
	}
}

// paymentReturn is where the pay page sends the citizen back, with the payment's id in the
// query (payment.ReturnParam). Applications.PaymentReturned asks the provider for the state;
// the URL proves nothing. The citizen lands on the payment page with a note on the outcome.
func (p *Pages) paymentReturn(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok {
		return
	}
	lang := p.lang(r)
	id := r.URL.Query().Get(payment.ReturnParam)
	if id == "" || len(id) > 128 {
		p.fail(w, r, ozg.ErrNotFound)
		return
	}
	pay, err := p.cfg.Applications.PaymentReturned(r.Context(), d.Owner.Subject, d.ID, id)
	if err != nil && !errors.Is(err, ozg.ErrFeeUnavailable) {
		p.fail(w, r, err)
		return
	}
	if d.State != ozg.StateDraft {
		http.Redirect(w, r, d.base(), http.StatusSeeOther)
		return
	}
	notice := ""
	switch {
	case err != nil:
		notice = tr(lang, "Der Bezahldienst hat das Ergebnis noch nicht bestätigt. Bitte laden Sie die Seite in einer Minute neu.")
	case pay.State == ozg.FeeCanceled:
		notice = tr(lang, "Sie haben die Zahlung abgebrochen. Sie können es erneut versuchen.")
	case pay.State == ozg.FeeFailed:
		notice = tr(lang, "Die Zahlung ist fehlgeschlagen. Bitte versuchen Sie es erneut, gern mit einer anderen Zahlungsart.")
	case pay.State == ozg.FeeExpired:
		notice = tr(lang, "Die Zahlung ist abgelaufen. Bitte starten Sie sie erneut.")
	case pay.State == ozg.FeeOpen:
		notice = tr(lang, "Die Zahlung ist noch nicht abgeschlossen.")
	}
	if notice == "" { // paid: the payment page shows it; a reload must not ask the provider again
		http.Redirect(w, r, d.base()+"/zahlung", http.StatusSeeOther)
		return
	}
	p.showPayment(w, r, http.StatusOK, d, notice, "")
}
