package ozg

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/payment"
)

// IdempotencyKeyHeader names the header that makes a submit safe to repeat.
const IdempotencyKeyHeader = "Idempotency-Key"

// SubmitReceipt is the answer to a submission: the reference number (Aktenzeichen) and what
// was received, the Eingangsbestätigung the citizen can keep.
type SubmitReceipt struct {
	ApplicationID string        `json:"applicationId"`
	SubmissionID  string        `json:"submissionId"`
	Reference     string        `json:"reference"`
	ServiceID     string        `json:"serviceId"`
	ServiceName   string        `json:"serviceName"`
	Authority     string        `json:"authority"`
	SubmittedAt   time.Time     `json:"submittedAt"`
	Attachments   []Attachment  `json:"attachments"`
	Payment       *PaymentFacts `json:"payment,omitempty"`
	// Message is the confirmation in German for the citizen.
	Message string `json:"message"`
}

// submitApplication checks everything the service needs — the data in full, every required
// evidence present and scanned clean, the fee paid — then stores the submission and queues it
// for delivery in one transaction and answers 202 with the receipt.
func (p *Portal) submitApplication(w http.ResponseWriter, r *http.Request) {
	pr, a, svc, ok := p.application(w, r)
	if !ok {
		return
	}
	key := r.Header.Get(IdempotencyKeyHeader)
	if key == "" || len(key) > MaxIdempotencyKeyLength {
		problem.Write(w, problem.Details{Status: http.StatusBadRequest,
			Detail: fmt.Sprintf("the %s header must hold 1 to %d characters", IdempotencyKeyHeader, MaxIdempotencyKeyLength),
			Errors: []problem.FieldError{{Pointer: IdempotencyKeyHeader, Code: "required", Message: "Technischer Fehler: Schlüssel fehlt.", MessageEN: "Idempotency key missing."}}})
		return
	}
	ctx := r.Context()
	var req SubmitRequest
	if a.State == StateDraft { // a repeated submit skips the checks and gets the first answer
		var problems []problem.FieldError
		var err error
		req.Attachments, problems, err = p.attachments(ctx, a, svc)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		if pf, missing, err := p.paymentFacts(ctx, a, svc, pr.Subject); err != nil {
			p.fail(w, r, err)
			return
		} else if missing != nil {
			problems = append(problems, *missing)
		} else {
			req.Payment = pf
		}
		if len(problems) > 0 {
			problem.Write(w, problem.Details{Status: http.StatusUnprocessableEntity, Title: "Antrag unvollständig",
				Detail: "Es fehlen noch Nachweise oder die Zahlung. (Evidence or payment is missing.)", Errors: problems})
			return
		}
	}
	req.IdempotencyKey = key
	req.Identity = IdentityFacts{Subject: pr.Subject, Level: pr.Level, Method: string(pr.Method), Issuer: pr.Issuer}
	done, sub, err := p.cfg.Applications.Submit(ctx, pr.Subject, a.ID, req)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, receiptOf(svc, done, sub))
}

func receiptOf(svc *Service, a *Application, sub *Submission) SubmitReceipt {
	atts := sub.Attachments
	if atts == nil {
		atts = []Attachment{}
	}
	return SubmitReceipt{
		ApplicationID: a.ID, SubmissionID: sub.ID, Reference: sub.Reference, ServiceID: svc.ID,
		ServiceName: svc.Name, Authority: svc.Authority.Name, SubmittedAt: sub.SubmittedAt,
		Attachments: atts, Payment: sub.Payment,
		Message: fmt.Sprintf("Ihr Antrag „%s“ ist am %s eingegangen. Ihr Aktenzeichen: %s.",
			svc.Name, sub.SubmittedAt.In(berlin()).Format("02.01.2006 um 15:04 Uhr"), sub.Reference),
	}
}

// berlin returns the time zone of German authorities, or UTC where the zone data is missing.
func berlin() *time.Location {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
}

// attachments collects the application's evidence and names what is missing or not clean.
func (p *Portal) attachments(ctx context.Context, a *Application, svc *Service) ([]Attachment, []problem.FieldError, error) {
	if len(svc.Evidence) == 0 {
		return nil, nil, nil
	}
	list, err := p.cfg.Evidence.List(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	var out []Attachment
	var problems []problem.FieldError
	for _, req := range svc.Evidence {
		usable := 0
		for _, e := range list {
			if e.RequirementID != req.ID {
				continue
			}
			switch e.ScanState {
			case evidence.ScanClean:
				usable++
				out = append(out, Attachment{ID: e.ID, RequirementID: e.RequirementID, FileName: e.FileName,
					MediaType: e.MediaType, Size: e.Size, SHA512: e.SHA512, BlobKey: e.BlobKey})
			case evidence.ScanPending:
				problems = append(problems, problem.FieldError{Pointer: "evidence/" + req.ID, Code: "scanPending",
					Message:   fmt.Sprintf("Die Datei „%s“ wird noch geprüft. Bitte versuchen Sie es in einer Minute erneut.", e.FileName),
					MessageEN: fmt.Sprintf("The file %q is still being checked. Please try again in a minute.", e.FileName)})
			default:
				problems = append(problems, problem.FieldError{Pointer: "evidence/" + req.ID, Code: "notClean",
					Message:   fmt.Sprintf("Die Datei „%s“ konnte nicht angenommen werden. Bitte löschen Sie sie und laden Sie eine andere hoch.", e.FileName),
					MessageEN: fmt.Sprintf("The file %q could not be accepted. Please delete it and upload another.", e.FileName)})
			}
		}
		if need := req.MinFiles(); usable < need {
			problems = append(problems, problem.FieldError{Pointer: "evidence/" + req.ID, Code: "required",
				Message:   fmt.Sprintf("Bitte laden Sie den Nachweis „%s“ hoch (mindestens %d Datei(en)).", req.Title, need),
				MessageEN: fmt.Sprintf("Please upload the evidence %q (at least %d file(s)).", req.Title, need)})
		}
	}
	return out, problems, nil
}

// paymentFacts returns the paid fee's facts, or a problem naming the missing payment.
func (p *Portal) paymentFacts(ctx context.Context, a *Application, svc *Service, owner string) (*PaymentFacts, *problem.FieldError, error) {
	if !svc.FeeDueOnline() {
		return nil, nil, nil
	}
	missing := &problem.FieldError{Pointer: "payment", Code: "required",
		Message:   fmt.Sprintf("Bitte bezahlen Sie zuerst die Gebühr von %s Euro.", euroDE(svc.Fee.Amount)),
		MessageEN: fmt.Sprintf("Please pay the fee of EUR %s first.", payment.FormatEuro(svc.Fee.Amount))}
	pay, err := p.cfg.Payments.PaidFor(ctx, a.ID, owner)
	if errors.Is(err, payment.ErrNotPaid) || errors.Is(err, payment.ErrNotFound) {
		return nil, missing, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if pay.Amount != svc.Fee.Amount || pay.Currency != "EUR" {
		return nil, missing, nil // a payment for another amount does not settle this fee
	}
	f, err := pay.Facts()
	if err != nil {
		return nil, nil, err
	}
	return &PaymentFacts{Method: string(f.PaymentMethod), Status: "BOOKED", TransactionID: f.TransactionID,
		Reference: f.TransactionReference, Timestamp: f.TransactionTimestamp, GrossAmount: f.GrossAmount}, nil, nil
}

// startPayment starts (or resumes) paying the application's fee and answers the pay page URL.
func (p *Portal) startPayment(w http.ResponseWriter, r *http.Request) {
	pr, a, svc, ok := p.application(w, r)
	if !ok {
		return
	}
	if !svc.FeeDueOnline() {
		problem.Error(w, http.StatusConflict, "this service charges no fee before submission")
		return
	}
	if a.State != StateDraft {
		p.fail(w, r, &TransitionError{ApplicationID: a.ID, From: a.State, To: StateSubmitted})
		return
	}
	// The first attempt's key is derived from the application; a payment that failed, was
	// canceled or expired keeps its key, so each new attempt's key is derived from the previous
	// payment. Repeating the request therefore resumes the current attempt.
	key := "fee:" + a.ID
	var pay *payment.Payment
	for attempt := 0; ; attempt++ {
		if attempt == maxPaymentAttempts {
			problem.Error(w, http.StatusConflict, fmt.Sprintf("%d payment attempts failed; please contact the authority", maxPaymentAttempts))
			return
		}
		var err error
		pay, err = p.cfg.Payments.Start(r.Context(), payment.StartRequest{
			Key:           key,
			ApplicationID: a.ID,
			Owner:         pr.Subject,
			Amount:        svc.Fee.Amount,
			Currency:      "EUR",
			Purpose:       purposeOf(svc, a),
			Description:   "Gebühr: " + svc.Name,
			ReturnURL:     p.publicURL("/applications/" + pathID(a.ID) + "/payment/return"),
		})
		if err != nil {
			p.fail(w, r, err)
			return
		}
		if pay.State != payment.StateFailed && pay.State != payment.StateCanceled && pay.State != payment.StateExpired {
			break
		}
		key = "fee:" + a.ID + ":after:" + pay.ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"paymentId": pay.ID, "state": pay.State, "redirectUrl": pay.RedirectURL,
		"amount": pay.Amount, "currency": pay.Currency})
}

// euroDE formats cents the German way, e.g. 3060 → "30,60".
func euroDE(cents int64) string { return strings.Replace(payment.FormatEuro(cents), ".", ",", 1) }

// maxPaymentAttempts bounds how often a citizen may start paying one fee anew.
const maxPaymentAttempts = 20

// purposeOf makes the Verwendungszweck: service id and the application id's start, within
// XBezahldienste's 27 characters of [A-Za-z0-9 -].
func purposeOf(svc *Service, a *Application) string {
	id := a.ID
	if len(id) > 8 {
		id = id[:8]
	}
	s := svc.ID
	if len(s) > 27-len(id)-1 {
		s = s[:27-len(id)-1]
	}
	return s + " " + id
}

// paymentReturn handles the citizen's return from the pay page: the provider is asked for the
// status; the query string proves nothing.
func (p *Portal) paymentReturn(w http.ResponseWriter, r *http.Request) {
	pr, a, _, ok := p.application(w, r)
	if !ok {
		return
	}
	pay, err := p.cfg.Payments.HandleReturn(r.Context(), payment.ReturnFromRequest(r, a.ID, pr.Subject))
	if err != nil && !(errors.Is(err, payment.ErrUnavailable) && pay != nil) {
		p.fail(w, r, err)
		return
	}
	if p.cfg.PaymentDone != "" {
		http.Redirect(w, r, p.cfg.PaymentDone+"?"+url.Values{"application": {a.ID}, "state": {string(pay.State)}}.Encode(), http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"paymentId": pay.ID, "state": pay.State, "amount": pay.Amount, "currency": pay.Currency})
}
