package casework

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework/document"
)

// Journey is what casework uses of the citizen side: the catalogue (services, forms), the
// lifecycle (to move applications on), the application store (to read an application
// without the owner check, on behalf of the authority) and the evidence files.
type Journey struct {
	Catalog      *ozg.Catalog
	Applications *ozg.Applications
	Store        ozg.ApplicationStore
	Files        ozg.Files
}

// Options configure a Casework.
type Options struct {
	// Authority is the name of the authority (ozg.Authority.Name) whose case workers use this
	// inbox; every assigned service must be one of its services. Required.
	Authority string
	// Roles assigns services to roles: a case worker sees and handles the cases of the
	// services of all their roles (identity.Principal.Roles, read from the staff identity
	// provider's role claim). A role not listed gives nothing.
	Roles map[string][]string
	// OperatorRole is the role (from the staff login's roles, like Roles) of the people who
	// run the portal: they see the outbox's failed deliveries (Fehlgeschlagene Zustellungen)
	// of every service and requeue them. "" gives nobody that right. It assigns no service.
	OperatorRole string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger logs failures, never personal data; default slog.Default().
	Logger *slog.Logger
}

// Casework is the authority's side of the journey: a durable inbox that is an ozg.Delivery
// target, the case workers' view of cases, and their actions — accept, reject, ask the
// citizen, issue the Bescheid — each recorded in the audit trail and told to the citizen in
// their Postfach. It is safe for concurrent use.
type Casework struct {
	store     Store
	j         Journey
	mb        *mailbox.Mailbox
	authority string
	roles     map[string][]string
	operator  string
	now       func() time.Time
	log       *slog.Logger
}

var _ ozg.Delivery = (*Casework)(nil)

// New returns the casework over store, the citizen side j and the citizens' mailbox mb.
func New(store Store, j Journey, mb *mailbox.Mailbox, opts *Options) (*Casework, error) {
	if store == nil || j.Catalog == nil || j.Applications == nil || j.Store == nil || mb == nil {
		return nil, errors.New("casework: New needs a store, the catalog, the applications, the application store and the mailbox")
	}
	if opts == nil || opts.Authority == "" {
		return nil, errors.New("casework: Options.Authority names the authority whose inbox this is")
	}
	cw := &Casework{store: store, j: j, mb: mb, authority: opts.Authority, roles: map[string][]string{}, operator: opts.OperatorRole, now: opts.Now, log: opts.Logger}
	for role, services := range opts.Roles {
		for _, id := range services {
			svc, err := j.Catalog.Service(id)
			if err != nil {
				return nil, fmt.Errorf("casework: role %q: service %q is not in the catalog", role, id)
			}
			if svc.Authority.Name != opts.Authority {
				return nil, fmt.Errorf("casework: role %q: service %q belongs to %q, not to %q", role, id, svc.Authority.Name, opts.Authority)
			}
		}
		cw.roles[role] = slices.Clone(services)
	}
	if cw.now == nil {
		cw.now = time.Now
	}
	if cw.log == nil {
		cw.log = slog.Default()
	}
	return cw, nil
}

func (cw *Casework) clock() time.Time { return cw.now().UTC().Truncate(time.Microsecond) }

// Authority returns the name of the authority this inbox belongs to.
func (cw *Casework) Authority() string { return cw.authority }

// Staff is a logged-in case worker (Sachbearbeiterin, Sachbearbeiter).
type Staff struct {
	Subject string
	Name    string
	Roles   []string
}

// StaffFrom makes the case worker of a staff login.
func StaffFrom(p *identity.Principal) Staff {
	name := strings.TrimSpace(p.GivenNames + " " + p.FamilyName)
	if name == "" {
		name = p.Email
	}
	if name == "" {
		name = p.Subject
	}
	return Staff{Subject: p.Subject, Name: name, Roles: slices.Clone(p.Roles)}
}

func (s Staff) actor() Actor { return Actor{Kind: "staff", Subject: s.Subject, Name: s.Name} }

// StaffClaims is the claim mapping for a municipality's staff identity provider: the
// OpenID Connect standard claims, with the roles in roleClaim (e.g. "roles", "groups" or
// Keycloak's "realm_access.roles"). Give it as oidc.Config.Claims of the staff login.
func StaffClaims(roleClaim string) identity.ClaimMapping {
	m := identity.StandardClaims()
	m.Roles = []string{roleClaim}
	return m
}

// Services returns the ids of the services s is assigned to, sorted.
func (cw *Casework) Services(s Staff) []string {
	var out []string
	for _, r := range s.Roles {
		for _, id := range cw.roles[r] {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Deliver implements ozg.Delivery: it keeps the submission as a case in the inbox. A
// repeated delivery (same submission id, or same owner and idempotency key) returns the
// receipt of the first. A submission for a service not in the catalog, or malformed, is
// refused permanently.
func (cw *Casework) Deliver(ctx context.Context, s *ozg.Submission, _ ozg.Files) (ozg.Receipt, error) {
	if s == nil || !ValidID(s.ID) {
		return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("%w: a submission needs an id of letters, digits and . _ : -", ErrInvalid))
	}
	svc, err := cw.j.Catalog.Service(s.ServiceID)
	if err != nil {
		return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("casework: submission %s: service %q is unknown", s.ID, s.ServiceID))
	}
	if svc.Authority.Name != cw.authority {
		return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("casework: submission %s: service %q is not one of %q", s.ID, s.ServiceID, cw.authority))
	}
	if b, err := json.Marshal(s); err != nil || len(b) > MaxSubmissionSize {
		return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("%w: submission %s is larger than %d bytes", ErrInvalid, s.ID, MaxSubmissionSize))
	}
	now := cw.clock()
	c := &Case{ID: s.ID, Submission: s, State: ozg.StateDelivered, ReceivedAt: now}
	stored, created, err := cw.store.Receive(ctx, c, Event{At: now, Actor: Actor{Kind: "system"}, Action: ActionReceived, Detail: s.Reference})
	if errors.Is(err, ErrInvalid) {
		return ozg.Receipt{}, ozg.Permanent(err)
	}
	if err != nil {
		return ozg.Receipt{}, err
	}
	if created {
		cw.log.LogAttrs(ctx, slog.LevelInfo, "casework: case received", slog.String("case", stored.ID), slog.String("service", s.ServiceID))
	}
	return ozg.Receipt{ID: "casework:" + stored.ID, DeliveredAt: stored.ReceivedAt}, nil
}

// List returns a page of the cases s may see. Query.Services is set from s's assignment; a
// Query.Service s is not assigned to lists nothing.
func (cw *Casework) List(ctx context.Context, s Staff, q Query) ([]*Case, string, error) {
	q.Services = cw.Services(s)
	if len(q.Services) == 0 {
		return nil, "", ErrForbidden
	}
	return cw.store.List(ctx, q)
}

// caseFor loads case id if s may see it, and otherwise answers ErrNotFound.
func (cw *Casework) caseFor(ctx context.Context, s Staff, id string) (*Case, *ozg.Service, error) {
	if !ValidID(id) {
		return nil, nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	c, err := cw.store.Case(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(cw.Services(s), c.Submission.ServiceID) {
		return nil, nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	svc, err := cw.j.Catalog.Service(c.Submission.ServiceID)
	if err != nil {
		return nil, nil, fmt.Errorf("casework: case %s: %w", id, err)
	}
	return c, svc, nil
}

// View is everything a case worker sees of one case.
type View struct {
	Case    *Case
	Service *ozg.Service
	// Application is the application as the journey keeps it now; nil if it is gone.
	Application *ozg.Application
	// Sections are the application's answers with the form's labels, by step.
	Sections []document.Section
	// Events are the audit trail, oldest first.
	Events []Event
	// Received are the files the citizen sent in answer to queries (Nachforderung), oldest
	// first.
	Received []ReceivedEvidence
}

// Open returns case id as s may see it. A case of a service s is not assigned to is not
// found. When the citizen has withdrawn the application meanwhile, the case follows.
func (cw *Casework) Open(ctx context.Context, s Staff, id string, lang string) (*View, error) {
	c, svc, err := cw.caseFor(ctx, s, id)
	if err != nil {
		return nil, err
	}
	v := &View{Case: c, Service: svc}
	app, err := cw.j.Store.Get(ctx, c.Submission.ApplicationID)
	switch {
	case err == nil:
		v.Application = app
		if app.State == ozg.StateWithdrawn && c.State != ozg.StateWithdrawn {
			_, err := cw.store.Append(ctx, Event{CaseID: c.ID, At: cw.clock(), Actor: Actor{Kind: "citizen"}, Action: ActionWithdrawn}, c.State, ozg.StateWithdrawn)
			if err != nil && !errors.Is(err, ErrStateChanged) {
				return nil, err
			}
			c.State = ozg.StateWithdrawn
		}
	case !errors.Is(err, ozg.ErrNotFound):
		return nil, fmt.Errorf("casework: application of case %s: %w", id, err)
	}
	if v.Sections, err = document.Answers(svc.Form, c.Submission.Data, lang); err != nil {
		return nil, err
	}
	if v.Events, err = cw.store.Events(ctx, c.ID); err != nil {
		return nil, err
	}
	v.Received = receivedOf(v.Events)
	return v, nil
}

// checkText bounds a text a case worker writes; required texts must not be blank.
func checkText(field, s string, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return &FieldError{Field: field, Reason: "required"}
	case utf8.RuneCountInString(s) > MaxTextLength:
		return &FieldError{Field: field, Reason: "too-long"}
	case !utf8.ValidString(s):
		return &FieldError{Field: field, Reason: "invalid"}
	}
	return nil
}

// FieldError names a form field of an action that is missing or wrong. It matches ErrInvalid.
type FieldError struct {
	Field  string // "reason", "question", "due", "text"
	Reason string // "required", "too-long", "invalid", "past"
}

func (e *FieldError) Error() string { return fmt.Sprintf("casework: %s: %s", e.Field, e.Reason) }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// advance moves case c's application to state to (through ozg.Applications, which lets only
// one of concurrent actions through), records the event with the state change and returns it.
func (cw *Casework) advance(ctx context.Context, s Staff, c *Case, to ozg.State, action Action, detail string, at time.Time) (Event, error) {
	from := c.State
	if !from.CanTransition(to) {
		return Event{}, fmt.Errorf("%w: case %s is %s", ErrStateChanged, c.ID, from)
	}
	if _, err := cw.j.Applications.Advance(ctx, c.Submission.ApplicationID, to, "Sachbearbeitung"); err != nil {
		if errors.Is(err, ozg.ErrInvalidTransition) {
			return Event{}, fmt.Errorf("%w: %v", ErrStateChanged, err)
		}
		return Event{}, fmt.Errorf("casework: case %s: %w", c.ID, err)
	}
	e, err := cw.store.Append(ctx, Event{CaseID: c.ID, At: at, Actor: s.actor(), Action: action, Detail: detail}, from, to)
	if err != nil {
		return Event{}, fmt.Errorf("casework: case %s: record %s: %w", c.ID, action, err)
	}
	c.State = to
	return e, nil
}

// draft starts a Postfach message about case c.
func draft(c *Case, svc *ozg.Service, kind mailbox.Kind, status mailbox.Status, subject, body string) mailbox.Draft {
	return mailbox.Draft{
		Owner: c.Submission.Owner, Kind: kind, Status: status, Subject: subject, Body: body,
		Sender:      mailbox.Sender{Name: svc.Authority.Name, Reference: c.Submission.Reference},
		Application: c.Submission.ApplicationID, Service: svc.ID, MinLevel: mailbox.Level(svc.Level),
	}
}

// status sends the status message of a state change of case c. Its key makes a repeated
// send store nothing twice.
func (cw *Casework) status(ctx context.Context, c *Case, svc *ozg.Service, to ozg.State, st mailbox.Status, subject, body string) error {
	d := draft(c, svc, mailbox.KindStatus, st, subject, body)
	d.Key = "casework:status:" + string(to) + ":" + c.ID
	if _, err := cw.mb.Send(ctx, d); err != nil {
		return fmt.Errorf("casework: case %s: status message: %w", c.ID, err)
	}
	return nil
}

// Accept accepts a delivered case for processing and tells the citizen with a status message.
func (cw *Casework) Accept(ctx context.Context, s Staff, id string) error {
	c, svc, err := cw.caseFor(ctx, s, id)
	if err != nil {
		return err
	}
	return cw.accept(ctx, s, c, svc, cw.clock())
}

func (cw *Casework) accept(ctx context.Context, s Staff, c *Case, svc *ozg.Service, at time.Time) error {
	if _, err := cw.advance(ctx, s, c, ozg.StateAccepted, ActionAccepted, "", at); err != nil {
		return err
	}
	return cw.acceptedStatus(ctx, c, svc)
}

// ensureAcceptedStatus sends the status message of accepted case c unless the citizen's
// Postfach holds one (also one sent before status messages had keys).
func (cw *Casework) ensureAcceptedStatus(ctx context.Context, c *Case, svc *ozg.Service) error {
	if _, ok, err := cw.sent(ctx, c, mailbox.KindStatus, mailbox.StatusProcessing); ok || err != nil {
		return err
	}
	return cw.acceptedStatus(ctx, c, svc)
}

// sent returns the newest message of kind and status about case c's application in the
// citizen's Postfach, if there is one (of the newest 100 of that kind).
func (cw *Casework) sent(ctx context.Context, c *Case, kind mailbox.Kind, st mailbox.Status) (mailbox.Message, bool, error) {
	pg, err := cw.mb.List(ctx, mailbox.Citizen{Subject: c.Submission.Owner, Level: mailbox.LevelHigh},
		mailbox.ListOptions{Filter: mailbox.Filter{Application: c.Submission.ApplicationID, Kind: kind}, Limit: 100})
	if err != nil {
		return mailbox.Message{}, false, fmt.Errorf("casework: case %s: messages sent: %w", c.ID, err)
	}
	for _, e := range pg.Entries {
		if e.Status == st {
			return e.Message, true, nil
		}
	}
	return mailbox.Message{}, false, nil
}

// acceptedStatus tells the citizen that case c is accepted, once.
func (cw *Casework) acceptedStatus(ctx context.Context, c *Case, svc *ozg.Service) error {
	return cw.status(ctx, c, svc, ozg.StateAccepted, mailbox.StatusProcessing, "Ihr Antrag wird bearbeitet: "+svc.Name,
		fmt.Sprintf("Guten Tag,\n\nIhr Antrag „%s“ (Aktenzeichen %s) ist bei uns eingegangen und wird jetzt bearbeitet.\n\nMit freundlichen Grüßen\n%s",
			svc.Name, c.Submission.Reference, svc.Authority.Name))
}

// Reject rejects a delivered case as not processable, with a reason the citizen reads in a
// status message.
func (cw *Casework) Reject(ctx context.Context, s Staff, id, reason string) error {
	if err := checkText("reason", reason, true); err != nil {
		return err
	}
	c, svc, err := cw.caseFor(ctx, s, id)
	if err != nil {
		return err
	}
	if _, err := cw.advance(ctx, s, c, ozg.StateRejected, ActionRejected, reason, cw.clock()); err != nil {
		return err
	}
	return cw.status(ctx, c, svc, ozg.StateRejected, mailbox.StatusCompleted, "Ihr Antrag wurde zurückgewiesen: "+svc.Name,
		fmt.Sprintf("Guten Tag,\n\nIhr Antrag „%s“ (Aktenzeichen %s) kann nicht bearbeitet werden.\n\nBegründung:\n%s\n\nMit freundlichen Grüßen\n%s",
			svc.Name, c.Submission.Reference, reason, svc.Authority.Name))
}

// Ask sends the citizen a question (Rückfrage) they can answer in their Postfach, optionally
// due by a date; it is AskFor with text only. The query carries the status ACTION_REQUIRED.
func (cw *Casework) Ask(ctx context.Context, s Staff, id, question string, due time.Time) (mailbox.Message, error) {
	return cw.AskFor(ctx, s, id, Question{Text: question, Due: due})
}

// ReceiveReply records a citizen's answer to a query in the case's audit trail. It is a
// mailbox.ReplyHook: give it as mailbox.Options.OnReply. A reply handed over twice is
// recorded once; a reply to a message that belongs to no case of this inbox is ignored.
func (cw *Casework) ReceiveReply(ctx context.Context, query, reply mailbox.Message) error {
	c, err := cw.store.ByApplication(ctx, reply.Application)
	if errors.Is(err, ErrNotFound) || reply.Application == "" {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Submission.Owner != reply.Owner {
		return nil
	}
	seen, err := cw.store.HasMessageEvent(ctx, c.ID, reply.ID)
	if err != nil || seen {
		return err
	}
	_, err = cw.store.Append(ctx, Event{CaseID: c.ID, At: reply.Created, Actor: Actor{Kind: "citizen"}, Action: ActionReply, Detail: reply.Body, Message: reply.ID}, "", "")
	return err
}

// Decision is the Bescheid a case worker issues.
type Decision struct {
	// Text is the decision: tenor, reasons, Rechtsbehelfsbelehrung. Required.
	Text string
}

// Decide issues the Bescheid: the case is decided, and a PDF with the text (the notice) and a
// status message go to the citizen's Postfach. A delivered case is accepted first.
//
// The messages are sent after the state change, each with an idempotency key: when the
// Postfach fails after the case was decided, Decide returns the error and a repeated Decide
// with the same text sends what is missing (and returns the notice, sent once — a notice
// already in the Postfach, also one sent before notices had keys, is never sent again);
// another text for a decided case is a second Bescheid and answers ErrStateChanged.
func (cw *Casework) Decide(ctx context.Context, s Staff, id string, d Decision) (mailbox.Message, error) {
	if err := checkText("text", d.Text, true); err != nil {
		return mailbox.Message{}, err
	}
	c, svc, err := cw.caseFor(ctx, s, id)
	if err != nil {
		return mailbox.Message{}, err
	}
	if c.State == ozg.StateDecided {
		events, err := cw.store.Events(ctx, c.ID)
		if err != nil {
			return mailbox.Message{}, err
		}
		i := slices.IndexFunc(events, func(e Event) bool { return e.Action == ActionDecided })
		if i < 0 || events[i].Detail != d.Text {
			return mailbox.Message{}, fmt.Errorf("%w: case %s is %s", ErrStateChanged, c.ID, c.State)
		}
		// A notice that is there (also one sent before notices had keys) is not sent again.
		notice, ok, err := cw.sent(ctx, c, mailbox.KindNotice, mailbox.StatusCompleted)
		if err != nil {
			return mailbox.Message{}, err
		}
		if !ok {
			pdf, err := cw.noticePDF(c, svc, events[i])
			if err != nil {
				return mailbox.Message{}, err
			}
			return cw.sendDecision(ctx, c, svc, d.Text, pdf)
		}
		if _, ok, err := cw.sent(ctx, c, mailbox.KindStatus, mailbox.StatusCompleted); ok || err != nil {
			return notice, err
		}
		return notice, cw.decidedStatus(ctx, c, svc)
	}
	// The PDF is made before anything changes, so a text it cannot take changes nothing.
	decided := Event{At: cw.clock(), Actor: s.actor(), Detail: d.Text}
	pdf, err := cw.noticePDF(c, svc, decided)
	if err != nil {
		return mailbox.Message{}, err
	}
	switch c.State {
	case ozg.StateDelivered:
		if err := cw.accept(ctx, s, c, svc, decided.At); err != nil {
			return mailbox.Message{}, err
		}
	case ozg.StateAccepted:
		// An Accept whose status message failed is completed here.
		if err := cw.ensureAcceptedStatus(ctx, c, svc); err != nil {
			return mailbox.Message{}, err
		}
	}
	if _, err := cw.advance(ctx, s, c, ozg.StateDecided, ActionDecided, d.Text, decided.At); err != nil {
		return mailbox.Message{}, err
	}
	return cw.sendDecision(ctx, c, svc, d.Text, pdf)
}

// noticePDF makes the Bescheid's PDF of the decision event e (text, date, signer).
func (cw *Casework) noticePDF(c *Case, svc *ozg.Service, e Event) ([]byte, error) {
	var pdf bytes.Buffer
	err := document.WriteNotice(&pdf, document.Notice{
		Authority: svc.Authority.Name, Service: svc.Name, Reference: c.Submission.Reference,
		Date: e.At, Text: e.Detail, Signer: e.Actor.Name,
	})
	return pdf.Bytes(), err
}

// sendDecision sends the notice of decided case c and its status message, each once.
func (cw *Casework) sendDecision(ctx context.Context, c *Case, svc *ozg.Service, text string, pdf []byte) (mailbox.Message, error) {
	n := draft(c, svc, mailbox.KindNotice, mailbox.StatusCompleted, "Bescheid: "+svc.Name, text)
	n.Key = "casework:notice:" + c.ID
	n.Attachments = []mailbox.NewAttachment{{Name: "Bescheid-" + fileSafe(c.Submission.Reference) + ".pdf", MediaType: "application/pdf", Content: bytes.NewReader(pdf)}}
	msg, err := cw.mb.Send(ctx, n)
	if err != nil {
		return mailbox.Message{}, fmt.Errorf("casework: case %s: Bescheid (a repeated Decide with the same text sends it): %w", c.ID, err)
	}
	if err := cw.decidedStatus(ctx, c, svc); err != nil {
		return msg, fmt.Errorf("%w (a repeated Decide with the same text sends it)", err)
	}
	return msg, nil
}

// decidedStatus tells the citizen that case c is decided, once.
func (cw *Casework) decidedStatus(ctx context.Context, c *Case, svc *ozg.Service) error {
	return cw.status(ctx, c, svc, ozg.StateDecided, mailbox.StatusCompleted, "Ihr Antrag ist entschieden: "+svc.Name,
		fmt.Sprintf("Guten Tag,\n\nüber Ihren Antrag „%s“ (Aktenzeichen %s) ist entschieden. Den Bescheid finden Sie in Ihrem Postfach.\n\nMit freundlichen Grüßen\n%s",
			svc.Name, c.Submission.Reference, svc.Authority.Name))
}

// fileSafe keeps letters, digits and - of s for a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

// OpenEvidence returns evidence file n (from 0) of case id and its bytes, and records that s
// opened it. The caller closes the reader.
func (cw *Casework) OpenEvidence(ctx context.Context, s Staff, id string, n int) (ozg.Attachment, io.ReadCloser, error) {
	c, _, err := cw.caseFor(ctx, s, id)
	if err != nil {
		return ozg.Attachment{}, nil, err
	}
	if n < 0 || n >= len(c.Submission.Attachments) || cw.j.Files == nil {
		return ozg.Attachment{}, nil, fmt.Errorf("%w: evidence %d of case %s", ErrNotFound, n, id)
	}
	a := c.Submission.Attachments[n]
	rc, err := cw.j.Files.Open(ctx, a.BlobKey)
	if err != nil {
		return ozg.Attachment{}, nil, fmt.Errorf("casework: case %s: evidence %d: %w", id, n, err)
	}
	if _, err := cw.store.Append(ctx, Event{CaseID: c.ID, At: cw.clock(), Actor: s.actor(), Action: ActionEvidenceOpened, Detail: a.FileName}, "", ""); err != nil {
		rc.Close()
		return ozg.Attachment{}, nil, err
	}
	return a, rc, nil
}

// WriteSummary writes the Antragsübersicht of case id as PDF to w and records that s opened it.
func (cw *Casework) WriteSummary(ctx context.Context, s Staff, id string, w io.Writer) error {
	c, svc, err := cw.caseFor(ctx, s, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := document.WriteSummary(&buf, document.Summary{Service: svc, Submission: c.Submission}); err != nil {
		return err
	}
	if _, err := cw.store.Append(ctx, Event{CaseID: c.ID, At: cw.clock(), Actor: s.actor(), Action: ActionSummaryOpened}, "", ""); err != nil {
		return err
	}
	_, err = buf.WriteTo(w)
	return err
}
