package casework

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

// Bounds of what the failed-delivery pages show of a last error, in characters.
const (
	errorInList   = 300
	errorInDetail = 4000
)

// deliveryRow is one piece of outbox work as the operator pages show it.
type deliveryRow struct {
	ID, Reference, ServiceName, Target string
	// Step is the work that failed (or is due), State the entry's state, both as labels.
	Step, State             string
	Attempts                int
	LastError               string
	Due, DueISO             string
	Submitted, SubmittedISO string
	Failed                  bool
}

type deliveriesPage struct {
	*base
	Rows []deliveryRow
	// More: there is more failed work than the page lists.
	More bool
}

type deliveryPage struct {
	*base
	deliveryRow
	Done string
}

func (h *handler) deliveryRow(lang string, w ozg.OutboxWork, errLen int) deliveryRow {
	return deliveryRow{
		ID: w.SubmissionID, Reference: w.Reference, ServiceName: h.serviceName(w.ServiceID, lang), Target: w.Delivery,
		Step: tr(lang, "step-"+string(w.FailedStep())), State: tr(lang, "outbox-"+string(w.State)),
		Attempts: w.Attempts, LastError: shorten(w.LastError, errLen),
		Due: berlinTime(w.NextAttempt), DueISO: w.NextAttempt.Format(time.RFC3339),
		Submitted: berlinTime(w.SubmittedAt), SubmittedISO: w.SubmittedAt.Format(time.RFC3339),
		Failed: w.State == ozg.DeliveryFailed,
	}
}

// shorten cuts s to n characters, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// operatorOf returns the logged-in operator, or answers 403 for anyone else.
func (h *handler) operatorOf(w http.ResponseWriter, r *http.Request) (Staff, bool) {
	p, ok := identity.PrincipalFrom(r.Context())
	if !ok {
		h.message(w, r, http.StatusUnauthorized, "forbidden-title", "forbidden-text", "")
		return Staff{}, false
	}
	s := StaffFrom(p)
	if !h.cw.Operator(s) {
		h.opsMessage(w, r, http.StatusForbidden, "ops-forbidden-title", "ops-forbidden-text", "")
		return Staff{}, false
	}
	return s, true
}

// operatorOnly sends an operator who is assigned no service from the inbox to the failed
// deliveries, and reports whether it did.
func (h *handler) operatorOnly(w http.ResponseWriter, r *http.Request) bool {
	if h.outbox == nil {
		return false
	}
	p, ok := identity.PrincipalFrom(r.Context())
	if !ok {
		return false
	}
	s := StaffFrom(p)
	if !h.cw.Operator(s) || len(h.cw.Services(s)) > 0 {
		return false
	}
	http.Redirect(w, r, h.prefix+"/zustellungen", http.StatusSeeOther)
	return true
}

// opsMessage is message with a way back to the failed deliveries.
func (h *handler) opsMessage(w http.ResponseWriter, r *http.Request, status int, title, text, state string) {
	b := h.base(r, title)
	m := &messagePage{base: b, Text: b.T(text), Back: h.prefix + "/zustellungen", BackText: b.T("back-to-deliveries")}
	if state != "" {
		m.Text = fmt.Sprintf(m.Text, state)
	}
	if !b.Operator {
		m.Back, m.BackText = h.prefix+"/", b.T("back-to-inbox")
	}
	h.render(w, r, status, "message", m)
}

func (h *handler) deliveries(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.operatorOf(w, r); !ok {
		return
	}
	pg := &deliveriesPage{base: h.base(r, "deliveries")}
	// One more than shown tells whether there are more.
	work, err := h.outbox.FailedWork(r.Context(), MaxFailedListed+1)
	if err != nil {
		h.opsFail(w, r, err, "")
		return
	}
	if len(work) > MaxFailedListed {
		work, pg.More = work[:MaxFailedListed], true
	}
	for _, wk := range work {
		pg.Rows = append(pg.Rows, h.deliveryRow(pg.Lang, wk, errorInList))
	}
	h.render(w, r, http.StatusOK, "deliveries", pg)
}

func (h *handler) delivery(w http.ResponseWriter, r *http.Request) {
	s, ok := h.operatorOf(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	wk, err := h.cw.OutboxWork(r.Context(), s, h.outbox, id)
	if err != nil {
		h.opsFail(w, r, err, id)
		return
	}
	b := h.base(r, "")
	b.Title = b.T("delivery") + " " + wk.Reference
	pg := &deliveryPage{base: b, deliveryRow: h.deliveryRow(b.Lang, wk, errorInDetail)}
	if r.URL.Query().Get("erneut") == "1" {
		pg.Done = b.T("done-requeued")
	}
	h.render(w, r, http.StatusOK, "delivery", pg)
}

// requeue requeues failed work posted from the operator pages.
func (h *handler) requeue(w http.ResponseWriter, r *http.Request) {
	if !h.formPost(w, r) {
		return
	}
	s, ok := h.operatorOf(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if _, err := h.cw.RequeueDelivery(r.Context(), s, h.outbox, id); err != nil {
		h.opsFail(w, r, err, id)
		return
	}
	http.Redirect(w, r, h.prefix+"/zustellungen/"+url.PathEscape(id)+"?erneut=1", http.StatusSeeOther)
}

// formPost refuses a post from another site or without a cookie session (whose posts the
// gate checked for the CSRF token), and reads the bounded form. It reports whether to go on.
func (h *handler) formPost(w http.ResponseWriter, r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		h.message(w, r, http.StatusForbidden, "refused-title", "refused-text", "")
		return false
	}
	if _, ok := identity.SessionFrom(r.Context()); !ok {
		h.message(w, r, http.StatusForbidden, "refused-title", "refused-text", "")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		h.message(w, r, http.StatusBadRequest, "error-title", "err-invalid", "")
		return false
	}
	return true
}

// opsFail answers an error of the operator pages with a page saying what happened.
func (h *handler) opsFail(w http.ResponseWriter, r *http.Request, err error, id string) {
	switch {
	case errors.Is(err, ErrNotFound):
		h.opsMessage(w, r, http.StatusNotFound, "ops-notfound-title", "ops-notfound-text", "")
	case errors.Is(err, ErrForbidden):
		h.opsMessage(w, r, http.StatusForbidden, "ops-forbidden-title", "ops-forbidden-text", "")
	case errors.Is(err, ErrStateChanged):
		state := "?"
		if wk, werr := h.outbox.Entry(r.Context(), id); werr == nil {
			state = tr(langOf(r), "outbox-"+string(wk.State))
		}
		h.opsMessage(w, r, http.StatusConflict, "ops-conflict-title", "ops-conflict-text", state)
	default:
		h.log.LogAttrs(r.Context(), slog.LevelError, "casework: operator request failed", slog.String("submission", id), slog.String("error", err.Error()))
		h.opsMessage(w, r, http.StatusInternalServerError, "error-title", "error-text", "")
	}
}
