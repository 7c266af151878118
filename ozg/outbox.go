package ozg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/ozgkit/ozgkit/internal/backoff"
)

// Outbox delivers stored submissions to their delivery targets, with retries and backoff, and
// does the work that follows a delivery: the citizen's receipt (OnDelivered) and, when the
// citizen withdrew, the withdrawal to the authority. Each piece of work is recorded in the
// store together with its consequences, so a crash at any point repeats work at most, and
// OnDelivered must be idempotent (mailbox.Draft.Key makes the receipt so).
//
// Run one per process; several replicas may run theirs against one PostgreSQL store, since
// claims exclude each other.
type Outbox struct {
	store   SubmissionStore
	targets map[string]Delivery
	files   Files
	opts    OutboxOptions
	logger  *slog.Logger
}

// Withdrawer is a Delivery that can tell the authority that a delivered application was
// withdrawn. A target without it cannot: such a withdrawal ends as a failed outbox entry for
// a person to handle (see Outbox.Failed).
type Withdrawer interface {
	// Withdraw tells the target that submission s, delivered with receipt r, is withdrawn.
	// Errors are treated as by Delivery.Deliver.
	Withdraw(ctx context.Context, s *Submission, r Receipt) error
}

// OutboxOptions configures an Outbox. The zero value gives the defaults named below.
type OutboxOptions struct {
	// PollInterval is how often Run looks for due work; default 2s.
	PollInterval time.Duration
	// Lease is how long claimed work is hidden from other workers; default 10m. It must be
	// longer than AttemptTimeout so that no other replica claims work still running.
	Lease time.Duration
	// AttemptTimeout bounds one attempt (a delivery, a receipt, a withdrawal); default 2m,
	// and at most half the Lease.
	AttemptTimeout time.Duration
	// Batch is the most entries claimed at once; default Concurrency, so no claimed entry
	// waits behind the others (work a replica claimed and did not start is hidden from the
	// other replicas until its lease ends).
	Batch int
	// Concurrency is how many claimed entries are worked on at once; default 4.
	Concurrency int
	// MinBackoff and MaxBackoff bound the wait after the n-th failure, MinBackoff·2^(n-1) with
	// ±20 % jitter; defaults 5s and 1h.
	MinBackoff, MaxBackoff time.Duration
	// MaxAttempts is after how many failures work is given up as failed; default 25.
	MaxAttempts int
	// OnDelivered is the work after a confirmed delivery, e.g. the receipt
	// (Eingangsbestätigung) in the citizen's mailbox; the application is already at
	// delivered. It is retried with backoff until it returns nil, so it must be idempotent.
	OnDelivered func(ctx context.Context, s *Submission, r Receipt) error
	// OnFailed is called when work is given up, so a person can see to it. OnDelivered and
	// OnFailed are called from several goroutines at once (see Concurrency).
	OnFailed func(ctx context.Context, s *Submission, err error)
	// OnAttempt, when set, is told of every attempt and its outcome (e.g. for metrics of
	// delivery attempts and failures per target), from several attempts at once; it must
	// not block.
	OnAttempt func(ctx context.Context, a OutboxAttempt)
	// Clock gives the current time; nil means time.Now.
	Clock func() time.Time
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// NewOutbox returns an outbox over store delivering to targets by name (Service.Delivery),
// reading attachment content from files. opts may be nil.
func NewOutbox(store SubmissionStore, targets map[string]Delivery, files Files, opts *OutboxOptions) *Outbox {
	o := &Outbox{store: store, targets: targets, files: files}
	if opts != nil {
		o.opts = *opts
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.opts.PollInterval, 2*time.Second)
	def(&o.opts.Lease, 10*time.Minute)
	def(&o.opts.AttemptTimeout, 2*time.Minute)
	o.opts.AttemptTimeout = min(o.opts.AttemptTimeout, o.opts.Lease/2)
	def(&o.opts.MinBackoff, 5*time.Second)
	def(&o.opts.MaxBackoff, time.Hour)
	if o.opts.Concurrency <= 0 {
		o.opts.Concurrency = 4
	}
	if o.opts.Batch <= 0 {
		o.opts.Batch = o.opts.Concurrency
	}
	if o.opts.MaxAttempts <= 0 {
		o.opts.MaxAttempts = 25
	}
	if o.opts.Clock == nil {
		o.opts.Clock = time.Now
	}
	o.logger = o.opts.Logger
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o
}

// Targets names the delivery targets the outbox knows.
func (o *Outbox) Targets() []string { return slices.Sorted(maps.Keys(o.targets)) }

// Run works until ctx ends, then waits for the attempts in flight (which are not cut short by
// ctx, only by AttemptTimeout) and returns ctx's error.
func (o *Outbox) Run(ctx context.Context) error {
	t := time.NewTicker(o.opts.PollInterval)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			n, err := o.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				o.logger.Warn("ozg: outbox round failed", "err", err)
			}
			if n < o.opts.Batch || err != nil {
				break // nothing more due now
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// RunOnce claims the work due now and attempts each entry once, Concurrency at a time, and
// returns when all attempts are recorded. It returns how many entries it claimed.
func (o *Outbox) RunOnce(ctx context.Context) (int, error) {
	entries, err := o.store.ClaimDeliveries(ctx, o.opts.Clock(), o.opts.Lease, o.opts.Batch)
	if err != nil {
		return 0, fmt.Errorf("ozg: claim deliveries: %w", err)
	}
	// Claimed work is finished and recorded even when ctx ends: the claim is ours until the
	// lease runs out, and an outcome lost now would only be repeated later.
	work := context.WithoutCancel(ctx)
	errs := make([]error, len(entries))
	sem := make(chan struct{}, o.opts.Concurrency)
	var wg sync.WaitGroup
	for i, e := range entries {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = o.attempt(work, e)
		}()
	}
	wg.Wait()
	return len(entries), errors.Join(errs...)
}

// backoff returns the wait after the n-th failed attempt.
func (o *Outbox) backoff(n int) time.Duration {
	d := backoff.Delay(o.opts.MinBackoff, o.opts.MaxBackoff, n)
	jitter := time.Duration((rand.Float64()*0.4 - 0.2) * float64(d))
	return d + jitter
}

// attempt does the work of one claimed entry once and records the outcome. It returns only
// store errors.
func (o *Outbox) attempt(ctx context.Context, e OutboxEntry) error {
	sub, err := o.store.Submission(ctx, e.SubmissionID)
	if err != nil {
		return fmt.Errorf("ozg: outbox %s: %w", e.SubmissionID, err)
	}
	log := o.logger.With("submission", sub.ID, "reference", sub.Reference, "delivery", e.Delivery, "state", e.State, "attempt", e.Attempts)
	actx, cancel := context.WithTimeout(ctx, o.opts.AttemptTimeout)
	start := time.Now()
	var (
		werr    error
		receipt Receipt
		record  func() error
	)
	switch e.State {
	case DeliveryPending:
		receipt, werr = o.deliver(actx, e, sub)
		if receipt.DeliveredAt.IsZero() {
			receipt.DeliveredAt = o.opts.Clock().UTC()
		}
		record = func() error { return o.store.CompleteDelivery(ctx, sub.ID, receipt) }
	case DeliveryNotifying:
		if o.opts.OnDelivered != nil && e.Receipt != nil {
			werr = o.opts.OnDelivered(actx, sub, *e.Receipt)
		}
		record = func() error { return o.store.AcknowledgeDelivery(ctx, sub.ID) }
	case DeliveryWithdrawing:
		werr = o.withdraw(actx, e, sub)
		record = func() error { return o.store.CompleteWithdrawal(ctx, sub.ID) }
	default:
		cancel()
		return fmt.Errorf("ozg: outbox %s: claimed in state %s", sub.ID, e.State)
	}
	cancel()
	o.reportAttempt(ctx, e, werr, time.Since(start))
	switch {
	case werr == nil:
		if err := record(); err != nil {
			return fmt.Errorf("ozg: outbox %s: record %s: %w", sub.ID, e.State, err)
		}
		log.Info("ozg: outbox work done", "receipt", receipt.ID)
		return nil
	case errors.Is(werr, ErrPermanent) || e.Attempts >= o.opts.MaxAttempts:
		if err := o.store.FailDelivery(ctx, sub.ID, werr.Error()); err != nil {
			return fmt.Errorf("ozg: outbox %s: record failure: %w", sub.ID, err)
		}
		log.Error("ozg: outbox work given up", "err", werr)
		if o.opts.OnFailed != nil {
			o.opts.OnFailed(ctx, sub, werr)
		}
		return nil
	default:
		next := o.opts.Clock().Add(o.backoff(e.Attempts))
		if err := o.store.RetryDelivery(ctx, sub.ID, werr.Error(), next); err != nil {
			return fmt.Errorf("ozg: outbox %s: record retry: %w", sub.ID, err)
		}
		log.Warn("ozg: outbox work failed, will retry", "err", werr, "next", next)
		return nil
	}
}

func (o *Outbox) deliver(ctx context.Context, e OutboxEntry, sub *Submission) (Receipt, error) {
	target, ok := o.targets[e.Delivery]
	if !ok {
		return Receipt{}, Permanent(fmt.Errorf("no delivery target named %q", e.Delivery))
	}
	return target.Deliver(ctx, sub, o.files)
}

func (o *Outbox) withdraw(ctx context.Context, e OutboxEntry, sub *Submission) error {
	target, ok := o.targets[e.Delivery].(Withdrawer)
	if !ok {
		return Permanent(fmt.Errorf("delivery target %q takes no withdrawals: tell the authority that %s is withdrawn", e.Delivery, sub.Reference))
	}
	var r Receipt
	if e.Receipt != nil {
		r = *e.Receipt
	}
	return target.Withdraw(ctx, sub, r)
}

// Failed lists the work given up, oldest first, at most n (1 to 1000).
func (o *Outbox) Failed(ctx context.Context, n int) ([]OutboxEntry, error) {
	if n < 1 || n > 1000 {
		return nil, fmt.Errorf("ozg: failed deliveries: n=%d is not between 1 and 1000", n)
	}
	return o.store.FailedDeliveries(ctx, n)
}

// Requeue makes failed work due again now, with its attempts counted from zero.
func (o *Outbox) Requeue(ctx context.Context, submissionID string) error {
	return o.store.Requeue(ctx, submissionID, o.opts.Clock())
}
