package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
)

var _ mailbox.Expirer = (*MailboxStore)(nil)

// OlderThan implements mailbox.Expirer. The index (service, created_at, id) of migration 0017
// serves the walk in creation order.
func (s *MailboxStore) OlderThan(ctx context.Context, service string, before time.Time, after *mailbox.Position, limit int) ([]mailbox.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: old messages: %w", err)
	}
	if limit < 1 || limit > mailbox.MaxStoreLimit {
		return nil, &mailbox.ValidationError{Errors: []mailbox.FieldError{{
			Field: "limit", Code: "invalid",
			Message:   fmt.Sprintf("Die Anzahl muss zwischen 1 und %d liegen.", mailbox.MaxStoreLimit),
			MessageEN: fmt.Sprintf("limit %d outside 1..%d", limit, mailbox.MaxStoreLimit),
		}}}
	}
	where := `WHERE service = ? AND created_at < ?`
	args := []any{service, micros(before)}
	if after != nil {
		where += ` AND (created_at, id) > (?, ?)`
		args = append(args, micros(after.Created), after.ID)
	}
	args = append(args, limit)
	rows, err := s.d.db.QueryContext(ctx, s.d.q(messageListSelect+where+` ORDER BY created_at, id LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: old messages: %w", err)
	}
	defer rows.Close()
	out := make([]mailbox.Message, 0, min(limit, 64))
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: old messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: old messages: %w", err)
	}
	return out, nil
}

// DeleteMessages implements mailbox.Expirer with one statement.
func (s *MailboxStore) DeleteMessages(ctx context.Context, ids []string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sqlstore: delete messages: %w", err)
	}
	if len(ids) > mailbox.MaxStoreLimit {
		return 0, &mailbox.ValidationError{Errors: []mailbox.FieldError{{
			Field: "ids", Code: "invalid",
			Message:   fmt.Sprintf("Höchstens %d Nachrichten auf einmal.", mailbox.MaxStoreLimit),
			MessageEN: fmt.Sprintf("%d ids, at most %d", len(ids), mailbox.MaxStoreLimit),
		}}}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	n, err := affected(s.d.db.ExecContext(ctx,
		s.d.q(`DELETE FROM mailbox_messages WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`), args...))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete messages: %w", err)
	}
	return int(n), nil
}
