package evidence

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Manager is the evidence service a portal uses: it runs the upload pipeline, keeps metadata
// in a [Store] and bytes in a [BlobStore], and has every file scanned by a [Scanner].
type Manager struct {
	store   Store
	blobs   BlobStore
	scanner Scanner
	opts    Options
	log     *slog.Logger

	locks [64]sync.Mutex // per-application (striped) lock around limit checks and commits
	wake  chan struct{}  // queued scanning: new pending evidence
}

// ScanMode says when uploads are scanned.
type ScanMode int

const (
	// ScanSync scans during the upload; the upload answers with the verdict, and an infected
	// file is refused and discarded.
	ScanSync ScanMode = iota
	// ScanQueued stores the upload as [ScanPending] and scans it later, in [Manager.RunScanner]
	// or [Manager.ScanPending].
	ScanQueued
)

// Options tune a [Manager]; nil or zero fields mean the defaults.
type Options struct {
	// MaxFilesPerApplication bounds the files of one application over all requirements;
	// default 50.
	MaxFilesPerApplication int
	// MaxTotalSizePerApplication bounds the bytes of one application's files; default 256 MiB.
	MaxTotalSizePerApplication int64
	// ScanMode: synchronous (default) or queued.
	ScanMode ScanMode
	// ScanInterval is how often RunScanner looks for pending evidence it was not woken for;
	// default 30s.
	ScanInterval time.Duration
	// DraftRetention: CleanupDrafts removes evidence older than this of applications still in
	// draft; default 30 days.
	DraftRetention time.Duration
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Now and NewID replace the clock and the id source (UUIDv4), for tests.
	Now   func() time.Time
	NewID func() string
}

// New returns a Manager. scanner is required: pass [NewNoScanner] to upload without scanning.
func New(store Store, blobs BlobStore, scanner Scanner, opts *Options) (*Manager, error) {
	if store == nil || blobs == nil {
		return nil, errors.New("evidence: New needs a Store and a BlobStore")
	}
	if scanner == nil {
		return nil, errors.New("evidence: New needs a Scanner; choose evidence.NewNoScanner explicitly to run without virus scanning")
	}
	m := &Manager{store: store, blobs: blobs, scanner: scanner, wake: make(chan struct{}, 1)}
	if opts != nil {
		m.opts = *opts
	}
	o := &m.opts
	if o.MaxFilesPerApplication <= 0 {
		o.MaxFilesPerApplication = 50
	}
	if o.MaxTotalSizePerApplication <= 0 {
		o.MaxTotalSizePerApplication = 256 << 20
	}
	if o.ScanInterval <= 0 {
		o.ScanInterval = 30 * time.Second
	}
	if o.DraftRetention <= 0 {
		o.DraftRetention = 30 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewID == nil {
		o.NewID = func() string { return uuid.NewString() }
	}
	m.log = o.Logger
	if m.log == nil {
		m.log = slog.Default()
	}
	mode := "sync"
	if o.ScanMode == ScanQueued {
		mode = "queued"
	}
	if _, off := scanner.(NoScanner); off {
		m.log.Warn("evidence: manager started WITHOUT virus scanning (no-op scanner)", "scanMode", mode)
	} else {
		m.log.Info("evidence: manager started", "scanner", fmt.Sprintf("%T", scanner), "scanMode", mode)
	}
	return m, nil
}

func (m *Manager) lock(applicationID string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(applicationID))
	mu := &m.locks[h.Sum32()%uint32(len(m.locks))]
	mu.Lock()
	return mu.Unlock
}

// List returns the evidence of an application, oldest first.
func (m *Manager) List(ctx context.Context, applicationID string) ([]Evidence, error) {
	return m.store.List(ctx, applicationID)
}

// Get returns one evidence of an application; an id of another application is ErrNotFound.
func (m *Manager) Get(ctx context.Context, applicationID, id string) (Evidence, error) {
	if uuid.Validate(id) != nil { // ids are UUIDs; anything else is not found, never a store error
		return Evidence{}, fmt.Errorf("evidence: get %.64q: %w", id, ErrNotFound)
	}
	e, err := m.store.Get(ctx, id)
	if err != nil {
		return Evidence{}, err
	}
	if e.ApplicationID != applicationID {
		return Evidence{}, fmt.Errorf("evidence: get %q: %w", id, ErrNotFound)
	}
	return e, nil
}

// Open returns an evidence and a reader of its bytes; the caller closes it. Evidence that is
// not scanned clean gives an error wrapping [ErrNotClean].
func (m *Manager) Open(ctx context.Context, applicationID, id string) (Evidence, io.ReadCloser, error) {
	e, err := m.Get(ctx, applicationID, id)
	if err != nil {
		return Evidence{}, nil, err
	}
	if !e.Usable() {
		return e, nil, fmt.Errorf("evidence: open %q (%s): %w", id, e.ScanState, ErrNotClean)
	}
	rc, err := m.blobs.Open(ctx, e.BlobKey)
	if err != nil {
		return e, nil, fmt.Errorf("evidence: open %q: %w", id, err)
	}
	return e, rc, nil
}

// Delete removes one evidence of an application: metadata first, then the bytes.
func (m *Manager) Delete(ctx context.Context, applicationID, id string) error {
	e, err := m.Get(ctx, applicationID, id)
	if err != nil {
		return err
	}
	return m.remove(ctx, e)
}

func (m *Manager) remove(ctx context.Context, e Evidence) error {
	if err := m.store.Delete(ctx, e.ID); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := m.blobs.Delete(ctx, e.BlobKey); err != nil {
		// The metadata is gone; the bytes are orphaned. Say so; never fail the caller twice.
		m.log.Error("evidence: delete blob", "evidence", e.ID, "err", err)
		return fmt.Errorf("evidence: delete %q: %w", e.ID, err)
	}
	return nil
}

// DeleteApplication removes all evidence of an application, bytes included. ozg calls it when
// an application is deleted.
func (m *Manager) DeleteApplication(ctx context.Context, applicationID string) error {
	list, err := m.store.List(ctx, applicationID)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range list {
		if err := m.remove(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// CleanupDrafts deletes the evidence of applications that have evidence older than
// Options.DraftRetention and are still drafts; isDraft answers that for an application id
// (ozg passes a lookup of its application store; an unknown application counts as a draft
// when isDraft says so). It returns the number of applications cleaned.
func (m *Manager) CleanupDrafts(ctx context.Context, isDraft func(ctx context.Context, applicationID string) (bool, error)) (int, error) {
	before := m.opts.Now().Add(-m.opts.DraftRetention)
	cleaned := 0
	after := ""
	for {
		ids, err := m.store.ListApplications(ctx, before, after, 100)
		if err != nil {
			return cleaned, err
		}
		for _, id := range ids {
			draft, err := isDraft(ctx, id)
			if err != nil {
				return cleaned, fmt.Errorf("evidence: cleanup %q: %w", id, err)
			}
			if !draft {
				continue
			}
			if err := m.DeleteApplication(ctx, id); err != nil {
				return cleaned, err
			}
			cleaned++
		}
		if len(ids) < 100 {
			return cleaned, nil
		}
		after = ids[len(ids)-1]
	}
}

// scan runs the scanner over a stored blob.
func (m *Manager) scan(ctx context.Context, key string) (Verdict, error) {
	rc, err := m.blobs.Open(ctx, key)
	if err != nil {
		return Verdict{}, fmt.Errorf("%w: %w", ErrScanFailed, err)
	}
	defer rc.Close()
	v, err := m.scanner.Scan(ctx, rc)
	if err != nil && !errors.Is(err, ErrScanFailed) {
		err = fmt.Errorf("%w: %w", ErrScanFailed, err)
	}
	return v, err
}

// scanFailureDetail is the ScanDetail of a failed scan: what the citizen may read, not the
// internal error (which is logged).
func scanFailureDetail(err error) string {
	if errors.Is(err, ErrStreamTooLong) {
		return "too long for the virus scanner"
	}
	return "virus scanner unavailable"
}

// scanStored scans a stored evidence and records the outcome; infected bytes are deleted.
// With retry, a scanner that cannot be reached leaves the evidence pending and returns the
// error, so it is scanned again later; otherwise the failure is stored as ScanFailed.
func (m *Manager) scanStored(ctx context.Context, e Evidence, retry bool) (Evidence, error) {
	v, err := m.scan(ctx, e.BlobKey)
	now := m.opts.Now()
	switch {
	case err != nil && ctx.Err() != nil:
		return e, ctx.Err()
	case err != nil && retry && !errors.Is(err, ErrStreamTooLong):
		return e, err
	case err != nil:
		e.ScanState, e.ScanDetail = ScanFailed, scanFailureDetail(err)
		m.log.Warn("evidence: scan failed", "evidence", e.ID, "err", err)
	case v.Infected:
		if derr := m.blobs.Delete(ctx, e.BlobKey); derr != nil {
			return e, derr
		}
		e.ScanState, e.ScanDetail = ScanInfected, v.Signature
		m.log.Warn("evidence: infected file discarded", "evidence", e.ID, "signature", v.Signature)
	default:
		e.ScanState, e.ScanDetail = ScanClean, ""
	}
	e.UpdatedAt = now
	if uerr := m.store.UpdateScan(ctx, e.ID, e.ScanState, e.ScanDetail, now); uerr != nil {
		return e, uerr
	}
	return e, nil
}

// Rescan scans an evidence again (after [ScanFailed]) and returns it with its new state.
func (m *Manager) Rescan(ctx context.Context, applicationID, id string) (Evidence, error) {
	e, err := m.Get(ctx, applicationID, id)
	if err != nil {
		return Evidence{}, err
	}
	if e.ScanState == ScanInfected {
		return e, nil
	}
	if _, err := m.blobs.Stat(ctx, e.BlobKey); errors.Is(err, fs.ErrNotExist) {
		return e, fmt.Errorf("evidence: rescan %q: bytes missing: %w", id, err)
	}
	return m.scanStored(ctx, e, false)
}

// ScanPending scans up to limit pending evidence (oldest first) and returns how many it
// scanned. Queued mode calls it from RunScanner; a portal may also call it from a cron job.
// When the scanner cannot be reached it stops, leaves the rest pending and returns the error;
// a file too long for the scanner becomes ScanFailed.
func (m *Manager) ScanPending(ctx context.Context, limit int) (int, error) {
	list, err := m.store.ListByScanState(ctx, ScanPending, limit)
	if err != nil {
		return 0, err
	}
	for i, e := range list {
		if _, err := m.scanStored(ctx, e, true); err != nil {
			return i, err
		}
	}
	return len(list), nil
}

// RunScanner scans pending evidence until ctx is done: woken by each queued upload, and every
// Options.ScanInterval for what an earlier run left (e.g. after a restart).
func (m *Manager) RunScanner(ctx context.Context) error {
	t := time.NewTicker(m.opts.ScanInterval)
	defer t.Stop()
	for {
		for {
			n, err := m.ScanPending(ctx, 20)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				m.log.Error("evidence: scanning pending evidence", "err", err)
				break
			}
			if n < 20 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-m.wake:
		case <-t.C:
		}
	}
}
