package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors of a [Deduplicator].
var (
	// ErrInProgress: another caller holds the key and its lease has not run out; the delivery
	// is being taken right now. Receiver answers 409 Conflict and the sender retries later.
	ErrInProgress = errors.New("delivery: a delivery with this key is being taken right now")
	// ErrClaimLost: the token no longer holds the key (the lease ran out and another caller
	// claimed it, or the claim was abandoned), or the key was never claimed.
	ErrClaimLost = errors.New("delivery: the claim on this key is lost")
	// ErrInvalidDedupKey: the key is empty, longer than MaxDedupKeyLength or holds characters
	// other than printable ASCII.
	ErrInvalidDedupKey = errors.New("delivery: invalid deduplication key")
)

// MaxDedupKeyLength is the longest key a [Deduplicator] accepts.
const MaxDedupKeyLength = 256

// CheckDedupKey reports whether key is 1 to MaxDedupKeyLength characters of printable ASCII
// (0x21 to 0x7e); the error wraps [ErrInvalidDedupKey]. Implementations call it first.
func CheckDedupKey(key string) error {
	if key == "" || len(key) > MaxDedupKeyLength {
		return fmt.Errorf("%w: %d characters, want 1 to %d", ErrInvalidDedupKey, len(key), MaxDedupKeyLength)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return fmt.Errorf("%w: character %d is not printable ASCII", ErrInvalidDedupKey, i)
		}
	}
	return nil
}

// Claim is the answer of [Deduplicator.Claim].
type Claim struct {
	// Done reports that the key was completed earlier; Receipt is then the answer recorded
	// for it, to be sent again, and the handler must not run.
	Done    bool
	Receipt string
	// Token identifies this caller's hold on a key it now holds (Done is false); it is
	// passed to Complete or Abandon.
	Token string
}

// Deduplicator is a durable record of the deliveries a receiving end has taken, keyed by the
// submission's id (which senders also send as Idempotency-Key), so that a back office sees each
// submission once although senders deliver at least once.
//
// Contract, checked by deliverytest.RunDeduplicatorConformance:
//   - Claim(key, lease) on a key never seen, abandoned, or held by a claim whose lease has run
//     out returns a Claim with a new Token: the caller now holds the key until Complete,
//     Abandon or the end of the lease. Of concurrent claims of one key exactly one gets it,
//     also across processes that share the record.
//   - Claim on a key held by another claim within its lease returns an error wrapping
//     [ErrInProgress].
//   - Claim on a completed key returns Done and the Receipt that Complete recorded, for as
//     long as the record keeps completed keys (an implementation's retention), whatever the
//     leases.
//   - Complete(key, token, receipt) records the receipt. It succeeds even when the lease has
//     run out, as long as nobody claimed the key since; a token that no longer holds the key
//     gets an error wrapping [ErrClaimLost] and changes nothing. Completing again with the
//     same token and receipt succeeds (a retried call).
//   - Abandon(key, token) gives the key up, so that the next Claim gets it (the handler
//     failed and the sender will retry). A token that no longer holds the key gets
//     [ErrClaimLost]; a completed key stays completed.
//   - A key is 1 to [MaxDedupKeyLength] characters of printable ASCII; any other key is
//     refused with an error wrapping [ErrInvalidDedupKey]. Keys are distinct byte for byte.
//   - Implementations are safe for concurrent use and honour ctx.
//
// The record and the handler's own effect are two steps. A process that dies after its
// handler took a submission and before Complete leaves a claim that runs out, and the next
// delivery runs the handler again; a back office that stores submissions in a database
// closes that window by making the submission id a unique key of its own table (or by
// recording both in one transaction).
type Deduplicator interface {
	Claim(ctx context.Context, key string, lease time.Duration) (Claim, error)
	Complete(ctx context.Context, key, token, receipt string) error
	Abandon(ctx context.Context, key, token string) error
}

// NewDedupToken returns a random claim token (128 bits, hex), for implementations.
func NewDedupToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("delivery: claim token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// DefaultDedupRetention is how long deduplicators keep completed keys by default: longer than
// any sender retries one delivery.
const DefaultDedupRetention = 30 * 24 * time.Hour

// MemoryDeduplicator is a [Deduplicator] in memory: it deduplicates within one process and
// forgets on restart. A receiver on several replicas, or one that must remember across
// restarts, uses a durable one (sqlstore.Deduplicator).
type MemoryDeduplicator struct {
	mu        sync.Mutex
	entries   map[string]*dedupEntry
	retention time.Duration
	now       func() time.Time
	calls     int
}

type dedupEntry struct {
	token      string
	receipt    string
	done       bool
	leaseUntil time.Time
	doneAt     time.Time
}

// MemoryDeduplicatorOptions tune [NewMemoryDeduplicator]; nil or zero fields mean defaults.
type MemoryDeduplicatorOptions struct {
	// Retention is how long completed keys are kept; default DefaultDedupRetention.
	Retention time.Duration
	// Now replaces the clock, for tests.
	Now func() time.Time
}

// NewMemoryDeduplicator returns an empty deduplicator.
func NewMemoryDeduplicator(opts *MemoryDeduplicatorOptions) *MemoryDeduplicator {
	m := &MemoryDeduplicator{entries: map[string]*dedupEntry{}, retention: DefaultDedupRetention, now: time.Now}
	if opts != nil {
		if opts.Retention > 0 {
			m.retention = opts.Retention
		}
		if opts.Now != nil {
			m.now = opts.Now
		}
	}
	return m
}

var _ Deduplicator = (*MemoryDeduplicator)(nil)

// Claim implements [Deduplicator].
func (m *MemoryDeduplicator) Claim(ctx context.Context, key string, lease time.Duration) (Claim, error) {
	if err := CheckDedupKey(key); err != nil {
		return Claim{}, err
	}
	if err := ctx.Err(); err != nil {
		return Claim{}, err
	}
	token, err := NewDedupToken()
	if err != nil {
		return Claim{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.purgeLocked(now)
	if e, ok := m.entries[key]; ok {
		if e.done {
			return Claim{Done: true, Receipt: e.receipt}, nil
		}
		if now.Before(e.leaseUntil) {
			return Claim{}, fmt.Errorf("delivery: claim %q: %w", key, ErrInProgress)
		}
	}
	m.entries[key] = &dedupEntry{token: token, leaseUntil: now.Add(lease)}
	return Claim{Token: token}, nil
}

// purgeLocked drops completed keys older than the retention, every 256 claims.
func (m *MemoryDeduplicator) purgeLocked(now time.Time) {
	m.calls++
	if m.calls%256 != 0 {
		return
	}
	for k, e := range m.entries {
		if e.done && now.Sub(e.doneAt) > m.retention {
			delete(m.entries, k)
		}
	}
}

// Complete implements [Deduplicator].
func (m *MemoryDeduplicator) Complete(ctx context.Context, key, token, receipt string) error {
	if err := CheckDedupKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	switch {
	case !ok || e.token != token:
		return fmt.Errorf("delivery: complete %q: %w", key, ErrClaimLost)
	case e.done && e.receipt != receipt:
		return fmt.Errorf("delivery: complete %q: completed before with another receipt: %w", key, ErrClaimLost)
	case !e.done:
		e.done, e.receipt, e.doneAt = true, receipt, m.now()
	}
	return nil
}

// Abandon implements [Deduplicator].
func (m *MemoryDeduplicator) Abandon(ctx context.Context, key, token string) error {
	if err := CheckDedupKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || e.token != token || e.done {
		return fmt.Errorf("delivery: abandon %q: %w", key, ErrClaimLost)
	}
	delete(m.entries, key)
	return nil
}
