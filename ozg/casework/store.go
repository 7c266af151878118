package casework

import (
	"context"

	"github.com/ozgkit/ozgkit/ozg"
)

// Store keeps the inbox: cases and their audit trail. casework ships [MemoryStore];
// ozg/sqlstore implements it on SQLite and PostgreSQL.
//
// Contract, checked by caseworktest.RunStoreConformance:
//   - Receive stores c together with its first event (the receipt) in one step and returns
//     the stored case and true. A case whose id is stored, or whose submission's owner and
//     idempotency key are stored, is not stored again: Receive returns the stored case and
//     false, so a repeated delivery is seen once, by every replica.
//   - Case returns a case by id, or an error wrapping ErrNotFound. ByApplication returns the
//     case of an application id the same way.
//   - List returns the cases of q.Services (none when empty) matching q's filters, newest
//     first (ReceivedAt descending, then ID descending), at most q.Limit of them (q is
//     normalized), and a cursor for the next page ("" after the last). A malformed cursor gives
//     ErrBadCursor.
//   - Append adds e to its case's events with the next Seq (from 1) and At as given; if to is
//     not "", it also sets the case's state to to, but only when the state is from: otherwise
//     it stores nothing and returns an error wrapping ErrStateChanged. Event and state change
//     are one atomic step. A missing case gives ErrNotFound.
//   - Events returns a case's events in Seq order, at most MaxEvents (the first ones).
//   - HasMessageEvent reports whether a case has an event naming mailbox message id, so
//     handing over a citizen's reply twice records it once.
//   - Nothing is ever deleted or changed but a case's state. Returned values are copies.
//     Times keep at least microseconds. Methods honour ctx. Implementations are safe for
//     concurrent use, also from several processes on one database.
type Store interface {
	Receive(ctx context.Context, c *Case, first Event) (*Case, bool, error)
	Case(ctx context.Context, id string) (*Case, error)
	ByApplication(ctx context.Context, applicationID string) (*Case, error)
	List(ctx context.Context, q Query) ([]*Case, string, error)
	Append(ctx context.Context, e Event, from, to ozg.State) (Event, error)
	Events(ctx context.Context, caseID string) ([]Event, error)
	HasMessageEvent(ctx context.Context, caseID, messageID string) (bool, error)
}
