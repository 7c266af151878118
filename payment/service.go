package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// ReturnParam is the query parameter the [Service] adds to the return URL: it carries the
// payment's id, and nothing else in the query is ever read.
const ReturnParam = "payment"

// Limits on the inputs of [StartRequest].
const (
	MaxKeyLength         = 128
	MaxIDLength          = 128
	MaxOwnerLength       = 256
	MaxPurposeLength     = 140
	MaxDescriptionLength = 250
	MaxURLLength         = 2048
)

// Options configure a [Service]; nil means all defaults.
type Options struct {
	// Logger receives little, structured, and never personal data; default slog.Default().
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// ExpireAfter is how long after its start a payment that is not paid is given up by
	// [Service.Reconcile]; default 2 hours.
	ExpireAfter time.Duration
	// Retry governs asking the provider again after timeouts and server errors.
	Retry Retry
	// ReconcileBatch is the most payments one [Service.Reconcile] looks at per state;
	// default 100, at most [MaxList].
	ReconcileBatch int
	// BookingData is handed to the provider with every payment (Haushaltsstelle, ...).
	BookingData map[string]string
	// OnPaid is called once for each payment, right after it was stored as paid (from
	// HandleReturn or Reconcile, in the caller's goroutine). A crash between storing
	// and calling loses the call: what must not be lost should read the store
	// ([Service.PaidFor]) instead. Nil means no hook.
	OnPaid func(ctx context.Context, p *Payment)
	// NewID makes payment and request ids; default a random UUID.
	NewID func() string
}

// Service starts payments, handles the citizen's return from the pay page and reconciles
// payments left open. It is safe for concurrent use.
type Service struct {
	store    Store
	provider Provider
	log      *slog.Logger
	now      func() time.Time
	expire   time.Duration
	retry    Retry
	batch    int
	booking  map[string]string
	onPaid   func(context.Context, *Payment)
	newID    func() string
}

// NewService returns a Service that keeps payments in store and pays through provider.
func NewService(store Store, provider Provider, opts *Options) *Service {
	if opts == nil {
		opts = &Options{}
	}
	s := &Service{
		store: store, provider: provider,
		log: opts.Logger, now: opts.Now, expire: opts.ExpireAfter,
		retry: opts.Retry.withDefaults(), batch: opts.ReconcileBatch,
		booking: opts.BookingData, onPaid: opts.OnPaid, newID: opts.NewID,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.expire <= 0 {
		s.expire = 2 * time.Hour
	}
	if s.batch <= 0 || s.batch > MaxList {
		s.batch = 100
	}
	if s.newID == nil {
		s.newID = uuid.NewString
	}
	return s
}

// StartRequest asks for a payment of an application's fee.
type StartRequest struct {
	// Key makes Start idempotent: the same key gives the same payment. Required, ≤ 128.
	// A payment that failed, was canceled or expired stays so: a new attempt needs a new
	// key (e.g. the application id and an attempt number).
	Key string
	// ApplicationID and Owner (the citizen's subject) bind the payment. Required.
	ApplicationID string
	Owner         string
	// Amount in cents, 1 to [MaxAmount].
	Amount int64
	// Currency must be "EUR"; empty means "EUR".
	Currency string
	// Purpose is the Verwendungszweck (required; the provider may demand less than 140).
	Purpose string
	// Description is shown on the pay page (≤ 250 characters).
	Description string
	// ReturnURL is the absolute http(s) URL the citizen comes back to; the Service adds
	// the query parameter [ReturnParam].
	ReturnURL string
}

func (r *StartRequest) validate() error {
	switch {
	case r.Key == "" || len(r.Key) > MaxKeyLength || !printable(r.Key):
		return invalid("key", "must be 1 to %d printable characters", MaxKeyLength)
	case r.ApplicationID == "" || len(r.ApplicationID) > MaxIDLength || !printable(r.ApplicationID):
		return invalid("applicationId", "must be 1 to %d printable characters", MaxIDLength)
	case r.Owner == "" || len(r.Owner) > MaxOwnerLength || !printable(r.Owner):
		return invalid("owner", "must be 1 to %d printable characters", MaxOwnerLength)
	case r.Amount <= 0 || r.Amount > MaxAmount:
		return invalid("amount", "%d cents is not between 1 and %d", r.Amount, MaxAmount)
	case r.Currency != "EUR":
		return invalid("currency", "%q is not supported, only EUR", truncate(r.Currency, 16))
	case r.Purpose == "" || utf8.RuneCountInString(r.Purpose) > MaxPurposeLength || !utf8.ValidString(r.Purpose):
		return invalid("purpose", "must be 1 to %d characters", MaxPurposeLength)
	case utf8.RuneCountInString(r.Description) > MaxDescriptionLength || !utf8.ValidString(r.Description):
		return invalid("description", "must be at most %d characters", MaxDescriptionLength)
	}
	if len(r.ReturnURL) > MaxURLLength {
		return invalid("returnUrl", "longer than %d bytes", MaxURLLength)
	}
	u, err := url.Parse(r.ReturnURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || u.User != nil {
		return invalid("returnUrl", "must be an absolute http(s) URL without user info or fragment")
	}
	return nil
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// same reports whether an existing payment is the one req asks for again.
func (r *StartRequest) same(p *Payment) bool {
	return p.ApplicationID == r.ApplicationID && p.Owner == r.Owner && p.Amount == r.Amount && p.Currency == r.Currency
}

// Start starts paying req's fee, or returns the payment started earlier under req.Key. A
// new or resumed payment is returned pending, with RedirectURL set to the provider's pay page;
// a payment started earlier is returned as it stands (it may already be paid).
//
// Bad input is refused with a [*FieldError] and stores nothing. A key used before for a
// different amount, currency, application or owner is refused with [ErrKeyReused]. When the
// provider is unavailable even after the retries, the error wraps [ErrUnavailable] and the
// payment stays created: starting again with the same key tries the provider again.
func (s *Service) Start(ctx context.Context, req StartRequest) (*Payment, error) {
	if req.Currency == "" {
		req.Currency = "EUR"
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	p, err := s.store.GetByKey(ctx, req.Key)
	switch {
	case err == nil:
		if !req.same(p) {
			return nil, fmt.Errorf("payment: start: %w", ErrKeyReused)
		}
		if p.State != StateCreated {
			return p, nil
		}
	case errors.Is(err, ErrNotFound):
		now := s.now().UTC()
		p = &Payment{
			ID: s.newID(), Key: req.Key, ApplicationID: req.ApplicationID, Owner: req.Owner,
			Amount: req.Amount, Currency: req.Currency, Purpose: req.Purpose,
			Description: req.Description, State: StateCreated, CreatedAt: now, UpdatedAt: now,
		}
		if c, ok := s.provider.(Checker); ok {
			if err := c.Check(s.createRequest(p, req.ReturnURL, p.ID)); err != nil {
				return nil, err
			}
		}
		if err := s.store.Create(ctx, p); err != nil {
			if !errors.Is(err, ErrExists) {
				return nil, fmt.Errorf("payment: start: %w", err)
			}
			// Someone started the same key concurrently: go on with theirs.
			if p, err = s.store.GetByKey(ctx, req.Key); err != nil {
				return nil, fmt.Errorf("payment: start: %w", err)
			}
			if !req.same(p) {
				return nil, fmt.Errorf("payment: start: %w", ErrKeyReused)
			}
			if p.State != StateCreated {
				return p, nil
			}
		}
	default:
		return nil, fmt.Errorf("payment: start: %w", err)
	}
	return s.open(ctx, p, req.ReturnURL)
}

func (s *Service) createRequest(p *Payment, returnURL, requestID string) CreateRequest {
	u, _ := url.Parse(returnURL)
	q := u.Query()
	q.Set(ReturnParam, p.ID)
	u.RawQuery = q.Encode()
	return CreateRequest{
		RequestID: requestID, Amount: p.Amount, Currency: p.Currency, Purpose: p.Purpose,
		Description: p.Description, Reference: p.ApplicationID, ReturnURL: u.String(),
		BookingData: s.booking,
	}
}

// open asks the provider for a transaction for the created payment p and stores it pending.
func (s *Service) open(ctx context.Context, p *Payment, returnURL string) (*Payment, error) {
	var tx Transaction
	var reqID string
	err := s.retry.do(ctx, func(ctx context.Context) error {
		// A fresh request id per try: a try that timed out may have created a transaction
		// the citizen never sees; reusing its id would only get PAYMENT_EXISTS.
		reqID = s.newID()
		var err error
		tx, err = s.provider.Create(ctx, s.createRequest(p, returnURL, reqID))
		return err
	})
	if err != nil {
		s.log.WarnContext(ctx, "payment: provider create failed", "payment", p.ID, "err", err)
		return nil, fmt.Errorf("payment: start %s: %w", p.ID, err)
	}
	if tx.ID == "" || tx.Status != StatePending || tx.RedirectURL == "" {
		return nil, fmt.Errorf("payment: start %s: provider answered status %q, transaction %q, pay page %q: %w",
			p.ID, tx.Status, truncate(tx.ID, 64), truncate(tx.RedirectURL, 64), ErrMismatch)
	}
	if u, err := url.Parse(tx.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("payment: start %s: provider's pay page %q is no http(s) URL: %w", p.ID, truncate(tx.RedirectURL, 64), ErrProvider)
	}
	if tx.Amount != p.Amount || tx.Currency != p.Currency {
		return nil, fmt.Errorf("payment: start %s: provider holds %s %s, asked for %s %s: %w",
			p.ID, FormatEuro(tx.Amount), truncate(tx.Currency, 8), FormatEuro(p.Amount), p.Currency, ErrMismatch)
	}
	q := p.Clone()
	q.State = StatePending
	q.RequestID = reqID
	q.TransactionID = tx.ID
	q.TransactionURL = tx.URL
	q.RedirectURL = tx.RedirectURL
	q.Reference = tx.Reference
	q.Detail = tx.Detail
	q.UpdatedAt = s.now().UTC()
	if err := s.store.Update(ctx, q); err != nil {
		if errors.Is(err, ErrConflict) {
			// A concurrent Start with the same key got there first; theirs stands.
			return s.store.Get(ctx, p.ID)
		}
		return nil, fmt.Errorf("payment: start %s: %w", p.ID, err)
	}
	s.log.InfoContext(ctx, "payment: started", "payment", q.ID, "transaction", q.TransactionID)
	return q, nil
}

// Return identifies the payment a citizen came back to from the pay page.
type Return struct {
	// PaymentID is the [ReturnParam] of the return URL.
	PaymentID string
	// ApplicationID is the application of the route the citizen came back to.
	ApplicationID string
	// Owner is the subject of the citizen's session.
	Owner string
}

// ReturnFromRequest reads the payment id of a return request: the [ReturnParam] query
// parameter and nothing else; a status or amount in the query is ignored.
func ReturnFromRequest(r *http.Request, applicationID, owner string) Return {
	return Return{PaymentID: r.URL.Query().Get(ReturnParam), ApplicationID: applicationID, Owner: owner}
}

// HandleReturn handles the citizen's return from the pay page: it asks the provider for the
// transaction's status (the URL the citizen came back with proves nothing), checks that the
// provider's amount and currency are the payment's, and moves the payment on. It returns the
// payment as it now stands.
//
// A payment of another owner or application gives [ErrNotFound], as does a missing one. A
// provider that reports a different amount or currency gives [ErrMismatch] and changes
// nothing. When the provider is unavailable after the retries, the payment is returned
// unchanged together with an error wrapping [ErrUnavailable]. Returning again is harmless.
func (s *Service) HandleReturn(ctx context.Context, ret Return) (*Payment, error) {
	p, err := s.Get(ctx, ret.PaymentID, ret.Owner)
	if err != nil {
		return nil, err
	}
	if p.ApplicationID != ret.ApplicationID {
		return nil, fmt.Errorf("payment: return %q: %w", truncate(ret.PaymentID, 64), ErrNotFound)
	}
	return s.refresh(ctx, p)
}

// Get returns the payment id of owner; another owner's payment gives [ErrNotFound].
func (s *Service) Get(ctx context.Context, id, owner string) (*Payment, error) {
	if id == "" || len(id) > MaxIDLength {
		return nil, fmt.Errorf("payment: get: %w", ErrNotFound)
	}
	p, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if owner == "" || p.Owner != owner {
		return nil, fmt.Errorf("payment: get %q: %w", truncate(id, 64), ErrNotFound)
	}
	return p, nil
}

// PaidFor returns the paid payment of owner's application, or an error wrapping [ErrNotPaid].
func (s *Service) PaidFor(ctx context.Context, applicationID, owner string) (*Payment, error) {
	ps, err := s.store.ListByApplication(ctx, applicationID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.State == StatePaid && p.Owner == owner {
			return p, nil
		}
	}
	return nil, fmt.Errorf("payment: application %q: %w", truncate(applicationID, 64), ErrNotPaid)
}

// refresh asks the provider about p and applies the answer.
func (s *Service) refresh(ctx context.Context, p *Payment) (*Payment, error) {
	if p.State == StatePaid || p.TransactionID == "" {
		return p, nil
	}
	var tx Transaction
	err := s.retry.do(ctx, func(ctx context.Context) error {
		var err error
		tx, err = s.provider.Status(ctx, p.TransactionID)
		return err
	})
	if err != nil {
		s.log.WarnContext(ctx, "payment: provider status failed", "payment", p.ID, "err", err)
		return p, fmt.Errorf("payment: status %s: %w", p.ID, err)
	}
	if err := check(p, tx); err != nil {
		s.log.WarnContext(ctx, "payment: provider transaction does not match", "payment", p.ID, "err", err)
		return p, err
	}
	return s.apply(ctx, p, tx)
}

// check compares the provider's transaction with the payment.
func check(p *Payment, tx Transaction) error {
	switch {
	case tx.ID != p.TransactionID:
		return fmt.Errorf("payment: %s: provider answered for transaction %q: %w", p.ID, truncate(tx.ID, 64), ErrMismatch)
	case tx.Amount != p.Amount:
		return fmt.Errorf("payment: %s: provider holds amount %s, payment is %s: %w", p.ID, FormatEuro(tx.Amount), FormatEuro(p.Amount), ErrMismatch)
	case tx.Currency != p.Currency:
		return fmt.Errorf("payment: %s: provider holds currency %q, payment is %s: %w", p.ID, truncate(tx.Currency, 8), p.Currency, ErrMismatch)
	case tx.Status != StatePending && tx.Status != StatePaid && tx.Status != StateFailed && tx.Status != StateCanceled:
		return fmt.Errorf("payment: %s: provider status %q: %w", p.ID, tx.Status, ErrMismatch)
	}
	return nil
}

// apply moves p to the provider's status if that is a move forward, storing it; on a
// concurrent change it reads p again and retries.
func (s *Service) apply(ctx context.Context, p *Payment, tx Transaction) (*Payment, error) {
	for range 8 {
		if !p.State.CanMoveTo(tx.Status) {
			return p, nil
		}
		q := p.Clone()
		q.State = tx.Status
		q.UpdatedAt = s.now().UTC()
		q.Detail = tx.Detail
		q.RedirectURL = ""
		if tx.Reference != "" {
			q.Reference = tx.Reference
		}
		if tx.Status == StatePaid {
			q.Method, q.MethodDetail = tx.Method, tx.MethodDetail
			q.PaidAt = tx.PaidAt.UTC()
			if tx.PaidAt.IsZero() {
				q.PaidAt = q.UpdatedAt
			}
		}
		err := s.store.Update(ctx, q)
		if errors.Is(err, ErrConflict) {
			if p, err = s.store.Get(ctx, p.ID); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return p, fmt.Errorf("payment: update %s: %w", p.ID, err)
		}
		s.log.InfoContext(ctx, "payment: state changed", "payment", q.ID, "from", p.State, "to", q.State)
		if q.State == StatePaid && s.onPaid != nil {
			s.onPaid(ctx, q.Clone())
		}
		return q, nil
	}
	return p, fmt.Errorf("payment: update %s: %w", p.ID, ErrConflict)
}

// expireIfOpen moves p to expired unless it changed meanwhile.
func (s *Service) expireIfOpen(ctx context.Context, p *Payment) (bool, error) {
	if !p.State.CanMoveTo(StateExpired) {
		return false, nil
	}
	q := p.Clone()
	q.State = StateExpired
	q.RedirectURL = ""
	q.UpdatedAt = s.now().UTC()
	q.Detail = "expired unpaid"
	if err := s.store.Update(ctx, q); err != nil {
		if errors.Is(err, ErrConflict) {
			return false, nil // changed meanwhile: the next run looks again
		}
		return false, err
	}
	return true, nil
}
