package main

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/payment"
)

type paymentPage struct {
	ID     string
	Fee    *ozg.Fee
	Paid   *payment.Payment
	Notice string
	Error  string
	Next   string
}

// paymentPage shows the fee and whether it is paid, asking the payment service (never the
// query string, which only picks the note about the last attempt).
func (u *ui) paymentPage(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok || !u.editable(w, r, d) {
		return
	}
	u.showPayment(w, r, http.StatusOK, d, "")
}

func (u *ui) showPayment(w http.ResponseWriter, r *http.Request, status int, d *draft, problem string) {
	if !d.Service.FeeDueOnline() {
		u.fail(w, r, ozg.ErrNotFound)
		return
	}
	href := "/antraege/" + d.ID + "/zahlung"
	page := paymentPage{ID: d.ID, Fee: d.Service.Fee, Next: next(d, href), Error: problem}
	paid, err := u.app.payments.PaidFor(r.Context(), d.ID, d.Owner.Subject)
	switch {
	case err == nil:
		page.Paid = paid
	case errors.Is(err, payment.ErrNotPaid), errors.Is(err, payment.ErrNotFound):
		switch payment.State(r.URL.Query().Get("status")) {
		case payment.StateCanceled:
			page.Notice = "Sie haben die Zahlung abgebrochen. Sie können es erneut versuchen."
		case payment.StateFailed:
			page.Notice = "Die Zahlung ist fehlgeschlagen. Bitte versuchen Sie es erneut, gern mit einer anderen Zahlungsart."
		case payment.StateExpired:
			page.Notice = "Die Zahlung ist abgelaufen. Bitte starten Sie sie erneut."
		case payment.StatePending, payment.StateCreated:
			page.Notice = "Die Zahlung ist noch nicht abgeschlossen."
		}
	default:
		u.fail(w, r, err)
		return
	}
	title := "Gebühr bezahlen"
	if problem != "" {
		title = "Fehler: " + title
	}
	u.renderJourney(w, r, status, "payment", title, d, href, page)
}

// startPayment starts (or resumes) paying the fee through the portal and sends the browser to
// the pay page.
func (u *ui) startPayment(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok || !u.editable(w, r, d) {
		return
	}
	var out struct {
		State       payment.State `json:"state"`
		RedirectURL string        `json:"redirectUrl"`
	}
	err := u.api.call(r, http.MethodPost, "/applications/"+d.ID+"/payment", nil, nil, http.StatusOK, &out)
	var p *apiProblem
	switch {
	case err == nil && out.State == payment.StatePaid:
		http.Redirect(w, r, "/antraege/"+d.ID+"/zahlung", http.StatusSeeOther)
	case err == nil && out.RedirectURL != "":
		http.Redirect(w, r, out.RedirectURL, http.StatusSeeOther)
	case err == nil:
		u.showPayment(w, r, http.StatusBadGateway, d, "Der Bezahldienst hat keine Bezahlseite genannt. Bitte versuchen Sie es später erneut.")
	case errors.As(err, &p) && p.Status < 500 || errors.As(err, &p) && p.Status == http.StatusServiceUnavailable:
		u.showPayment(w, r, p.Status, d, problemMessages(p)[0])
	default:
		u.fail(w, r, err)
	}
}

// paymentDone is where the portal's payment return sends the browser (after asking the
// provider): back to the application's payment page.
func (u *ui) paymentDone(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("application")
	if id == "" || len(id) > 128 {
		u.fail(w, r, ozg.ErrNotFound)
		return
	}
	state := payment.State(q.Get("state"))
	if !state.Valid() {
		state = ""
	}
	http.Redirect(w, r, "/antraege/"+url.PathEscape(id)+"/zahlung?"+url.Values{"status": {string(state)}}.Encode(), http.StatusSeeOther)
}
