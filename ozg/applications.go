package ozg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// MaxOwnerLength bounds the owner subject of an application.
const MaxOwnerLength = 255

// Applications runs the lifecycle of applications (Anträge): create a draft, save its data,
// submit it with a reference number, move it on as the back office reports, withdraw it. Every
// method that acts for a citizen takes the citizen's subject and answers ErrNotFound for
// another citizen's application, so ids cannot be probed.
type Applications struct {
	catalog *Catalog
	store   Store
	refs    ReferenceGenerator
	// numbered is the store when it draws references inside the submit's transaction, with
	// numbering the references that tell it how; nil otherwise.
	numbered  NumberingStore
	numbering *SequenceReferences
	evidence  EvidenceFiles
	payments  Fees
	now       func() time.Time
	logger    *slog.Logger
}

// ApplicationsOptions configures Applications. The zero value is ready to use for services
// without evidence and fees.
type ApplicationsOptions struct {
	// References assigns reference numbers; nil means NewSequenceReferences(store, nil).
	// When the references are a *SequenceReferences drawing from the store itself and the
	// store is a NumberingStore (the default with MemoryStore and ozg/sqlstore), the number is
	// drawn in the submit's transaction: a refused submit consumes none. Any other generator
	// is called before that transaction, so a refused submit may leave a gap.
	References ReferenceGenerator
	// Evidence keeps the applications' evidence (Nachweise); required when a service of the
	// catalogue has evidence requirements. *evidence.Manager is one.
	Evidence EvidenceFiles
	// Fees takes fees online; required when a service charges a fee before submission.
	// portal.PaymentFees adapts a payment.Service.
	Fees Fees
	// Clock gives the current time; nil means time.Now.
	Clock func() time.Time
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// NewApplications returns the lifecycle over catalog and store. opts may be nil.
func NewApplications(catalog *Catalog, store Store, opts *ApplicationsOptions) *Applications {
	if opts == nil {
		opts = &ApplicationsOptions{}
	}
	a := &Applications{catalog: catalog, store: store, refs: opts.References, now: opts.Clock,
		evidence: opts.Evidence, payments: opts.Fees, logger: opts.Logger}
	if a.now == nil {
		a.now = time.Now
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	if a.refs == nil {
		a.refs = NewSequenceReferences(store, &SequenceReferencesOptions{Clock: a.now})
	}
	if ns, ok := store.(NumberingStore); ok {
		if sr, ok := a.refs.(*SequenceReferences); ok && sr.drawsFrom(store) {
			a.numbered, a.numbering = ns, sr
		}
	}
	return a
}

// CheckServices reports a service of the catalogue that needs a part this Applications lacks
// (evidence store, fee payments), so that a portal refuses to start rather than failing at the
// first citizen.
func (s *Applications) CheckServices() error {
	var errs []error
	for _, svc := range s.catalog.Services() {
		if len(svc.Evidence) > 0 && s.evidence == nil {
			errs = append(errs, fmt.Errorf("ozg: service %s has evidence requirements but no evidence store is configured", svc.ID))
		}
		if svc.FeeDueOnline() && s.payments == nil {
			errs = append(errs, fmt.Errorf("ozg: service %s charges a fee before submission but no payment service is configured", svc.ID))
		}
	}
	return errors.Join(errs...)
}

// Catalog returns the catalogue the applications' services come from.
func (s *Applications) Catalog() *Catalog { return s.catalog }

// checkData accepts a JSON object of at most forms.MaxDocumentSize bytes; nil or empty is {}.
func checkData(data json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return json.RawMessage(`{}`), nil
	}
	if len(data) > forms.MaxDocumentSize {
		return nil, fmt.Errorf("%w: data of %d bytes is more than the %d allowed", ErrInvalidApplication, len(data), forms.MaxDocumentSize)
	}
	if t := bytes.TrimSpace(data); t[0] != '{' || !json.Valid(t) {
		return nil, fmt.Errorf("%w: data must be a JSON object", ErrInvalidApplication)
	}
	return bytes.Clone(data), nil
}

// draftData checks data for a draft of svc: a bounded JSON object, without the answers to
// questions that do not apply (Form.Prune), valid as a draft of the form (what is there must
// be valid; required fields wait for Submit). It returns the data
// with the provenance updated for the step from old: what is new or changed is the citizen's.
func draftData(svc *Service, old, data json.RawMessage, prov map[string]string) (json.RawMessage, forms.Provenance, error) {
	data, err := checkData(data)
	if err != nil {
		return nil, nil, err
	}
	// Answers to questions that no longer apply (the citizen changed an earlier answer) are
	// dropped, never kept and delivered.
	if data, err = svc.Form.Prune(data); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidApplication, err)
	}
	if err := svc.Form.ValidateDraft(data); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidApplication, err)
	}
	p, err := svc.Form.TrackChanges(old, data, forms.Provenance(prov))
	if err != nil {
		return nil, nil, fmt.Errorf("ozg: provenance: %w", err)
	}
	return data, p, nil
}

// Create starts a draft of service serviceID for owner. data (nil for none) must be valid as a
// draft of the service's form; a *forms.ValidationError (wrapped in ErrInvalidApplication)
// names what is not. The sources then prefill what data leaves empty (once-only, e.g.
// PrincipalFacts of the login), never overwriting it, and the application's Provenance
// records where each value came from.
func (s *Applications) Create(ctx context.Context, serviceID, owner string, data json.RawMessage, sources ...forms.PrefillSource) (*Application, error) {
	if owner == "" || len(owner) > MaxOwnerLength {
		return nil, fmt.Errorf("%w: owner must be 1 to %d bytes", ErrInvalidApplication, MaxOwnerLength)
	}
	svc, err := s.catalog.Service(serviceID)
	if err != nil {
		return nil, err
	}
	data, prov, err := draftData(svc, nil, data, nil)
	if err != nil {
		return nil, err
	}
	if len(sources) > 0 {
		if data, prov, err = svc.Form.Prefill(ctx, data, prov, sources...); err != nil {
			return nil, fmt.Errorf("ozg: prefill: %w", err)
		}
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("ozg: new application id: %w", err)
	}
	now := s.now().UTC()
	a := &Application{
		ID: id.String(), ServiceID: serviceID, Owner: owner, Data: data, Provenance: prov,
		State: StateDraft, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.Create(ctx, a); err != nil {
		return nil, fmt.Errorf("ozg: create application: %w", err)
	}
	return a, nil
}

// Get returns owner's application id, or ErrNotFound (also when it is another owner's, and
// when id is not an application id at all: ids are UUIDs, checked before any store sees them).
func (s *Applications) Get(ctx context.Context, owner, id string) (*Application, error) {
	if uuid.Validate(id) != nil {
		return nil, fmt.Errorf("%w: application %.64q", ErrNotFound, id)
	}
	a, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Owner != owner {
		return nil, fmt.Errorf("%w: application %s", ErrNotFound, id)
	}
	return a, nil
}

// List returns a page of owner's applications, newest first.
func (s *Applications) List(ctx context.Context, owner string, page Page) ([]*Application, string, error) {
	return s.store.ListByOwner(ctx, owner, page)
}

// SaveData replaces a draft's data. The data must be valid as a draft of the service's form (a
// *forms.ValidationError, wrapped in ErrInvalidApplication, names what is not); the provenance
// marks every new or changed value as the citizen's. version is the version the citizen
// edited; a newer stored version gives ErrConflict. Only drafts can be changed. A refused
// change leaves the stored draft as it was.
func (s *Applications) SaveData(ctx context.Context, owner, id string, version int64, data json.RawMessage) (*Application, error) {
	a, err := s.Get(ctx, owner, id)
	if err != nil {
		return nil, err
	}
	if a.State != StateDraft {
		return nil, fmt.Errorf("%w: application %s is %s; only drafts can be changed", ErrInvalidTransition, id, a.State)
	}
	if a.Version != version {
		return nil, fmt.Errorf("%w: application %s is at version %d, the change was based on %d", ErrConflict, id, a.Version, version)
	}
	svc, err := s.catalog.Service(a.ServiceID)
	if err != nil {
		return nil, err
	}
	data, prov, err := draftData(svc, a.Data, data, a.Provenance)
	if err != nil {
		return nil, err
	}
	a.Data, a.Provenance = data, prov
	a.UpdatedAt = s.now().UTC()
	if err := s.store.Update(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// MaxIdempotencyKeyLength bounds an idempotency key.
const MaxIdempotencyKeyLength = 255

// SubmitRequest is what Submit needs beyond the draft itself.
type SubmitRequest struct {
	// IdempotencyKey makes a repeated submit (a retry after a lost answer) return the first
	// result instead of submitting twice. Required, 1 to 255 bytes, unique per owner.
	IdempotencyKey string
	// Identity describes the login the citizen submits with.
	Identity IdentityFacts
}

// Submit checks everything the service needs — the data valid against the form in full, every
// required evidence present and scanned clean, the fee paid with the amount the service asks —
// then assigns the reference number (Aktenzeichen), moves the draft to submitted and stores
// the submission with its evidence and payment facts and its outbox entry in one transaction:
// once Submit returns, the submission will be delivered even across a crash. With the default
// references the number is drawn in that same transaction (see NumberingStore), so a submit is
// one read of the draft and one write transaction, and a refused submit consumes no number. A
// draft changed while it was checked (ErrConflict from the store) is checked again, up to
// three times in all.
//
// A repeated call with the same idempotency key returns the application and submission of the
// first call. The same key on another application gives ErrDuplicateSubmission. Data that does
// not validate returns the form's *forms.ValidationError wrapped in ErrInvalidApplication;
// missing evidence or fee an *IncompleteError. A refused submit leaves the draft unchanged.
func (s *Applications) Submit(ctx context.Context, owner, id string, req SubmitRequest) (*Application, *Submission, error) {
	if req.IdempotencyKey == "" || len(req.IdempotencyKey) > MaxIdempotencyKeyLength {
		return nil, nil, fmt.Errorf("%w: idempotency key must be 1 to %d bytes", ErrInvalidApplication, MaxIdempotencyKeyLength)
	}
	for attempt := 0; ; attempt++ {
		a, sub, err := s.submit(ctx, owner, id, req)
		// A conflict means the draft changed (data or evidence) while it was checked: check
		// again against what is stored now.
		if !errors.Is(err, ErrConflict) || attempt == 2 {
			return a, sub, err
		}
	}
}

// submit is one attempt: one read of the application, the checks, and one write transaction
// that draws the reference number (when the store can, see NumberingStore) and stores the
// application, the submission and its outbox entry. The idempotency key is checked inside
// that transaction; the key is looked up on its own only when the application is no longer a
// draft (a repeat) or the transaction found the key taken.
func (s *Applications) submit(ctx context.Context, owner, id string, req SubmitRequest) (*Application, *Submission, error) {
	a, err := s.Get(ctx, owner, id)
	if err != nil {
		return nil, nil, err
	}
	if a.State != StateDraft {
		if prev, err := s.repeated(ctx, owner, id, req.IdempotencyKey); prev != nil || err != nil {
			return a, prev, err
		}
		return nil, nil, &TransitionError{ApplicationID: id, From: a.State, To: StateSubmitted}
	}
	svc, err := s.catalog.Service(a.ServiceID)
	if err != nil {
		return nil, nil, err
	}
	if err := svc.Form.Validate(a.Data); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidApplication, err)
	}
	atts, pay, err := s.complete(ctx, a, svc)
	if err != nil {
		return nil, nil, err
	}
	var num Numbering
	if s.numbered != nil {
		if num, err = s.numbering.Numbering(a); err != nil {
			return nil, nil, err
		}
	} else if a.Reference, err = s.refs.NewReference(ctx, a); err != nil {
		return nil, nil, err
	}
	now := s.now().UTC()
	if err := a.Transition(StateSubmitted, now, ""); err != nil {
		return nil, nil, err
	}
	subID, err := uuid.NewV7()
	if err != nil {
		return nil, nil, fmt.Errorf("ozg: new submission id: %w", err)
	}
	sub := &Submission{
		ID: subID.String(), ApplicationID: a.ID, ServiceID: svc.ID, LeikaKey: svc.LeikaKey,
		Reference: a.Reference, Delivery: svc.Delivery, Owner: owner, IdempotencyKey: req.IdempotencyKey,
		Identity: req.Identity, Data: a.Data, Attachments: atts, Payment: pay,
		SubmittedAt: now,
	}
	if s.numbered != nil {
		err = s.numbered.SubmitNumbered(ctx, a, sub, num)
	} else {
		err = s.store.Submit(ctx, a, sub)
	}
	if err != nil {
		if errors.Is(err, ErrDuplicateSubmission) { // a repeat that raced the first, or a key used elsewhere
			if prev, perr := s.repeated(ctx, owner, id, req.IdempotencyKey); prev != nil || perr != nil {
				if prev != nil {
					a, _ = s.Get(ctx, owner, id)
				}
				return a, prev, perr
			}
		}
		return nil, nil, err
	}
	return a, sub, nil
}

// repeated returns the submission stored under key when it belongs to application id, an
// ErrDuplicateSubmission when it belongs to another, and nil, nil when the key is new.
func (s *Applications) repeated(ctx context.Context, owner, id, key string) (*Submission, error) {
	prev, err := s.store.SubmissionByKey(ctx, owner, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case prev.ApplicationID != id:
		return nil, fmt.Errorf("%w: key %q was used for another application", ErrDuplicateSubmission, key)
	}
	return prev, nil
}

// Withdraw moves owner's application to withdrawn, from any state before a decision. A
// draft's evidence is deleted. A submission not yet delivered is cancelled in the same
// transaction (a delivery already under way is followed by the withdrawal); one already
// delivered is followed by a withdrawal to the authority through the outbox. The evidence of a
// submitted application is kept: the authority's case still refers to it.
func (s *Applications) Withdraw(ctx context.Context, owner, id, note string) (*Application, error) {
	for attempt := 0; ; attempt++ {
		a, err := s.Get(ctx, owner, id)
		if err != nil {
			return nil, err
		}
		wasDraft := a.State == StateDraft
		if err := a.Transition(StateWithdrawn, s.now(), note); err != nil {
			return nil, err
		}
		err = s.store.Withdraw(ctx, a)
		if errors.Is(err, ErrConflict) && attempt < 2 {
			continue
		}
		if err != nil {
			return nil, err
		}
		if wasDraft && s.evidence != nil {
			if err := s.evidence.DeleteApplication(ctx, a.ID); err != nil && !errors.Is(err, evidence.ErrNotFound) {
				s.logger.Warn("ozg: delete evidence of withdrawn draft", "application", a.ID, "err", err)
			}
		}
		return a, nil
	}
}

// Advance moves an application to state to on behalf of the back office or the delivery
// (delivered, accepted, rejected, decided). It retries a few times when a concurrent update
// intervened; a transition the lifecycle does not allow returns a *TransitionError.
func (s *Applications) Advance(ctx context.Context, id string, to State, note string) (*Application, error) {
	const attempts = 3
	for i := 0; ; i++ {
		a, err := s.store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := a.Transition(to, s.now(), note); err != nil {
			return nil, err
		}
		err = s.store.Update(ctx, a)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, ErrConflict) || i == attempts-1 {
			return nil, err
		}
	}
}
