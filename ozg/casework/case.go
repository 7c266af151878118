package casework

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// Errors of the package, checked with errors.Is.
var (
	// ErrNotFound: no such case, or a case of a service the case worker is not assigned to
	// (the two are not told apart, so ids cannot be probed).
	ErrNotFound = errors.New("casework: case not found")
	// ErrInvalid: an input is malformed or out of bounds; the error names it.
	ErrInvalid = errors.New("casework: invalid input")
	// ErrStateChanged: the action does not fit the case's state any more, typically because it
	// was already taken (by this case worker in another tab, or by a colleague).
	ErrStateChanged = errors.New("casework: the case is no longer in a state that allows this")
	// ErrForbidden: the case worker has no role that assigns them any service.
	ErrForbidden = errors.New("casework: no service assigned")
	// ErrBadCursor: a paging cursor was not made by the store.
	ErrBadCursor = errors.New("casework: invalid page cursor")
)

// Bounds on what the package takes from outside.
const (
	MaxPageSize       = 100      // cases per page
	MaxEvents         = 1000     // events of one case that are read
	MaxTextLength     = 20000    // characters of a reason, question or Bescheid text
	MaxReferenceQuery = 64       // characters of an Aktenzeichen search
	MaxServices       = 200      // services in one query
	MaxSubmissionSize = 10 << 20 // bytes of a delivered submission (data and metadata)
)

// Case (Vorgang) is a delivered submission in the authority's inbox. Its ID is the
// submission's id. The submission is kept as delivered; State follows the application's state
// as the case workers move it.
type Case struct {
	ID         string          `json:"id"`
	Submission *ozg.Submission `json:"submission"`
	State      ozg.State       `json:"state"`
	ReceivedAt time.Time       `json:"receivedAt"`
}

// Clone returns a deep enough copy for stores: the submission's slices are copied.
func (c *Case) Clone() *Case {
	d := *c
	if c.Submission != nil {
		s := *c.Submission
		s.Data = append([]byte(nil), s.Data...)
		s.Attachments = append([]ozg.Attachment(nil), s.Attachments...)
		if s.Payment != nil {
			p := *s.Payment
			s.Payment = &p
		}
		d.Submission = &s
	}
	return &d
}

// Action says what an event records.
type Action string

// The actions of the audit trail (Protokoll).
const (
	ActionReceived       Action = "received"        // the submission arrived (system)
	ActionAccepted       Action = "accepted"        // accepted for processing (staff)
	ActionRejected       Action = "rejected"        // rejected as not processable, with a reason (staff)
	ActionQuery          Action = "query"           // a question (Rückfrage) sent to the citizen (staff)
	ActionReply          Action = "reply"           // the citizen's answer arrived (citizen)
	ActionDecided        Action = "decided"         // the Bescheid was issued (staff)
	ActionEvidenceOpened Action = "evidence-opened" // a case worker opened an evidence file (staff)
	ActionSummaryOpened  Action = "summary-opened"  // a case worker opened the Antragsübersicht (staff)
	ActionWithdrawn      Action = "withdrawn"       // the citizen withdrew the application (seen by the inbox)
	ActionRequeued       Action = "requeued"        // an operator requeued the case's failed outbox work (staff)
	// ActionEvidenceRequested: a query asks for evidence of one requirement, named in Detail;
	// Message is the query (staff).
	ActionEvidenceRequested Action = "evidence-requested"
	// ActionEvidenceReceived: the citizen sent a file for a query; Detail is the file as JSON
	// (see ReceivedEvidence), Message the query (citizen).
	ActionEvidenceReceived Action = "evidence-received"
)

// Valid reports whether a is one of the defined actions.
func (a Action) Valid() bool {
	switch a {
	case ActionReceived, ActionAccepted, ActionRejected, ActionQuery, ActionReply, ActionDecided,
		ActionEvidenceOpened, ActionSummaryOpened, ActionWithdrawn, ActionRequeued,
		ActionEvidenceRequested, ActionEvidenceReceived:
		return true
	}
	return false
}

// Actor is who did something: a case worker (Subject and Name from their login), the citizen
// or the system.
type Actor struct {
	// Kind is "staff", "citizen" or "system".
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
	Name    string `json:"name,omitempty"`
}

// Event is one entry of a case's audit trail: who did what when. Events are only ever added.
type Event struct {
	CaseID string `json:"caseId"`
	// Seq numbers a case's events from 1, in the order they were stored.
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Actor  Actor     `json:"actor"`
	Action Action    `json:"action"`
	// Detail is what the action carried: a reason, a question, a reply's text, a file name.
	Detail string `json:"detail,omitempty"`
	// Message is the id of the mailbox message the action sent or received, if any.
	Message string `json:"message,omitempty"`
}

// Query selects a page of the inbox.
type Query struct {
	// Services are the services whose cases may be listed; empty lists nothing. The case
	// worker's assignment fills it.
	Services []string
	// Service narrows to one of Services; "" means all of them.
	Service string
	// State narrows to one state; "" means every state.
	State ozg.State
	// Reference narrows to cases whose Aktenzeichen starts with it (case-insensitive).
	Reference string
	// Limit is 1 to MaxPageSize; 0 means 20.
	Limit int
	// Cursor continues after the page that returned it; "" starts at the newest case.
	Cursor string
}

var (
	validID        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	validReference = regexp.MustCompile(`^[A-Za-z0-9/._-]{0,64}$`)
)

// ValidID reports whether s can be a case id (a submission id): 1 to 128 characters of
// letters, digits and . _ : -.
func ValidID(s string) bool { return validID.MatchString(s) }

// Normalize checks q and fills its defaults, or names what is wrong.
func (q Query) Normalize() (Query, error) {
	switch {
	case q.Limit == 0:
		q.Limit = 20
	case q.Limit < 0 || q.Limit > MaxPageSize:
		return q, fmt.Errorf("%w: page size %d is not between 1 and %d", ErrInvalid, q.Limit, MaxPageSize)
	}
	if len(q.Services) > MaxServices {
		return q, fmt.Errorf("%w: %d services, at most %d", ErrInvalid, len(q.Services), MaxServices)
	}
	if q.State != "" && !q.State.Valid() {
		return q, fmt.Errorf("%w: unknown state %q", ErrInvalid, q.State)
	}
	if len(q.Reference) > MaxReferenceQuery || !validReference.MatchString(q.Reference) {
		return q, fmt.Errorf("%w: an Aktenzeichen has at most %d letters, digits and / . _ -", ErrInvalid, MaxReferenceQuery)
	}
	if len(q.Cursor) > 300 {
		return q, fmt.Errorf("%w: too long", ErrBadCursor)
	}
	return q, nil
}
