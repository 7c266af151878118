package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Errors of a [SessionStore].
var (
	// ErrSessionNotFound: the store knows no live session of this id: it was never created,
	// was revoked (logout, step-up, a new login, [Sessions.EndAll]) or has reached its
	// absolute expiry.
	ErrSessionNotFound = errors.New("identity: session not found or ended")
	// ErrSessionExists: a session of this id exists already.
	ErrSessionExists = errors.New("identity: session id already in use")
)

// MaxSessionID and MaxSessionSubject bound the record fields a [SessionStore] must accept.
const (
	MaxSessionID      = 64
	MaxSessionSubject = 1024
)

// SessionRecord is the server-side half of a session: the sealed cookie carries its ID, and
// the cookie is honoured only while the store still has the record.
type SessionRecord struct {
	// ID is random (32 bytes from crypto/rand, base64url), 1 to [MaxSessionID] bytes.
	ID string
	// Subject is the principal's subject, 1 to [MaxSessionSubject] bytes, so that every
	// session of one person can be ended at once.
	Subject string
	// Created is the login time; Expires the absolute end of the session (Created plus the
	// maximum age). A record is live while now is before Expires.
	Created, Expires time.Time
}

// Valid checks the record's fields against the bounds above: ID and Subject are UTF-8
// without NUL, so that every database can keep them as text.
func (r SessionRecord) Valid() error {
	switch {
	case !SessionKeyValid(r.ID, MaxSessionID):
		return fmt.Errorf("identity: session id must be 1 to %d bytes of UTF-8 without NUL", MaxSessionID)
	case !SessionKeyValid(r.Subject, MaxSessionSubject):
		return fmt.Errorf("identity: session subject must be 1 to %d bytes of UTF-8 without NUL", MaxSessionSubject)
	case !r.Expires.After(r.Created):
		return errors.New("identity: session must expire after it was created")
	}
	return nil
}

// SessionKeyValid reports whether s can be a session id (max [MaxSessionID]) or subject
// (max [MaxSessionSubject]): 1 to max bytes of valid UTF-8 without NUL. Stores call it to
// answer "not found" for anything else without asking their database.
func SessionKeyValid(s string, max int) bool {
	return s != "" && len(s) <= max && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// SessionStore keeps the server-side record of every live session, so that a session ended
// on one replica is refused on every other: give all replicas one store on a shared database
// (ozg/sqlstore's SessionStore). [MemorySessionStore] serves a single process.
//
// Contract (checked by identity/sessiontest.RunSessionStoreConformance):
//   - Create records rec. A record failing [SessionRecord.Valid] is refused with an error; an
//     ID already stored with [ErrSessionExists] (wrapped), and the stored record is unchanged.
//   - Lookup returns the record of id if it was created, not revoked, and now is before its
//     Expires; otherwise an error wrapping [ErrSessionNotFound] (also for any id that
//     [SessionKeyValid] refuses). Times come back equal to the microsecond.
//   - Revoke ends the session of id. Revoking an unknown, expired or revoked session is not
//     an error. After Revoke returns nil, no Lookup on any replica finds the session.
//   - RevokeSubject ends every session of subject and returns how many it ended (expired
//     records may be counted or not); sessions of other subjects stay.
//   - DeleteExpired removes records whose Expires is not after now and returns how many; a
//     store may also drop them on its own at any time after their expiry.
//   - Every method honours ctx's cancellation where it waits, and is safe for concurrent
//     use. An error other than the two sentinels means the store could not answer (the
//     database is down, ctx ended); the caller must then refuse the session, not accept it.
type SessionStore interface {
	Create(ctx context.Context, rec SessionRecord) error
	Lookup(ctx context.Context, id string, now time.Time) (SessionRecord, error)
	Revoke(ctx context.Context, id string) error
	RevokeSubject(ctx context.Context, subject string) (int, error)
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
}

// MemorySessionStore is a [SessionStore] in the process's memory: right for one process (a
// single server, tests, the examples), wrong for several replicas, which each would know
// only the sessions they started. Sessions do not survive a restart. Expired records are
// dropped as new ones are created, so it holds at most the sessions live within one maximum
// age.
type MemorySessionStore struct {
	mu        sync.Mutex
	byID      map[string]SessionRecord
	bySubject map[string]map[string]struct{}
	creates   int
}

// NewMemorySessionStore returns an empty store.
func NewMemorySessionStore() *MemorySessionStore {
	return &MemorySessionStore{byID: map[string]SessionRecord{}, bySubject: map[string]map[string]struct{}{}}
}

var _ SessionStore = (*MemorySessionStore)(nil)

// sweepEvery is how many creates pass between sweeps of expired records.
const sweepEvery = 256

// Create implements [SessionStore].
func (m *MemorySessionStore) Create(ctx context.Context, rec SessionRecord) error {
	if err := rec.Valid(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rec.Created, rec.Expires = rec.Created.Truncate(time.Microsecond), rec.Expires.Truncate(time.Microsecond)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.byID[rec.ID]; dup {
		return fmt.Errorf("identity: create session: %w", ErrSessionExists)
	}
	m.creates++
	if m.creates%sweepEvery == 0 {
		m.deleteExpired(rec.Created)
	}
	m.byID[rec.ID] = rec
	ids := m.bySubject[rec.Subject]
	if ids == nil {
		ids = map[string]struct{}{}
		m.bySubject[rec.Subject] = ids
	}
	ids[rec.ID] = struct{}{}
	return nil
}

// Lookup implements [SessionStore].
func (m *MemorySessionStore) Lookup(ctx context.Context, id string, now time.Time) (SessionRecord, error) {
	if err := ctx.Err(); err != nil {
		return SessionRecord{}, err
	}
	m.mu.Lock()
	rec, ok := m.byID[id]
	m.mu.Unlock()
	if !ok || !now.Before(rec.Expires) {
		return SessionRecord{}, ErrSessionNotFound
	}
	return rec, nil
}

// Revoke implements [SessionStore].
func (m *MemorySessionStore) Revoke(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remove(id)
	return nil
}

// RevokeSubject implements [SessionStore].
func (m *MemorySessionStore) RevokeSubject(ctx context.Context, subject string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id := range m.bySubject[subject] {
		m.remove(id)
		n++
	}
	return n, nil
}

// DeleteExpired implements [SessionStore].
func (m *MemorySessionStore) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.deleteExpired(now), nil
}

func (m *MemorySessionStore) deleteExpired(now time.Time) int {
	n := 0
	for id, rec := range m.byID {
		if !now.Before(rec.Expires) {
			m.remove(id)
			n++
		}
	}
	return n
}

// remove drops id from both maps; m.mu is held.
func (m *MemorySessionStore) remove(id string) {
	rec, ok := m.byID[id]
	if !ok {
		return
	}
	delete(m.byID, id)
	if ids := m.bySubject[rec.Subject]; ids != nil {
		delete(ids, id)
		if len(ids) == 0 {
			delete(m.bySubject, rec.Subject)
		}
	}
}
