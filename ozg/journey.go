package ozg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// EvidenceFiles is what the journey needs of the evidence (Nachweise) of applications;
// *evidence.Manager is one. Its methods keep evidence.Manager's contract.
type EvidenceFiles interface {
	Upload(ctx context.Context, u evidence.Upload, r io.Reader) (evidence.Evidence, error)
	List(ctx context.Context, applicationID string) ([]evidence.Evidence, error)
	Open(ctx context.Context, applicationID, id string) (evidence.Evidence, io.ReadCloser, error)
	Delete(ctx context.Context, applicationID, id string) error
	DeleteApplication(ctx context.Context, applicationID string) error
}

// Fees is what the journey needs of a payment service to take a service's fee (Gebühr)
// online. ozg/portal adapts payment.Service to it (portal.PaymentFees).
//
// Contract: StartFee is idempotent per FeeRequest.Key (a repeated call returns the same
// attempt, also after it ended); FeeReturned asks the provider, never the citizen's URL, and
// answers ErrNotFound for a payment of another owner or application; PaidFee returns the paid
// payment of an application or an error wrapping ErrFeeNotPaid. A provider that cannot be
// reached gives an error wrapping ErrFeeUnavailable (FeeReturned may return the payment as it
// stood with it).
type Fees interface {
	StartFee(ctx context.Context, req FeeRequest) (FeePayment, error)
	FeeReturned(ctx context.Context, applicationID, owner, paymentID string) (FeePayment, error)
	PaidFee(ctx context.Context, applicationID, owner string) (FeePayment, error)
}

// Errors of the fee seam.
var (
	// ErrFeeNotPaid: the application's fee is not paid (yet).
	ErrFeeNotPaid = errors.New("ozg: fee not paid")
	// ErrFeeUnavailable: the payment provider cannot be reached now; try again later.
	ErrFeeUnavailable = errors.New("ozg: payment provider unavailable")
	// ErrFeeAttempts: too many payment attempts failed for one application.
	ErrFeeAttempts = errors.New("ozg: too many payment attempts")
)

// FeeRequest asks to start paying an application's fee.
type FeeRequest struct {
	// Key makes the start idempotent.
	Key           string
	ApplicationID string
	Owner         string
	// Amount in euro cents.
	Amount   int64
	Currency string
	// Purpose is the Verwendungszweck (XBezahldienste: 27 characters of [A-Za-z0-9 _-]).
	Purpose string
	// Description is shown on the pay page.
	Description string
	// ReturnURL is where the provider sends the citizen back.
	ReturnURL string
}

// FeeState is where a payment stands, as the journey sees it.
type FeeState string

// The payment states the journey tells apart.
const (
	FeeOpen     FeeState = "open" // created or pending at the provider
	FeePaid     FeeState = "paid"
	FeeFailed   FeeState = "failed"
	FeeCanceled FeeState = "canceled"
	FeeExpired  FeeState = "expired"
)

// Ended reports whether the attempt ended without payment, so a new one may start.
func (s FeeState) Ended() bool { return s == FeeFailed || s == FeeCanceled || s == FeeExpired }

// FeePayment is one attempt to pay a fee.
type FeePayment struct {
	ID       string   `json:"paymentId"`
	State    FeeState `json:"state"`
	Amount   int64    `json:"amount"`
	Currency string   `json:"currency"`
	// RedirectURL is the provider's pay page while the attempt is open.
	RedirectURL string `json:"redirectUrl,omitempty"`
	// Facts are set when the fee is paid.
	Facts *PaymentFacts `json:"-"`
}

// MaxPaymentAttempts bounds how often a citizen may start paying one fee anew.
const MaxPaymentAttempts = 20

// Problem is one thing that keeps an application from being submitted: a missing or unusable
// evidence, or the unpaid fee. Field is "evidence/<requirement>" or "payment".
type Problem struct {
	Field     string `json:"pointer"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageEN string `json:"messageEn"`
}

// IncompleteError lists what keeps an application from being submitted beyond its data. It
// matches ErrIncomplete with errors.Is.
type IncompleteError struct {
	ApplicationID string
	Problems      []Problem
}

// ErrIncomplete: evidence or the fee is missing; the error is an *IncompleteError.
var ErrIncomplete = errors.New("ozg: application incomplete")

func (e *IncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ozg: application %s is incomplete: ", e.ApplicationID)
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field + ": " + p.MessageEN)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrIncomplete) true.
func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// draftOf returns owner's application id with its service, or ErrInvalidTransition when it is
// no longer a draft.
func (s *Applications) draftOf(ctx context.Context, owner, id string) (*Application, *Service, error) {
	a, err := s.Get(ctx, owner, id)
	if err != nil {
		return nil, nil, err
	}
	if a.State != StateDraft {
		return nil, nil, &TransitionError{ApplicationID: id, From: a.State, To: StateSubmitted}
	}
	svc, err := s.catalog.Service(a.ServiceID)
	if err != nil {
		return nil, nil, err
	}
	return a, svc, nil
}

func (s *Applications) evidenceFiles() (EvidenceFiles, error) {
	if s.evidence == nil {
		return nil, errors.New("ozg: no evidence store is configured (ApplicationsOptions.Evidence)")
	}
	return s.evidence, nil
}

// Evidence lists the evidence of owner's application.
func (s *Applications) Evidence(ctx context.Context, owner, id string) ([]evidence.Evidence, error) {
	if _, err := s.Get(ctx, owner, id); err != nil {
		return nil, err
	}
	ev, err := s.evidenceFiles()
	if err != nil {
		return nil, err
	}
	return ev.List(ctx, id)
}

// OpenEvidence opens one evidence file of owner's application; the caller closes it. Only
// files scanned clean can be opened (evidence.ErrNotClean otherwise).
func (s *Applications) OpenEvidence(ctx context.Context, owner, id, evidenceID string) (evidence.Evidence, io.ReadCloser, error) {
	if _, err := s.Get(ctx, owner, id); err != nil {
		return evidence.Evidence{}, nil, err
	}
	ev, err := s.evidenceFiles()
	if err != nil {
		return evidence.Evidence{}, nil, err
	}
	return ev.Open(ctx, id, evidenceID)
}

// AttachEvidence streams one file for requirement requirementID into owner's draft. The
// evidence package checks size, count, type and scans it; its sentinel errors say what is
// wrong. The evidence set is part of the application: an upload that was still running when
// the application was submitted is removed again and answered with a *TransitionError, so
// the submission and the stored evidence always agree.
func (s *Applications) AttachEvidence(ctx context.Context, owner, id, requirementID, fileName string, r io.Reader) (evidence.Evidence, error) {
	a, svc, err := s.draftOf(ctx, owner, id)
	if err != nil {
		return evidence.Evidence{}, err
	}
	ev, err := s.evidenceFiles()
	if err != nil {
		return evidence.Evidence{}, err
	}
	req, ok := svc.Requirement(requirementID)
	if !ok {
		return evidence.Evidence{}, fmt.Errorf("%w: %q is not an evidence requirement of %s", evidence.ErrUnknownRequirement, requirementID, svc.ID)
	}
	e, err := ev.Upload(ctx, evidence.Upload{ApplicationID: a.ID, Requirement: req, FileName: fileName}, r)
	if err != nil {
		return evidence.Evidence{}, err
	}
	if err := s.touch(ctx, a.ID); err != nil {
		if derr := ev.Delete(context.WithoutCancel(ctx), a.ID, e.ID); derr != nil && !errors.Is(derr, evidence.ErrNotFound) {
			s.logger.Error("ozg: remove evidence that came too late", "application", a.ID, "evidence", e.ID, "err", derr)
		}
		return evidence.Evidence{}, err
	}
	return e, nil
}

// RemoveEvidence deletes one evidence file of owner's draft.
func (s *Applications) RemoveEvidence(ctx context.Context, owner, id, evidenceID string) error {
	a, _, err := s.draftOf(ctx, owner, id)
	if err != nil {
		return err
	}
	ev, err := s.evidenceFiles()
	if err != nil {
		return err
	}
	if err := ev.Delete(ctx, a.ID, evidenceID); err != nil {
		return err
	}
	return s.touch(ctx, a.ID)
}

// EvidenceChanged records that the evidence of owner's draft id changed outside
// AttachEvidence and RemoveEvidence (an HTTP handler that streams uploads itself, such as
// evidence.Handler, calls it through evidence.ChangeHook). It answers a *TransitionError when
// the application is no longer a draft; the change must then be undone.
func (s *Applications) EvidenceChanged(ctx context.Context, owner, id string) error {
	if _, err := s.Get(ctx, owner, id); err != nil {
		return err
	}
	return s.touch(ctx, id)
}

// touch counts up a draft's version after its evidence changed, so that a Submit that read
// the evidence before the change fails its version check and reads it again. It fails with a
// *TransitionError when the application is no longer a draft.
func (s *Applications) touch(ctx context.Context, id string) error {
	ctx = context.WithoutCancel(ctx)
	for i := 0; ; i++ {
		a, err := s.store.Get(ctx, id)
		if err != nil {
			return err
		}
		if a.State != StateDraft {
			return &TransitionError{ApplicationID: id, From: a.State, To: StateSubmitted}
		}
		a.UpdatedAt = s.now().UTC()
		err = s.store.Update(ctx, a)
		if !errors.Is(err, ErrConflict) || i == 4 {
			return err
		}
	}
}

// attachments collects the application's usable evidence and names what is missing or not
// clean.
func (s *Applications) attachments(ctx context.Context, a *Application, svc *Service) ([]Attachment, []Problem, error) {
	if len(svc.Evidence) == 0 {
		return nil, nil, nil
	}
	ev, err := s.evidenceFiles()
	if err != nil {
		return nil, nil, err
	}
	list, err := ev.List(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	var out []Attachment
	var problems []Problem
	for _, req := range svc.Evidence {
		usable := 0
		for _, e := range list {
			if e.RequirementID != req.ID {
				continue
			}
			field := "evidence/" + req.ID
			switch e.ScanState {
			case evidence.ScanClean:
				usable++
				out = append(out, Attachment{ID: e.ID, RequirementID: e.RequirementID, FileName: e.FileName,
					MediaType: e.MediaType, Size: e.Size, SHA512: e.SHA512, BlobKey: e.BlobKey})
			case evidence.ScanPending:
				problems = append(problems, Problem{Field: field, Code: "scanPending",
					Message:   fmt.Sprintf("Die Datei „%s“ wird noch geprüft. Bitte versuchen Sie es in einer Minute erneut.", e.FileName),
					MessageEN: fmt.Sprintf("The file %q is still being checked. Please try again in a minute.", e.FileName)})
			default:
				problems = append(problems, Problem{Field: field, Code: "notClean",
					Message:   fmt.Sprintf("Die Datei „%s“ konnte nicht angenommen werden. Bitte löschen Sie sie und laden Sie eine andere hoch.", e.FileName),
					MessageEN: fmt.Sprintf("The file %q could not be accepted. Please delete it and upload another.", e.FileName)})
			}
		}
		if need := req.MinFiles(); usable < need {
			files := "eine Datei"
			filesEN := "one file"
			if need > 1 {
				files = fmt.Sprintf("mindestens %d Dateien", need)
				filesEN = fmt.Sprintf("at least %d files", need)
			}
			problems = append(problems, Problem{Field: "evidence/" + req.ID, Code: "required",
				Message:   fmt.Sprintf("Bitte laden Sie für den Nachweis „%s“ %s hoch.", req.Title, files),
				MessageEN: fmt.Sprintf("Please upload %s for the evidence %q.", filesEN, req.Title)})
		}
	}
	return out, problems, nil
}

// fees returns the configured Fees or says that a service with a fee needs them.
func (s *Applications) fees(svc *Service) (Fees, error) {
	if s.payments == nil {
		return nil, fmt.Errorf("ozg: service %s charges a fee but no payment service is configured (ApplicationsOptions.Fees)", svc.ID)
	}
	return s.payments, nil
}

// paymentFacts returns the paid fee's facts, or a problem naming the missing payment. A
// payment of another amount or currency does not settle the fee.
func (s *Applications) paymentFacts(ctx context.Context, a *Application, svc *Service) (*PaymentFacts, *Problem, error) {
	if !svc.FeeDueOnline() {
		return nil, nil, nil
	}
	fees, err := s.fees(svc)
	if err != nil {
		return nil, nil, err
	}
	missing := &Problem{Field: "payment", Code: "required",
		Message:   fmt.Sprintf("Bitte bezahlen Sie zuerst die Gebühr von %s.", EuroDE(svc.Fee.Amount)),
		MessageEN: fmt.Sprintf("Please pay the fee of %s first.", EuroEN(svc.Fee.Amount))}
	pay, err := fees.PaidFee(ctx, a.ID, a.Owner)
	if errors.Is(err, ErrFeeNotPaid) || errors.Is(err, ErrNotFound) {
		return nil, missing, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if pay.State != FeePaid || pay.Amount != svc.Fee.Amount || pay.Currency != "EUR" || pay.Facts == nil {
		return nil, missing, nil
	}
	return pay.Facts, nil, nil
}

// Check reports what keeps owner's draft from being submitted beyond its form data: missing
// or unusable evidence and the unpaid fee, as an *IncompleteError; nil when nothing does.
func (s *Applications) Check(ctx context.Context, owner, id string) error {
	a, svc, err := s.draftOf(ctx, owner, id)
	if err != nil {
		return err
	}
	_, _, err = s.complete(ctx, a, svc)
	return err
}

// complete gathers the attachments and payment facts of a draft, or an *IncompleteError.
func (s *Applications) complete(ctx context.Context, a *Application, svc *Service) ([]Attachment, *PaymentFacts, error) {
	atts, problems, err := s.attachments(ctx, a, svc)
	if err != nil {
		return nil, nil, err
	}
	pay, missing, err := s.paymentFacts(ctx, a, svc)
	if err != nil {
		return nil, nil, err
	}
	if missing != nil {
		problems = append(problems, *missing)
	}
	if len(problems) > 0 {
		return nil, nil, &IncompleteError{ApplicationID: a.ID, Problems: problems}
	}
	return atts, pay, nil
}

// StartPayment starts paying the fee of owner's draft, or resumes the attempt that is open,
// and returns it with the provider's pay page (RedirectURL). The provider sends the citizen
// back to returnURL. An attempt that failed, was canceled or expired is followed by a new
// one; after MaxPaymentAttempts an error wrapping ErrFeeAttempts.
func (s *Applications) StartPayment(ctx context.Context, owner, id, returnURL string) (FeePayment, error) {
	a, svc, err := s.draftOf(ctx, owner, id)
	if err != nil {
		return FeePayment{}, err
	}
	if !svc.FeeDueOnline() {
		return FeePayment{}, fmt.Errorf("%w: service %s charges no fee before submission", ErrInvalidApplication, svc.ID)
	}
	fees, err := s.fees(svc)
	if err != nil {
		return FeePayment{}, err
	}
	// The first attempt's key is derived from the application; a payment that failed, was
	// canceled or expired keeps its key, so each new attempt's key is derived from the
	// previous payment. Repeating the call therefore resumes the current attempt.
	key := "fee:" + a.ID
	for attempt := 0; attempt < MaxPaymentAttempts; attempt++ {
		pay, err := fees.StartFee(ctx, FeeRequest{
			Key: key, ApplicationID: a.ID, Owner: owner, Amount: svc.Fee.Amount, Currency: "EUR",
			Purpose: purposeOf(svc, a), Description: "Gebühr: " + svc.Name, ReturnURL: returnURL,
		})
		if err != nil {
			return FeePayment{}, err
		}
		if !pay.State.Ended() {
			return pay, nil
		}
		key = "fee:" + a.ID + ":after:" + pay.ID
	}
	return FeePayment{}, fmt.Errorf("%w: %d attempts for application %s", ErrFeeAttempts, MaxPaymentAttempts, a.ID)
}

// PaymentReturned handles the citizen's return from the pay page: the provider is asked for
// the status of paymentID (the URL proves nothing). It returns the payment as it now stands.
func (s *Applications) PaymentReturned(ctx context.Context, owner, id, paymentID string) (FeePayment, error) {
	a, err := s.Get(ctx, owner, id)
	if err != nil {
		return FeePayment{}, err
	}
	svc, err := s.catalog.Service(a.ServiceID)
	if err != nil {
		return FeePayment{}, err
	}
	fees, err := s.fees(svc)
	if err != nil {
		return FeePayment{}, err
	}
	return fees.FeeReturned(ctx, a.ID, owner, paymentID)
}

// Fee returns the paid fee of owner's application, or an error wrapping ErrFeeNotPaid.
func (s *Applications) Fee(ctx context.Context, owner, id string) (FeePayment, error) {
	a, err := s.Get(ctx, owner, id)
	if err != nil {
		return FeePayment{}, err
	}
	svc, err := s.catalog.Service(a.ServiceID)
	if err != nil {
		return FeePayment{}, err
	}
	if !svc.FeeDueOnline() {
		return FeePayment{}, fmt.Errorf("%w: service %s charges no fee", ErrFeeNotPaid, svc.ID)
	}
	fees, err := s.fees(svc)
	if err != nil {
		return FeePayment{}, err
	}
	return fees.PaidFee(ctx, a.ID, owner)
}

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
