package ozg

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrBadCursor: a pagination cursor was not made by the store, or was altered.
var ErrBadCursor = errors.New("ozg: invalid page cursor")

// ErrBadPage: a page limit is out of range.
var ErrBadPage = errors.New("ozg: invalid page limit")

// MaxPageSize is the most applications one ListByOwner call returns.
const MaxPageSize = 100

// Page asks for one page of a listing.
type Page struct {
	// Limit is the most entries to return: 1 to MaxPageSize; 0 means 20.
	Limit int
	// Cursor continues a listing where the previous page ended; "" starts it.
	Cursor string
}

// Normalize returns the page with its default limit, or an error naming a bad limit.
func (p Page) Normalize() (Page, error) {
	switch {
	case p.Limit == 0:
		p.Limit = 20
	case p.Limit < 0 || p.Limit > MaxPageSize:
		return p, fmt.Errorf("%w: %d is not between 1 and %d", ErrBadPage, p.Limit, MaxPageSize)
	}
	return p, nil
}

// ApplicationStore keeps applications. The package's users work with [Applications]; stores
// are for implementers (memory here; SQLite and PostgreSQL in ozg/sqlstore).
//
// Contract, checked by ozgtest.RunStoreConformance:
//   - Every method takes a context and returns its error when it is done.
//   - Applications are copied in and out: a caller that changes an application it passed or
//     got back never changes the stored one.
//   - Create stores a new application with Version 0 and sets Version to 1 in the store and on
//     a. An id that exists gives ErrExists.
//   - Get returns the application or an error wrapping ErrNotFound.
//   - Update stores a if a.Version equals the stored version, then sets Version to
//     a.Version+1 in the store and on a. A stale version gives an error wrapping ErrConflict and
//     changes nothing; a missing id gives ErrNotFound. ID, Owner, ServiceID and CreatedAt never
//     change: an update that changes them is refused with ErrInvalidApplication.
//   - ListByOwner returns only owner's applications, newest first (CreatedAt descending, then ID
//     descending), at most page.Limit of them, and a cursor for the next page ("" after the
//     last). A malformed cursor gives ErrBadCursor.
//   - Delete removes the application or returns ErrNotFound.
//   - NextSequence returns the next number of the named sequence, starting at 1: never the
//     same number twice for one name, even under concurrent calls from several processes.
//   - Implementations are safe for concurrent use.
type ApplicationStore interface {
	Create(ctx context.Context, a *Application) error
	Get(ctx context.Context, id string) (*Application, error)
	Update(ctx context.Context, a *Application) error
	ListByOwner(ctx context.Context, owner string, page Page) (apps []*Application, next string, err error)
	Delete(ctx context.Context, id string) error
	NextSequence(ctx context.Context, name string) (int64, error)
}

// EncodeCursor makes a page cursor from the last entry of a page: its creation time and id.
// Stores use it so that every store's cursors look alike.
func EncodeCursor(createdAt time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(createdAt.UnixNano(), 10) + "|" + id))
}

// DecodeCursor reverses EncodeCursor, or returns ErrBadCursor. Only the exact spelling
// EncodeCursor writes is accepted (no sign, leading zero or stray padding bit), and the id
// must be 1 to 128 bytes of UTF-8 without control characters, so that nothing a store could
// choke on (NUL, invalid UTF-8) reaches its query.
func DecodeCursor(cursor string) (time.Time, string, error) {
	if len(cursor) > 200 {
		return time.Time{}, "", fmt.Errorf("%w: too long", ErrBadCursor)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != cursor { // the decoder skips CR and LF
		return time.Time{}, "", fmt.Errorf("%w: not base64url", ErrBadCursor)
	}
	ns, id, ok := strings.Cut(string(b), "|")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || strconv.FormatInt(n, 10) != ns {
		return time.Time{}, "", fmt.Errorf("%w: malformed", ErrBadCursor)
	}
	if id == "" || len(id) > 128 || !utf8.ValidString(id) || strings.ContainsFunc(id, unicode.IsControl) {
		return time.Time{}, "", fmt.Errorf("%w: malformed id", ErrBadCursor)
	}
	return time.Unix(0, n).UTC(), id, nil
}

// immutableChanged names the first identity field that differs between the stored and the
// updated application, or "".
func immutableChanged(stored, updated *Application) string {
	switch {
	case stored.Owner != updated.Owner:
		return "owner"
	case stored.ServiceID != updated.ServiceID:
		return "serviceId"
	case !stored.CreatedAt.Equal(updated.CreatedAt):
		return "createdAt"
	}
	return ""
}

// CheckImmutable returns an error wrapping ErrInvalidApplication when an update changes an
// application's owner, service or creation time. Stores call it in Update.
func CheckImmutable(stored, updated *Application) error {
	if f := immutableChanged(stored, updated); f != "" {
		return fmt.Errorf("%w: %s of application %s cannot change", ErrInvalidApplication, f, stored.ID)
	}
	return nil
}
