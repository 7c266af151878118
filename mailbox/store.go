package mailbox

import (
	"context"
	"time"
)

// Filter narrows a listing to one application and/or one kind. The zero Filter matches all.
type Filter struct {
	// Application, if set, keeps only messages with this application reference.
	Application string
	// Kind, if set, keeps only messages of this kind.
	Kind Kind
}

// Match reports whether m passes the filter.
func (f Filter) Match(m *Message) bool {
	return (f.Application == "" || m.Application == f.Application) && (f.Kind == "" || m.Kind == f.Kind)
}

// Position is a place in an owner's messages in listing order: newest first, that is by Created
// descending and, for equal times, by ID descending.
type Position struct {
	Created time.Time
	ID      string
}

// Before reports whether m comes after p in listing order (m is older than p).
func (p Position) Before(m *Message) bool {
	if !m.Created.Equal(p.Created) {
		return m.Created.Before(p.Created)
	}
	return m.ID < p.ID
}

// Query selects a page of an owner's messages.
type Query struct {
	Filter
	// After, if not nil, skips every message up to and including this position, so a listing
	// continues after the last message of the previous page.
	After *Position
	// Limit is the most messages to return: 1 to MaxStoreLimit.
	Limit int
}

// MaxStoreLimit is the largest Query.Limit a Store must accept.
const MaxStoreLimit = 1000

// Store keeps messages. mailbox ships [MemoryStore]; ozg/sqlstore implements it on database/sql.
//
// Contract, checked by mailboxtest.RunStoreConformance:
//   - Every lookup is by owner: Get, MarkRead and AddReply of a message that exists but
//     belongs to another owner return an error wrapping ErrNotFound, exactly as for a missing id.
//   - Create stores a new message. It calls [Message.Validate] and refuses an invalid
//     message with that error (wrapping ErrInvalid); an id already stored (for any owner)
//     returns an error wrapping ErrExists. Nothing is stored on error.
//   - Times are kept to at least the microsecond; callers truncate them to the microsecond.
//     Messages read back are equal to those stored (time.Time compared with Equal).
//   - List returns the owner's messages that match q's filter, newest first (Created
//     descending, then ID descending), continuing after q.After when set, at most q.Limit of
//     them. Listed messages carry everything but the Body, which is empty; Get returns the
//     whole message. A Limit outside 1..MaxStoreLimit returns an error wrapping ErrInvalid.
//   - CountUnread counts the owner's unread messages (zero ReadAt) that match f.
//   - MarkRead sets ReadAt to at if the message is unread and returns the message as stored
//     afterwards; a message already read keeps its first ReadAt.
//   - AddReply stores reply (Kind KindReply, validated like Create) and sets the ReplyID of
//     the query it answers (reply.InReplyTo, same owner) in one atomic step. The query missing
//     or another owner's: ErrNotFound; not a query open for replies (Kind KindQuery with
//     ReplyAllowed): ErrReplyNotAllowed; already answered: ErrAlreadyReplied. Of two
//     concurrent replies to one query exactly one succeeds. Nothing is changed on error.
//   - DueNotifications returns messages whose notification is pending (zero Done) and due
//     (Next not after now), earliest Next first, at most limit; SetNotification replaces a
//     message's NotificationState (ErrNotFound for a missing id).
//   - Returned messages are copies: changing them changes nothing stored.
//   - Methods return ctx.Err() (possibly wrapped) when ctx is canceled before they finish.
//   - Implementations are safe for concurrent use.
type Store interface {
	Create(ctx context.Context, m Message) error
	Get(ctx context.Context, owner, id string) (Message, error)
	List(ctx context.Context, owner string, q Query) ([]Message, error)
	CountUnread(ctx context.Context, owner string, f Filter) (int, error)
	MarkRead(ctx context.Context, owner, id string, at time.Time) (Message, error)
	AddReply(ctx context.Context, reply Message) error
	DueNotifications(ctx context.Context, now time.Time, limit int) ([]Message, error)
	SetNotification(ctx context.Context, id string, n NotificationState) error
}
