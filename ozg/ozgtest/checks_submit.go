package ozgtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/payment"
)

// receiptView is what the checks read of a submission's answer.
type receiptView struct {
	ApplicationID string `json:"applicationId"`
	SubmissionID  string `json:"submissionId"`
	Reference     string `json:"reference"`
}

func (r *runner) evidenceUpload() outcome {
	if o, ok := r.needs("draft-create"); !ok {
		return o
	}
	if len(r.svc.Evidence) == 0 {
		r.evidence = true
		return pass("the service asks for no evidence")
	}
	n := 0
	for _, req := range r.svc.Evidence {
		files := req.MinFiles()
		if _, given := r.t.Evidence[req.ID]; given && files == 0 {
			files = 1 // an optional requirement with a sample is uploaded too
		}
		if files == 0 {
			continue
		}
		f, ok := r.sampleFile(req.ID, req.MediaTypes)
		if !ok {
			return skip("no sample file for the required evidence %s (accepts %v)", req.ID, req.MediaTypes)
		}
		for i := range files {
			g := f
			if files > 1 {
				g.Name = fmt.Sprintf("%d-%s", i+1, f.Name)
			}
			a, err := r.call(r.a, uploadRequest(r.appPath("/evidence"), req.ID, g))
			if err != nil {
				return fail("%v", err)
			}
			if a.status != http.StatusCreated {
				return fail("uploading %s for %s: want 201; %s", g.Name, req.ID, a)
			}
			n++
		}
	}
	r.evidence = true
	r.observed.EvidenceUpload = true
	// Evidence is part of the draft: a portal may count its version up with every file.
	if v, err := r.current(); err == nil {
		r.draft = v
	}
	return pass("%d file(s) uploaded", n)
}

func (r *runner) payment() outcome {
	if o, ok := r.needs("draft-create"); !ok {
		return o
	}
	if !r.svc.FeeDueOnline() {
		r.paid = true
		return notApplicable("the service charges no fee before submission")
	}
	if r.t.Pay == nil {
		return skip("the service charges %s EUR before submission and the target has no Pay", payment.FormatEuro(r.svc.Fee.Amount))
	}
	a, err := r.call(r.a, request{method: http.MethodPost, path: r.appPath("/payment")})
	if err != nil {
		return fail("%v", err)
	}
	if a.status != http.StatusOK && a.status != http.StatusCreated {
		return fail("starting the payment: want 200; %s", a)
	}
	var start struct {
		PaymentID   string `json:"paymentId"`
		RedirectURL string `json:"redirectUrl"`
		Amount      int64  `json:"amount"`
		Currency    string `json:"currency"`
	}
	if err := a.decode(&start); err != nil {
		return fail("%v", err)
	}
	if start.RedirectURL == "" || start.Amount != r.svc.Fee.Amount || start.Currency != "EUR" {
		return fail("the payment's redirectUrl %q, amount %d %s; want a pay page and %d EUR", start.RedirectURL, start.Amount, start.Currency, r.svc.Fee.Amount)
	}
	back, err := r.t.Pay(r.ctx, r.a, start.RedirectURL)
	if err != nil {
		return skip("paying at the provider: %v", err)
	}
	if back == "" {
		back = r.appPath("/payment/return?" + url.Values{payment.ReturnParam: {start.PaymentID}}.Encode())
	}
	a, err = r.call(r.a, request{method: http.MethodGet, path: back})
	if err != nil {
		return fail("%v", err)
	}
	if a.status != http.StatusOK {
		return fail("the return from the pay page: want 200; %s", a)
	}
	if a.mediaType() == "application/json" {
		var ret struct{ State string }
		if err := a.decode(&ret); err != nil {
			return fail("%v", err)
		}
		if ret.State != string(payment.StatePaid) {
			return fail("after paying, the return says state %q, want %q", ret.State, payment.StatePaid)
		}
	}
	r.paid = true
	r.observed.OnlinePayment = true
	return pass("%s EUR paid", payment.FormatEuro(start.Amount))
}

// ready says why the draft cannot be submitted yet, or "".
func (r *runner) ready() string {
	var why []string
	if !r.complete {
		why = append(why, "the sample data is not saved (draft-complete)")
	}
	if !r.evidence {
		why = append(why, "evidence is missing (evidence-upload)")
	}
	if !r.paid {
		why = append(why, "the fee is not paid (payment)")
	}
	return strings.Join(why, "; ")
}

func (r *runner) submitKey() outcome {
	if o, ok := r.needs("draft-create"); !ok {
		return o
	}
	a, err := r.call(r.a, request{method: http.MethodPost, path: r.appPath("/submit")})
	if err != nil {
		return fail("%v", err)
	}
	if a.status/100 == 2 {
		return fail("a submit without key was accepted; %s", a)
	}
	if _, err := a.expectProblem(http.StatusBadRequest, http.StatusPreconditionRequired); err != nil {
		if why := r.ready(); why != "" && a.status/100 == 4 {
			return skip("refused, but the draft is incomplete (%s), so the refusal may not be for the key: %s", why, a)
		}
		return fail("%v", err)
	}
	if err := r.unchanged("the submit without key"); err != nil {
		return fail("%v", err)
	}
	return pass("")
}

func (r *runner) submit() outcome {
	if o, ok := r.needs("draft-create"); !ok {
		return o
	}
	if why := r.ready(); why != "" {
		return skip("the draft is not complete: %s", why)
	}
	r.key = "ozgtest-" + uuid.NewString()
	rc, _, err := r.submitWith(r.key)
	if err != nil {
		return fail("%v", err)
	}
	v, err := r.current()
	if err != nil {
		return fail("reading the submitted application: %v", err)
	}
	if v.State == "draft" {
		return fail("the application is still a draft after 202")
	}
	if v.Reference != "" && v.Reference != rc.Reference {
		return fail("the application shows reference %q, the receipt %q", v.Reference, rc.Reference)
	}
	r.receipt = rc
	return pass("reference %s, state %s", rc.Reference, v.State)
}

// submitWith submits A's draft with an idempotency key and reads the 202 receipt.
func (r *runner) submitWith(key string) (*receiptView, *answer, error) {
	a, err := r.call(r.a, request{method: http.MethodPost, path: r.appPath("/submit"), header: map[string]string{"Idempotency-Key": key}})
	if err != nil {
		return nil, nil, err
	}
	if a.status != http.StatusAccepted {
		return nil, a, fmt.Errorf("want 202; %s", a)
	}
	var rc receiptView
	if err := a.decode(&rc); err != nil {
		return nil, a, err
	}
	if rc.Reference == "" || rc.SubmissionID == "" {
		return nil, a, fmt.Errorf("the receipt lacks a reference or a submission id; %s", a)
	}
	if rc.ApplicationID != "" && rc.ApplicationID != r.draft.ID {
		return nil, a, fmt.Errorf("the receipt is for application %q, not %q", rc.ApplicationID, r.draft.ID)
	}
	return &rc, a, nil
}

func (r *runner) submitRepeat() outcome {
	if o, ok := r.needs("submit"); !ok {
		return o
	}
	rc, _, err := r.submitWith(r.key)
	if err != nil {
		return fail("the repeat: %v", err)
	}
	if rc.SubmissionID != r.receipt.SubmissionID || rc.Reference != r.receipt.Reference {
		return fail("the repeat answered submission %s (%s), the first %s (%s)", rc.SubmissionID, rc.Reference, r.receipt.SubmissionID, r.receipt.Reference)
	}
	return pass("")
}
