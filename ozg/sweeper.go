package ozg

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// RetentionKind names what a retention sweep deletes.
type RetentionKind string

// The kinds of a RetentionReport.
const (
	// RetentionKindDrafts counts applications never submitted.
	RetentionKindDrafts RetentionKind = "drafts"
	// RetentionKindSubmissions counts submitted applications, each with its submission and
	// outbox entry.
	RetentionKindSubmissions RetentionKind = "submissions"
	// RetentionKindEvidence counts evidence files, those of deleted applications included.
	RetentionKindEvidence RetentionKind = "evidence"
	// RetentionKindMessages counts Postfach messages, each with its attachments.
	RetentionKindMessages RetentionKind = "messages"
)

// RetentionCount is how many of one kind of one service a sweep deleted (or would delete).
type RetentionCount struct {
	Service string        `json:"service"`
	Kind    RetentionKind `json:"kind"`
	Count   int           `json:"count"`
}

// RetentionReport says what a sweep deleted, or with DryRun what it would delete: counts per
// service and kind, no ids and no personal data.
type RetentionReport struct {
	DryRun bool      `json:"dryRun"`
	At     time.Time `json:"at"`
	// Counts lists the kinds with something to delete, by service and kind.
	Counts []RetentionCount `json:"counts"`
	// Kept counts applications that were due but changed while the sweep ran (a draft saved,
	// an outbox entry claimed again); they stay, and the next sweep looks at them again.
	Kept int `json:"kept"`
	// Truncated: the sweep stopped at SweeperOptions.MaxPerSweep; more is due.
	Truncated bool `json:"truncated"`
}

// Count returns the count of one service and kind.
func (r *RetentionReport) Count(service string, kind RetentionKind) int {
	for _, c := range r.Counts {
		if c.Service == service && c.Kind == kind {
			return c.Count
		}
	}
	return 0
}

// Total returns the sum of all counts.
func (r *RetentionReport) Total() int {
	n := 0
	for _, c := range r.Counts {
		n += c.Count
	}
	return n
}

// EvidenceRetention is what a Sweeper needs of the evidence store; *evidence.Manager is one.
type EvidenceRetention interface {
	List(ctx context.Context, applicationID string) ([]evidence.Evidence, error)
	DeleteApplication(ctx context.Context, applicationID string) error
	ApplicationsWithEvidence(ctx context.Context, createdBefore time.Time, after string, limit int) ([]string, error)
}

// MessageExpirer deletes a service's old Postfach messages with their attachments, in batches;
// *mailbox.Mailbox is one (see its Expire method for the contract).
type MessageExpirer interface {
	Expire(ctx context.Context, service string, before time.Time, cursor string, limit int, dryRun bool) (int, string, error)
}

// SweeperOptions configures a Sweeper. Zero fields take the defaults named.
type SweeperOptions struct {
	// Evidence deletes evidence files and records. Required when a service deletes drafts,
	// submissions or evidence (their files go with them).
	Evidence EvidenceRetention
	// Messages deletes Postfach messages. Required when a service sets Retention.Messages.
	Messages MessageExpirer
	// Interval is how often Run sweeps; default one hour.
	Interval time.Duration
	// BatchSize is how many items one store call handles: 1 to MaxRetentionBatch, default 100.
	BatchSize int
	// MaxPerSweep bounds the items one sweep deletes (all kinds together), so that a first
	// sweep over years of data does not hold the database for long; the rest goes in the next
	// sweep. The evidence walk stops once it is reached, so the files of one application
	// (at most the evidence manager's per-application limit) may go beyond it. Default 10,000.
	MaxPerSweep int
	// Logger receives one line per sweep that deleted something, with counts only; default
	// slog.Default().
	Logger *slog.Logger
	// Now is Run's clock; default time.Now.
	Now func() time.Time
}

// Sweeper deletes what the services' Retention periods say is due (Löschfristen).
//
// A sweep walks, per service, submitted applications whose outbox entry is settled, then
// applications never submitted, then the evidence of settled applications, then Postfach
// messages, each in batches of BatchSize in a fixed order (oldest first), so that a dry run
// visits what the sweep after it deletes. An application goes with its submission, outbox
// entry and evidence files; the store refuses, in the deleting transaction, an application
// that changed since it was found or whose outbox entry is pending, notifying, withdrawing or
// failed, so nothing the outbox still has to do is ever deleted. Payments stay (they are the
// cash office's records), and so does the back office's own copy (ozg/casework's cases).
// Applications of services not given to the Sweeper are not touched.
type Sweeper struct {
	services []*Service
	store    Store
	ret      RetentionStore
	opts     SweeperOptions
}

// NewSweeper returns a Sweeper for services over store. It refuses, naming the service, a
// Retention that breaks its bounds, a store that is no RetentionStore while a service deletes
// applications or evidence, and a missing Evidence or Messages option a service needs.
func NewSweeper(services []*Service, store Store, opts *SweeperOptions) (*Sweeper, error) {
	s := &Sweeper{store: store}
	if opts != nil {
		s.opts = *opts
	}
	o := &s.opts
	if o.Interval <= 0 {
		o.Interval = time.Hour
	}
	if o.BatchSize == 0 {
		o.BatchSize = 100
	}
	if o.BatchSize < 1 || o.BatchSize > MaxRetentionBatch {
		return nil, fmt.Errorf("ozg: sweeper batch size %d is not between 1 and %d", o.BatchSize, MaxRetentionBatch)
	}
	if o.MaxPerSweep <= 0 {
		o.MaxPerSweep = 10_000
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s.ret, _ = store.(RetentionStore)
	for _, svc := range services {
		if svc == nil {
			return nil, errors.New("ozg: sweeper: nil service")
		}
		r := svc.Retention
		if p := svc.retentionProblems(); len(p) > 0 {
			return nil, &DescriptorError{ServiceID: svc.ID, Problems: p}
		}
		if r.Keeps() {
			continue
		}
		if (r.Drafts != 0 || r.Submissions != 0) && s.ret == nil {
			return nil, fmt.Errorf("ozg: service %q deletes applications, but the store %T cannot (no ozg.RetentionStore)", svc.ID, store)
		}
		if (r.Drafts != 0 || r.Submissions != 0 || r.Evidence != 0) && o.Evidence == nil {
			return nil, fmt.Errorf("ozg: service %q deletes applications or evidence: SweeperOptions.Evidence is required", svc.ID)
		}
		if r.Messages != 0 && o.Messages == nil {
			return nil, fmt.Errorf("ozg: service %q deletes Postfach messages: SweeperOptions.Messages is required", svc.ID)
		}
		s.services = append(s.services, svc)
	}
	return s, nil
}

// sweep is the state of one sweep.
type sweep struct {
	*Sweeper
	now    time.Time
	dryRun bool
	counts map[RetentionCount]int // Count field unused in the key
	done   int
	report *RetentionReport
	gone   map[string]bool // applications deleted (or, in a dry run, to be deleted) by this sweep
}

func (w *sweep) add(service string, kind RetentionKind, n int) {
	if n > 0 {
		w.counts[RetentionCount{Service: service, Kind: kind}] += n
		w.done += n
	}
}

// full reports whether the sweep reached MaxPerSweep, and marks the report truncated.
func (w *sweep) full() bool {
	if w.done >= w.opts.MaxPerSweep {
		w.report.Truncated = true
		return true
	}
	return false
}

// Sweep deletes what is due at now, or with dryRun only counts it, and reports per service
// and kind. A sweep that fails part-way returns the report of what it did so far with the
// error; what is left is due again at the next sweep.
func (s *Sweeper) Sweep(ctx context.Context, now time.Time, dryRun bool) (*RetentionReport, error) {
	w := &sweep{Sweeper: s, now: now, dryRun: dryRun, counts: map[RetentionCount]int{},
		report: &RetentionReport{DryRun: dryRun, At: now.UTC()}, gone: map[string]bool{}}
	err := w.run(ctx)
	for k, n := range w.counts {
		k.Count = n
		w.report.Counts = append(w.report.Counts, k)
	}
	slices.SortFunc(w.report.Counts, func(a, b RetentionCount) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Kind, b.Kind))
	})
	return w.report, err
}

func (w *sweep) run(ctx context.Context) error {
	for _, svc := range w.services {
		r := svc.Retention
		if r.Submissions != 0 {
			if err := w.applications(ctx, svc, RetentionSubmissions, r.Submissions); err != nil {
				return err
			}
		}
		if r.Drafts != 0 {
			if err := w.applications(ctx, svc, RetentionDrafts, r.Drafts); err != nil {
				return err
			}
		}
	}
	if err := w.evidence(ctx); err != nil {
		return err
	}
	for _, svc := range w.services {
		if svc.Retention.Messages != 0 {
			if err := w.messages(ctx, svc); err != nil {
				return err
			}
		}
	}
	return nil
}

// applications walks one class of a service's applications last changed before now-period.
func (w *sweep) applications(ctx context.Context, svc *Service, class RetentionClass, period time.Duration) error {
	q := RetentionQuery{ServiceID: svc.ID, Class: class, Before: w.now.Add(-period), Limit: w.opts.BatchSize}
	for {
		if w.full() {
			return nil
		}
		batch, err := w.ret.RetentionCandidates(ctx, q)
		if err != nil {
			return fmt.Errorf("ozg: retention of %s %s: %w", svc.ID, class, err)
		}
		if err := w.purge(ctx, svc, class, batch); err != nil {
			return err
		}
		if len(batch) < q.Limit {
			return nil
		}
		last := batch[len(batch)-1].Position()
		q.After = &last
	}
}

// purge deletes a batch of applications (as many as MaxPerSweep leaves room for) in one
// store transaction, then their evidence files.
func (w *sweep) purge(ctx context.Context, svc *Service, class RetentionClass, batch []RetentionCandidate) error {
	kind := RetentionKindDrafts
	if class == RetentionSubmissions {
		kind = RetentionKindSubmissions
	}
	files := make(map[string]int, len(batch))
	take, room := 0, w.opts.MaxPerSweep-w.done
	for _, c := range batch {
		if room <= 0 {
			w.report.Truncated = true
			break
		}
		list, err := w.opts.Evidence.List(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("ozg: retention of %s: evidence of %s: %w", svc.ID, c.ID, err)
		}
		files[c.ID] = len(list)
		room -= 1 + len(list)
		take++
	}
	batch = batch[:take]
	if len(batch) == 0 {
		return nil
	}
	gone := make([]string, 0, len(batch))
	if w.dryRun {
		for _, c := range batch {
			gone = append(gone, c.ID)
		}
	} else {
		purged, err := w.ret.Purge(ctx, batch, w.now)
		if err != nil {
			return fmt.Errorf("ozg: retention of %s %s: %w", svc.ID, class, err)
		}
		w.report.Kept += len(batch) - len(purged)
		for _, id := range purged {
			if files[id] > 0 {
				if err := w.opts.Evidence.DeleteApplication(ctx, id); err != nil {
					return fmt.Errorf("ozg: retention of %s: evidence of deleted application %s: %w", svc.ID, id, err)
				}
			}
		}
		gone = purged
	}
	for _, id := range gone {
		w.gone[id] = true
		w.add(svc.ID, kind, 1)
		w.add(svc.ID, RetentionKindEvidence, files[id])
	}
	return nil
}

// evidence walks the applications that have evidence and deletes the files of settled
// submissions whose service's Evidence period has passed.
func (w *sweep) evidence(ctx context.Context) error {
	byID := map[string]*Service{}
	var shortest time.Duration
	for _, svc := range w.services {
		if d := svc.Retention.Evidence; d != 0 {
			byID[svc.ID] = svc
			if shortest == 0 || d < shortest {
				shortest = d
			}
		}
	}
	if shortest == 0 {
		return nil
	}
	// An application due under its service's period has all its evidence from before its
	// last change, so before now-shortest.
	before, after := w.now.Add(-shortest), ""
	for {
		if w.full() {
			return nil
		}
		ids, err := w.opts.Evidence.ApplicationsWithEvidence(ctx, before, after, w.opts.BatchSize)
		if err != nil {
			return fmt.Errorf("ozg: retention of evidence: %w", err)
		}
		for _, id := range ids {
			if w.full() {
				return nil
			}
			if err := w.evidenceOf(ctx, byID, id); err != nil {
				return err
			}
		}
		if len(ids) < w.opts.BatchSize {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

func (w *sweep) evidenceOf(ctx context.Context, byID map[string]*Service, id string) error {
	if w.gone[id] {
		return nil
	}
	a, err := w.store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil // an orphan: evidence.Manager.CleanupDrafts removes it
	}
	if err != nil {
		return fmt.Errorf("ozg: retention of evidence: application %s: %w", id, err)
	}
	svc := byID[a.ServiceID]
	if svc == nil || !a.UpdatedAt.Before(w.now.Add(-svc.Retention.Evidence)) {
		return nil
	}
	sub, err := w.store.SubmissionOf(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil // a draft: its files go with it
	}
	if err != nil {
		return fmt.Errorf("ozg: retention of evidence: submission of %s: %w", id, err)
	}
	e, err := w.store.OutboxEntry(ctx, sub.ID)
	if err != nil {
		return fmt.Errorf("ozg: retention of evidence: outbox entry of %s: %w", id, err)
	}
	if !e.State.Settled() {
		return nil
	}
	files, err := w.opts.Evidence.List(ctx, id)
	if err != nil {
		return fmt.Errorf("ozg: retention of evidence: evidence of %s: %w", id, err)
	}
	if len(files) > 0 && !w.dryRun {
		if err := w.opts.Evidence.DeleteApplication(ctx, id); err != nil {
			return fmt.Errorf("ozg: retention of evidence: delete evidence of %s: %w", id, err)
		}
	}
	w.add(svc.ID, RetentionKindEvidence, len(files))
	return nil
}

// messages deletes a service's Postfach messages older than its period.
func (w *sweep) messages(ctx context.Context, svc *Service) error {
	before, cursor := w.now.Add(-svc.Retention.Messages), ""
	for {
		if w.full() {
			return nil
		}
		limit := min(w.opts.BatchSize, w.opts.MaxPerSweep-w.done)
		n, next, err := w.opts.Messages.Expire(ctx, svc.ID, before, cursor, limit, w.dryRun)
		if err != nil {
			return fmt.Errorf("ozg: retention of %s messages: %w", svc.ID, err)
		}
		w.add(svc.ID, RetentionKindMessages, n)
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// Run sweeps now and then every Interval until ctx ends, and returns ctx's error. A failed
// sweep is logged (without personal data) and tried again at the next interval.
func (s *Sweeper) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		r, err := s.Sweep(ctx, s.opts.Now(), false)
		switch {
		case err != nil && ctx.Err() == nil:
			s.opts.Logger.Warn("ozg: retention sweep failed", "err", err, "deleted", r.Total())
		case r.Total() > 0 || r.Kept > 0:
			attrs := []any{"deleted", r.Total(), "kept", r.Kept, "truncated", r.Truncated}
			for _, c := range r.Counts {
				attrs = append(attrs, c.Service+"."+string(c.Kind), c.Count)
			}
			s.opts.Logger.Info("ozg: retention sweep", attrs...)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
