package portal

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/payment"
)

// IdempotencyKeyHeader names the header that makes a submit safe to repeat.
const IdempotencyKeyHeader = "Idempotency-Key"

// SubmitReceipt is the answer to a submission: the reference number (Aktenzeichen) and what
// was received, the Eingangsbestätigung the citizen can keep.
type SubmitReceipt struct {
	ApplicationID string              `json:"applicationId"`
	SubmissionID  string              `json:"submissionId"`
	Reference     string              `json:"reference"`
	ServiceID     string              `json:"serviceId"`
	ServiceName   string              `json:"serviceName"`
	Authority     string              `json:"authority"`
	SubmittedAt   time.Time           `json:"submittedAt"`
	Attachments   []SubmittedEvidence `json:"attachments"`
	Payment       *ozg.PaymentFacts   `json:"payment,omitempty"`
	// Message is the confirmation in German for the citizen.
	Message string `json:"message"`
}

// submitApplication submits through ozg.Applications.Submit (which checks the data in full,
// every required evidence present and scanned clean, the fee paid) and answers 202 with the
// receipt.
func (p *API) submitApplication(w http.ResponseWriter, r *http.Request) {
	pr, a, svc, ok := p.application(w, r)
	if !ok {
		return
	}
	key := r.Header.Get(IdempotencyKeyHeader)
	if key == "" || len(key) > ozg.MaxIdempotencyKeyLength {
		problem.Write(w, problem.Details{Status: http.StatusBadRequest,
			Detail: fmt.Sprintf("the %s header must hold 1 to %d characters", IdempotencyKeyHeader, ozg.MaxIdempotencyKeyLength),
			Errors: []problem.FieldError{{Pointer: IdempotencyKeyHeader, Code: "required", Message: "Technischer Fehler: Schlüssel fehlt.", MessageEN: "Idempotency key missing."}}})
		return
	}
	done, sub, err := p.cfg.Applications.Submit(r.Context(), pr.Subject, a.ID, ozg.SubmitRequest{
		IdempotencyKey: key, Identity: identityFacts(pr),
	})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, receiptOf(svc, done, sub))
}

// SubmittedEvidence is one file of a submission as the citizen's receipt lists it: what was
// sent and its SHA-512, not where it is stored.
type SubmittedEvidence struct {
	ID            string `json:"id"`
	RequirementID string `json:"requirementId"`
	FileName      string `json:"fileName"`
	MediaType     string `json:"mediaType"`
	Size          int64  `json:"size"`
	SHA512        string `json:"sha512"`
}

func receiptOf(svc *ozg.Service, a *ozg.Application, sub *ozg.Submission) SubmitReceipt {
	atts := make([]SubmittedEvidence, 0, len(sub.Attachments))
	for _, at := range sub.Attachments {
		atts = append(atts, SubmittedEvidence{ID: at.ID, RequirementID: at.RequirementID, FileName: at.FileName,
			MediaType: at.MediaType, Size: at.Size, SHA512: at.SHA512})
	}
	return SubmitReceipt{
		ApplicationID: a.ID, SubmissionID: sub.ID, Reference: sub.Reference, ServiceID: svc.ID,
		ServiceName: svc.Name, Authority: svc.Authority.Name, SubmittedAt: sub.SubmittedAt,
		Attachments: atts, Payment: sub.Payment,
		Message: fmt.Sprintf("Ihr Antrag „%s“ ist am %s eingegangen. Ihr Aktenzeichen: %s.",
			svc.Name, sub.SubmittedAt.In(berlin()).Format("02.01.2006 um 15:04 Uhr"), sub.Reference),
	}
}

// berlin is the authorities' time zone.
var berlin = ozg.Berlin

// startPayment starts (or resumes) paying the application's fee and answers the pay page URL.
func (p *API) startPayment(w http.ResponseWriter, r *http.Request) {
	pr, a, _, ok := p.application(w, r)
	if !ok {
		return
	}
	pay, err := p.cfg.Applications.StartPayment(r.Context(), pr.Subject, a.ID,
		p.publicURL("/applications/"+pathID(a.ID)+"/payment/return"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pay)
}

// paymentReturn handles the citizen's return from the pay page: the provider is asked for the
// status; the query string proves nothing.
func (p *API) paymentReturn(w http.ResponseWriter, r *http.Request) {
	pr, a, _, ok := p.application(w, r)
	if !ok {
		return
	}
	pay, err := p.cfg.Applications.PaymentReturned(r.Context(), pr.Subject, a.ID, r.URL.Query().Get(payment.ReturnParam))
	if err != nil && !(errors.Is(err, ozg.ErrFeeUnavailable) && pay.ID != "") {
		p.fail(w, r, err)
		return
	}
	if p.cfg.PaymentDone != "" {
		http.Redirect(w, r, p.cfg.PaymentDone+"?"+url.Values{"application": {a.ID}, "state": {string(pay.State)}}.Encode(), http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, pay)
}
