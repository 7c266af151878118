package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/ozgkit/ozgkit/ozg"
)

// uiAPIPrefix is where the UI's own portal lives. Only its payment return route is served
// (the pay page sends the browser there); the UI calls the rest in-process.
const uiAPIPrefix = "/portal"

// maxAPIAnswer bounds what the UI reads of an in-process portal answer.
const maxAPIAnswer = 1 << 20

// uiAPI is the JSON portal the UI goes through for uploads, payment and submission, so that
// their checks (evidence requirements and limits, the fee's attempts, completeness at
// submission, idempotency) are exactly those of /api. It shares every part with /api; only
// its payment return lands on an HTML page (PortalConfig.PaymentDone).
type uiAPI struct{ *ozg.Portal }

func newUIAPI(a *app, paymentDone string) (*uiAPI, error) {
	p, err := ozg.NewPortal(ozg.PortalConfig{
		Catalog: a.catalog, Applications: a.apps, Evidence: a.evidence, Payments: a.payments, Mailbox: a.mailbox,
		Prefix: uiAPIPrefix, BaseURL: a.base, PaymentDone: paymentDone, Logger: a.logger,
	})
	if err != nil {
		return nil, err
	}
	return &uiAPI{p}, nil
}

// apiProblem is a problem document the portal answered.
type apiProblem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Pointer string `json:"pointer"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p *apiProblem) Error() string { return fmt.Sprintf("portal: %d %s", p.Status, p.Detail) }

// call sends one request to the portal in-process, on behalf of the citizen of r (its
// context carries the principal the gate put there; the gate has already checked CSRF). An
// answer with status want is decoded into out; another status is returned as *apiProblem.
func (a *uiAPI) call(r *http.Request, method, path string, body io.Reader, header http.Header, want int, out any) error {
	req, err := http.NewRequestWithContext(r.Context(), method, uiAPIPrefix+path, body)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	rec := &recorder{header: http.Header{}}
	a.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status != want {
		p := &apiProblem{}
		if err := json.Unmarshal(rec.body.Bytes(), p); err != nil || p.Status == 0 {
			p.Status, p.Detail = rec.status, rec.body.String()
		}
		return p
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(rec.body.Bytes(), out)
}

// recorder keeps a bounded in-process answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if r.body.Len()+len(b) > maxAPIAnswer {
		return 0, fmt.Errorf("portal answer larger than %d bytes", maxAPIAnswer)
	}
	return r.body.Write(b)
}
