package mailbox

import (
	"context"
	"fmt"
	"strings"
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

// CheckReply checks the text of a citizen's answer as [Mailbox.Reply] does — not blank,
// at most MaxBodySize bytes, no control characters but line breaks and tabs — and returns
// a *[ValidationError] for the field "body", or nil. A form that stores other things with the
// answer (files) checks the text first, so a text Reply would refuse stores nothing.
func CheckReply(body string) error {
	v := &ValidationError{}
	if strings.TrimSpace(body) == "" {
		v.add("body", "required", "Bitte schreiben Sie eine Antwort.", "body is required")
	}
	checkBody(v, "body", body)
	return v.orNil()
}
