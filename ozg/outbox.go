package ozg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/ozgkit/ozgkit/internal/backoff"
)

// Outbox delivers stored submissions to their delivery targets, with retries and backoff. Run
// one per process; several replicas may run theirs against one PostgreSQL store, since claims
// exclude each other.
type Outbox struct {
	store   SubmissionStore
	targets map[string]Delivery
	files   Files
	opts    OutboxOptions
	logger  *slog.Logger
}

// OutboxOptions configures an Outbox. The zero value gives the defaults named below.
type OutboxOptions struct {
	// PollInterval is how often Run looks for due deliveries; default 2s.
	PollInterval time.Duration
	// Lease is how long a claimed delivery is hidden from other workers; default 2m. A
	// delivery running longer may be attempted twice; targets deduplicate by submission id.
	Lease time.Duration
	// Batch is the most deliveries claimed at once; default 10.
	Batch int
	// MinBackoff and MaxBackoff bound the wait after the n-th failure, MinBackoff·2^(n-1) with
	// ±20 % jitter; defaults 5s and 1h.
	MinBackoff, MaxBackoff time.Duration
	// MaxAttempts is after how many failures a delivery is given up as failed; default 25.
	MaxAttempts int
	// OnDelivered is called after a delivery was confirmed, e.g. to move the application to
	// delivered and send the receipt (Eingangsbestätigung) to the citizen's mailbox. An error
	// is logged; the delivery stays confirmed.
	OnDelivered func(ctx context.Context, s *Submission, r Receipt) error
	// OnFailed is called when a delivery is given up, so a person can see to it.
	OnFailed func(ctx context.Context, s *Submission, err error)
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
	def(&o.opts.Lease, 2*time.Minute)
	def(&o.opts.MinBackoff, 5*time.Second)
	def(&o.opts.MaxBackoff, time.Hour)
	if o.opts.Batch <= 0 {
		o.opts.Batch = 10
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

// Run delivers until ctx ends, then returns ctx's error.
func (o *Outbox) Run(ctx context.Context) error {
	t := time.NewTicker(o.opts.PollInterval)
	defer t.Stop()
	for {
		for {
			n, err := o.RunOnce(ctx)
			if err != nil {
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

// RunOnce claims the deliveries due now and attempts each once. It returns how many it
// claimed.
func (o *Outbox) RunOnce(ctx context.Context) (int, error) {
	entries, err := o.store.ClaimDeliveries(ctx, o.opts.Clock(), o.opts.Lease, o.opts.Batch)
	if err != nil {
		return 0, fmt.Errorf("ozg: claim deliveries: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if err := o.deliver(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	return len(entries), errors.Join(errs...)
}

// backoff returns the wait after the n-th failed attempt.
func (o *Outbox) backoff(n int) time.Duration {
	d := backoff.Delay(o.opts.MinBackoff, o.opts.MaxBackoff, n)
	jitter := time.Duration((rand.Float64()*0.4 - 0.2) * float64(d))
	return d + jitter
}

// deliver attempts one claimed entry and records the outcome. It returns only store errors.
func (o *Outbox) deliver(ctx context.Context, e OutboxEntry) error {
	sub, err := o.store.Submission(ctx, e.SubmissionID)
	if err != nil {
		return fmt.Errorf("ozg: outbox %s: %w", e.SubmissionID, err)
	}
	target, ok := o.targets[e.Delivery]
	var derr error
	var receipt Receipt
	if !ok {
		derr = Permanent(fmt.Errorf("no delivery target named %q", e.Delivery))
	} else {
		receipt, derr = target.Deliver(ctx, sub, o.files)
	}
	log := o.logger.With("submission", sub.ID, "reference", sub.Reference, "delivery", e.Delivery, "attempt", e.Attempts)
	switch {
	case derr == nil:
		if receipt.DeliveredAt.IsZero() {
			receipt.DeliveredAt = o.opts.Clock().UTC()
		}
		if err := o.store.CompleteDelivery(ctx, sub.ID, receipt); err != nil {
			return fmt.Errorf("ozg: outbox %s: record delivery: %w", sub.ID, err)
		}
		log.Info("ozg: submission delivered", "receipt", receipt.ID)
		if o.opts.OnDelivered != nil {
			if err := o.opts.OnDelivered(ctx, sub, receipt); err != nil {
				log.Error("ozg: after delivery", "err", err)
			}
		}
		return nil
	case errors.Is(derr, ErrPermanent) || e.Attempts >= o.opts.MaxAttempts:
		if err := o.store.FailDelivery(ctx, sub.ID, derr.Error()); err != nil {
			return fmt.Errorf("ozg: outbox %s: record failure: %w", sub.ID, err)
		}
		log.Error("ozg: delivery given up", "err", derr)
		if o.opts.OnFailed != nil {
			o.opts.OnFailed(ctx, sub, derr)
		}
		return nil
	default:
		next := o.opts.Clock().Add(o.backoff(e.Attempts))
		if err := o.store.RetryDelivery(ctx, sub.ID, derr.Error(), next); err != nil {
			return fmt.Errorf("ozg: outbox %s: record retry: %w", sub.ID, err)
		}
		log.Warn("ozg: delivery failed, will retry", "err", derr, "next", next)
		return nil
	}
}
