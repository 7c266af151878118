package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// Question is a case worker's question to the citizen (Rückfrage), optionally asking for
// evidence anew (Nachforderung).
type Question struct {
	// Text is the question. Required.
	Text string
	// Requirements are ids of the service's evidence requirements the citizen is asked to
	// send (again), with their answer in the Postfach; none asks for text only.
	Requirements []string
	// Due is the date by which the answer is asked for; zero for none.
	Due time.Time
}

// The Casework keeps the record of the queries that ask for evidence: the citizen's files
// go through ozg.Applications.AttachRequestedEvidence, which asks it.
var _ ozg.EvidenceRequests = (*Casework)(nil)

// AskFor sends the citizen question q (Rückfrage, Nachforderung) they can answer in their
// Postfach — with text, and with files for each evidence requirement q names. The case must
// be delivered or accepted. The query and each requirement it asks for are recorded in the
// audit trail; the answer arrives through [Casework.ReceiveReply], its files through
// [Casework.EvidenceReceived].
func (cw *Casework) AskFor(ctx context.Context, s Staff, id string, q Question) (mailbox.Message, error) {
	if err := checkText("question", q.Text, true); err != nil {
		return mailbox.Message{}, err
	}
	if !q.Due.IsZero() && q.Due.Before(cw.clock()) {
		return mailbox.Message{}, &FieldError{Field: "due", Reason: "past"}
	}
	c, svc, err := cw.caseFor(ctx, s, id)
	if err != nil {
		return mailbox.Message{}, err
	}
	if len(q.Requirements) > len(svc.Evidence) {
		return mailbox.Message{}, &FieldError{Field: "requirements", Reason: "invalid"}
	}
	var titles []string
	for i, r := range q.Requirements {
		req, ok := svc.Requirement(r)
		if !ok || slices.Contains(q.Requirements[:i], r) {
			return mailbox.Message{}, &FieldError{Field: "requirements", Reason: "invalid"}
		}
		titles = append(titles, req.Title)
	}
	if c.State != ozg.StateDelivered && c.State != ozg.StateAccepted {
		return mailbox.Message{}, fmt.Errorf("%w: case %s is %s", ErrStateChanged, c.ID, c.State)
	}
	body := q.Text
	if len(titles) > 0 {
		body += "\n\nBitte senden Sie mit Ihrer Antwort im Postfach diese Nachweise:\n– " + strings.Join(titles, "\n– ")
	}
	d := draft(c, svc, mailbox.KindQuery, mailbox.StatusActionRequired, "Rückfrage zu Ihrem Antrag: "+svc.Name, body)
	d.ReplyAllowed, d.Due = true, q.Due
	msg, err := cw.mb.Send(ctx, d)
	if err != nil {
		return mailbox.Message{}, fmt.Errorf("casework: case %s: query: %w", c.ID, err)
	}
	now := cw.clock()
	if _, err := cw.store.Append(ctx, Event{CaseID: c.ID, At: now, Actor: s.actor(), Action: ActionQuery, Detail: q.Text, Message: msg.ID}, "", ""); err != nil {
		return msg, fmt.Errorf("casework: case %s: record query: %w", c.ID, err)
	}
	for _, r := range q.Requirements {
		if _, err := cw.store.Append(ctx, Event{CaseID: c.ID, At: now, Actor: s.actor(), Action: ActionEvidenceRequested, Detail: r, Message: msg.ID}, "", ""); err != nil {
			return msg, fmt.Errorf("casework: case %s: record requested evidence: %w", c.ID, err)
		}
	}
	return msg, nil
}

// ReceivedEvidence is a file the citizen sent in answer to a query (Nachforderung), as the
// audit trail records it.
type ReceivedEvidence struct {
	// Query is the id of the query (mailbox message) the file answers.
	Query string `json:"-"`
	// At is when it arrived.
	At            time.Time `json:"-"`
	ID            string    `json:"id"`
	RequirementID string    `json:"requirement"`
	FileName      string    `json:"name"`
	MediaType     string    `json:"type"`
	Size          int64     `json:"size"`
	SHA512        string    `json:"sha512"`
}

// receivedOf reads the files received for queries from a case's events.
func receivedOf(events []Event) []ReceivedEvidence {
	var out []ReceivedEvidence
	for _, e := range events {
		if r, ok := receivedIn(e); ok {
			out = append(out, r)
		}
	}
	return out
}

// receivedIn reads the file an ActionEvidenceReceived event records.
func receivedIn(e Event) (ReceivedEvidence, bool) {
	var r ReceivedEvidence
	if e.Action != ActionEvidenceReceived || json.Unmarshal([]byte(e.Detail), &r) != nil || r.ID == "" {
		return ReceivedEvidence{}, false
	}
	r.Query, r.At = e.Message, e.At
	return r, true
}

// openQuery loads the case of owner's application and its events when query queryID is a
// query of it that the citizen may still answer, and answers ErrNotRequested otherwise.
func (cw *Casework) openQuery(ctx context.Context, owner, applicationID, queryID string) (*Case, []Event, error) {
	notRequested := fmt.Errorf("%w: query %q of application %q is not open", ozg.ErrNotRequested, queryID, applicationID)
	c, err := cw.store.ByApplication(ctx, applicationID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, notRequested
	}
	if err != nil {
		return nil, nil, err
	}
	if c.Submission.Owner != owner || (c.State != ozg.StateDelivered && c.State != ozg.StateAccepted) {
		return nil, nil, notRequested
	}
	q, err := cw.mb.Message(ctx, owner, queryID)
	if errors.Is(err, mailbox.ErrNotFound) {
		return nil, nil, notRequested
	}
	if err != nil {
		return nil, nil, err
	}
	if q.Application != applicationID || !q.Answerable(cw.clock()) {
		return nil, nil, notRequested
	}
	events, err := cw.store.Events(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	return c, events, nil
}

// OpenRequest implements ozg.EvidenceRequests: what query queryID asks owner to upload for
// application applicationID, while the query is open. A query that asks for no evidence, is
// answered, past its due date, of another citizen or application, or of a case that is no
// longer delivered or accepted answers ozg.ErrNotRequested.
func (cw *Casework) OpenRequest(ctx context.Context, owner, applicationID, queryID string) (ozg.EvidenceRequest, error) {
	c, events, err := cw.openQuery(ctx, owner, applicationID, queryID)
	if err != nil {
		return ozg.EvidenceRequest{}, err
	}
	var req ozg.EvidenceRequest
	for _, e := range events {
		if e.Action == ActionEvidenceRequested && e.Message == queryID {
			req.Requirements = append(req.Requirements, e.Detail)
		}
	}
	if len(req.Requirements) == 0 {
		return ozg.EvidenceRequest{}, fmt.Errorf("%w: query %q asks for no evidence", ozg.ErrNotRequested, queryID)
	}
	for _, a := range c.Submission.Attachments {
		req.Earlier = append(req.Earlier, a.ID)
	}
	for _, r := range receivedOf(events) {
		if r.Query == queryID {
			req.Received = append(req.Received, r.ID)
		} else {
			req.Earlier = append(req.Earlier, r.ID)
		}
	}
	return req, nil
}

// EvidenceReceived implements ozg.EvidenceRequests: it records in the case's audit trail that
// file e arrived for query queryID — name, type, size and SHA-512 — once per file. It answers
// ozg.ErrNotRequested when the query is no longer open or does not ask for e's requirement.
func (cw *Casework) EvidenceReceived(ctx context.Context, owner, applicationID, queryID string, e evidence.Evidence) error {
	req, err := cw.OpenRequest(ctx, owner, applicationID, queryID)
	if err != nil {
		return err
	}
	if !req.Asks(e.RequirementID) || e.ApplicationID != applicationID {
		return fmt.Errorf("%w: query %q does not ask for %q", ozg.ErrNotRequested, queryID, e.RequirementID)
	}
	if slices.Contains(req.Received, e.ID) {
		return nil
	}
	c, err := cw.store.ByApplication(ctx, applicationID)
	if err != nil {
		return err
	}
	detail, err := json.Marshal(ReceivedEvidence{ID: e.ID, RequirementID: e.RequirementID, FileName: e.FileName, MediaType: e.MediaType, Size: e.Size, SHA512: e.SHA512})
	if err != nil {
		return err
	}
	_, err = cw.store.Append(ctx, Event{CaseID: c.ID, At: cw.clock(), Actor: Actor{Kind: "citizen"}, Action: ActionEvidenceReceived, Detail: string(detail), Message: queryID}, "", "")
	return err
}

// OpenReceivedEvidence returns the file evidenceID that the citizen sent for a query of case
// id, with its bytes, and records that s opened it. Only files scanned clean open
// (evidence.ErrNotClean otherwise). The caller closes the reader.
func (cw *Casework) OpenReceivedEvidence(ctx context.Context, s Staff, id, evidenceID string) (ReceivedEvidence, io.ReadCloser, error) {
	c, _, err := cw.caseFor(ctx, s, id)
	if err != nil {
		return ReceivedEvidence{}, nil, err
	}
	events, err := cw.store.Events(ctx, c.ID)
	if err != nil {
		return ReceivedEvidence{}, nil, err
	}
	i := slices.IndexFunc(receivedOf(events), func(r ReceivedEvidence) bool { return r.ID == evidenceID })
	if i < 0 {
		return ReceivedEvidence{}, nil, fmt.Errorf("%w: evidence %q of case %s", ErrNotFound, evidenceID, id)
	}
	r := receivedOf(events)[i]
	_, rc, err := cw.j.Applications.OpenEvidence(ctx, c.Submission.Owner, c.Submission.ApplicationID, r.ID)
	if errors.Is(err, evidence.ErrNotFound) || errors.Is(err, ozg.ErrNotFound) {
		return ReceivedEvidence{}, nil, fmt.Errorf("%w: evidence %q of case %s is gone", ErrNotFound, evidenceID, id)
	}
	if err != nil {
		return ReceivedEvidence{}, nil, fmt.Errorf("casework: case %s: evidence %s: %w", id, evidenceID, err)
	}
	if _, err := cw.store.Append(ctx, Event{CaseID: c.ID, At: cw.clock(), Actor: s.actor(), Action: ActionEvidenceOpened, Detail: r.FileName}, "", ""); err != nil {
		rc.Close()
		return ReceivedEvidence{}, nil, err
	}
	return r, rc, nil
}
