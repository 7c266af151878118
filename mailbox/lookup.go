package mailbox

import (
	"context"
	"fmt"
	"time"
)

// Message returns owner's message id as stored, for the authority's side (e.g. to see
// whether its query is still open for an answer): without a level check, and without marking
// it read. A message of another owner, or an id that cannot be one, is ErrNotFound. Citizens
// read their messages with [Mailbox.Read].
func (m *Mailbox) Message(ctx context.Context, owner, id string) (Message, error) {
	if !validID(id) || owner == "" {
		return Message{}, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	msg, err := m.store.Get(ctx, owner, id)
	if err != nil {
		return Message{}, fmt.Errorf("mailbox: %w", err)
	}
	return msg, nil
}

// Answerable reports whether msg is a query the citizen may still answer at now: open for replies,
// not answered, and not past its due date. [Mailbox.Reply] takes an answer exactly then.
func (msg *Message) Answerable(now time.Time) bool {
	return msg.Kind == KindQuery && msg.ReplyAllowed && msg.ReplyID == "" && (msg.Due.IsZero() || !now.After(msg.Due))
}
