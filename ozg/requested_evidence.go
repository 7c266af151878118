package ozg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// ErrNotRequested: no open query (Nachforderung) of the authority asks the citizen for this
// evidence — there is no such query, it asks for other evidence, it was answered, or its due
// date has passed.
var ErrNotRequested = errors.New("ozg: evidence not requested")

// EvidenceRequest is what an open query of the authority asks the citizen to upload.
type EvidenceRequest struct {
	// Requirements are the ids of the service's evidence requirements the query asks for.
	Requirements []string
	// Earlier are the ids of the application's evidence that was there before the query: the
	// submitted files and those received for other queries. A requirement's MaxCount bounds
	// the files of that requirement beyond them.
	Earlier []string
	// Received are the ids of the evidence received for this query so far.
	Received []string
}

// Asks reports whether the request asks for requirement id.
func (r EvidenceRequest) Asks(id string) bool { return slices.Contains(r.Requirements, id) }

// EvidenceRequests is the authority side's record of the queries that ask a citizen for
// evidence after the submission (ozg/casework's Casework is one). The journey asks it before
// and after each upload and tells it of each file received; it keeps ozg free of the mailbox.
//
// Contract: OpenRequest returns what query queryID asks of owner's application applicationID
// while the query is open — sent, not answered, not past its due date — or an error wrapping
// ErrNotRequested (also for a query of another owner or application, or one that asks for no
// evidence). EvidenceReceived records that e arrived for the query (in the audit trail); it
// answers an error wrapping ErrNotRequested when the query is no longer open or does not ask
// for e's requirement, and the journey then removes the file again.
type EvidenceRequests interface {
	OpenRequest(ctx context.Context, owner, applicationID, queryID string) (EvidenceRequest, error)
	EvidenceReceived(ctx context.Context, owner, applicationID, queryID string, e evidence.Evidence) error
}

// afterSubmission returns owner's application id with its service when it is past the draft
// and not final, the states in which the authority may ask for evidence.
func (s *Applications) afterSubmission(ctx context.Context, owner, id string) (*Application, *Service, error) {
	a, err := s.Get(ctx, owner, id)
	if err != nil {
		return nil, nil, err
	}
	if a.State == StateDraft || a.State.Final() {
		return nil, nil, fmt.Errorf("%w: application %s is %s; evidence can be sent in answer to a query only after the submission and before the decision",
			ErrNotRequested, id, a.State)
	}
	svc, err := s.catalog.Service(a.ServiceID)
	if err != nil {
		return nil, nil, err
	}
	return a, svc, nil
}

// RequestedEvidence returns what query queryID asks owner to upload for application id and
// the files received for it so far. It answers an error wrapping ErrNotRequested when the
// query is not open or asks for no evidence.
func (s *Applications) RequestedEvidence(ctx context.Context, requests EvidenceRequests, owner, id, queryID string) (EvidenceRequest, []evidence.Evidence, error) {
	if requests == nil {
		return EvidenceRequest{}, nil, fmt.Errorf("%w: nobody asks for evidence after the submission here", ErrNotRequested)
	}
	a, _, err := s.afterSubmission(ctx, owner, id)
	if err != nil {
		return EvidenceRequest{}, nil, err
	}
	req, err := requests.OpenRequest(ctx, owner, a.ID, queryID)
	if err != nil {
		return EvidenceRequest{}, nil, err
	}
	ev, err := s.evidenceFiles()
	if err != nil {
		return EvidenceRequest{}, nil, err
	}
	list, err := ev.List(ctx, a.ID)
	if err != nil {
		return EvidenceRequest{}, nil, err
	}
	var received []evidence.Evidence
	for _, e := range list {
		if slices.Contains(req.Received, e.ID) {
			received = append(received, e)
		}
	}
	return req, received, nil
}

// AttachRequestedEvidence streams one file that the authority asked for (Nachforderung) into
// owner's application, through the whole evidence pipeline like AttachEvidence (size, type
// by signature, active content, SHA-512, virus scan). It is allowed only for an application
// that is past its draft and not final, only while requests says that query queryID is open
// and asks for requirementID, and only up to the requirement's MaxCount files for the query
// (files beyond the query's Earlier ones; the evidence manager checks the count when it
// stores the file, so concurrent uploads cannot pass it). The file is recorded with
// requests.EvidenceReceived; when the query closed or the application moved on meanwhile,
// the file is removed again and the error says why.
//
// Errors: ErrNotFound (not owner's application), ErrNotRequested (no open query asks for
// it, or the application's state), evidence.ErrUnknownRequirement, and the pipeline's
// *evidence.RefusedError.
func (s *Applications) AttachRequestedEvidence(ctx context.Context, requests EvidenceRequests, owner, applicationID, queryID, requirementID, fileName string, r io.Reader) (evidence.Evidence, error) {
	if requests == nil {
		return evidence.Evidence{}, fmt.Errorf("%w: nobody asks for evidence after the submission here", ErrNotRequested)
	}
	a, svc, err := s.afterSubmission(ctx, owner, applicationID)
	if err != nil {
		return evidence.Evidence{}, err
	}
	req, ok := svc.Requirement(requirementID)
	if !ok {
		return evidence.Evidence{}, fmt.Errorf("%w: %q is not an evidence requirement of %s", evidence.ErrUnknownRequirement, requirementID, svc.ID)
	}
	open, err := requests.OpenRequest(ctx, owner, a.ID, queryID)
	if err != nil {
		return evidence.Evidence{}, err
	}
	if !open.Asks(requirementID) {
		return evidence.Evidence{}, fmt.Errorf("%w: query %s does not ask for %q", ErrNotRequested, queryID, requirementID)
	}
	ev, err := s.evidenceFiles()
	if err != nil {
		return evidence.Evidence{}, err
	}
	list, err := ev.List(ctx, a.ID)
	if err != nil {
		return evidence.Evidence{}, err
	}
	earlier := 0
	for _, e := range list {
		if e.RequirementID == req.ID && slices.Contains(open.Earlier, e.ID) {
			earlier++
		}
	}
	// The manager counts every file of the requirement; the query may add MaxCount to those
	// that were there before it.
	bounded := req
	bounded.MaxCount = earlier + max(req.MaxCount, 1)
	e, err := ev.Upload(ctx, evidence.Upload{ApplicationID: a.ID, Requirement: bounded, FileName: fileName}, r)
	var refused *evidence.RefusedError
	if errors.As(err, &refused) && errors.Is(err, evidence.ErrTooManyFiles) && refused.Field == "requirement" {
		// Say the query's bound, not the manager's count that includes the earlier files.
		n := max(req.MaxCount, 1)
		return evidence.Evidence{}, &evidence.RefusedError{Err: evidence.ErrTooManyFiles, Field: "requirement",
			Message:   fmt.Sprintf("Zu dieser Nachforderung können Sie für diesen Nachweis höchstens %d Dateien senden.", n),
			MessageEN: fmt.Sprintf("At most %d files can be sent for requirement %q in answer to this query.", n, req.ID)}
	}
	if err != nil {
		return evidence.Evidence{}, err
	}
	undo := func(cause error) (evidence.Evidence, error) {
		if derr := ev.Delete(context.WithoutCancel(ctx), a.ID, e.ID); derr != nil && !errors.Is(derr, evidence.ErrNotFound) {
			s.logger.Error("ozg: remove requested evidence that came too late", "application", a.ID, "evidence", e.ID, "err", derr)
		}
		return evidence.Evidence{}, cause
	}
	// The upload may have taken a while: the application or the query may have moved on.
	if _, _, err := s.afterSubmission(context.WithoutCancel(ctx), owner, a.ID); err != nil {
		return undo(err)
	}
	if err := requests.EvidenceReceived(context.WithoutCancel(ctx), owner, a.ID, queryID, e); err != nil {
		return undo(err)
	}
	return e, nil
}
