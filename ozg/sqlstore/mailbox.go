package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
)

// MailboxStore is a mailbox.Store on a DB: the citizens' mailboxes (Postfächer). An index on
// (owner, created_at DESC, id DESC) serves the newest-first listing of one owner and its
// continuation after a position, one with the application in between the listing of one
// application's messages; partial indexes serve the unread count and the due notifications.
type MailboxStore struct{ d *DB }

var _ mailbox.Store = (*MailboxStore)(nil)

// Mailbox returns the mailbox message store of the database.
func (d *DB) Mailbox() *MailboxStore { return &MailboxStore{d: d} }

// messageColumns in scanMessage's order; body is the sixth.
var messageColumns = []string{"id", "owner", "kind", "status", "subject", "body", "sender_name", "sender_reference",
	"application", "service", "min_level", "attachments", "created_at", "read_at", "reply_allowed", "due_at",
	"in_reply_to", "reply_id", "notify_attempts", "notify_next", "notify_done", "notify_gave_up"}

var (
	messageSelect = `SELECT ` + strings.Join(messageColumns, ", ") + ` FROM mailbox_messages `
	// listed messages carry everything but the body
	messageListSelect = `SELECT ` + strings.Replace(strings.Join(messageColumns, ", "), "body", "'' AS body", 1) + ` FROM mailbox_messages `
	messageInsert     = `INSERT INTO mailbox_messages (` + strings.Join(messageColumns, ", ") + `) VALUES (?` +
		strings.Repeat(", ?", len(messageColumns)-1) + `)`
)

// storedAttachment is an attachment as stored: with its blob key, which mailbox.Attachment
// leaves out of its JSON.
type storedAttachment struct {
	Name      string `json:"name"`
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
	SHA512    string `json:"sha512"`
	BlobKey   string `json:"blobKey"`
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// messageValues flattens m into its column values, in messageColumns order.
func messageValues(m *mailbox.Message) ([]any, error) {
	atts := make([]storedAttachment, len(m.Attachments))
	for i, a := range m.Attachments {
		atts[i] = storedAttachment(a)
	}
	b, err := json.Marshal(atts)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode attachments of message %s: %w", m.ID, err)
	}
	n := m.Notification
	return []any{m.ID, m.Owner, string(m.Kind), string(m.Status), m.Subject, m.Body, m.Sender.Name, m.Sender.Reference,
		m.Application, m.Service, int(m.MinLevel), string(b), micros(m.Created), nullMicros(m.ReadAt), boolInt(m.ReplyAllowed), nullMicros(m.Due),
		m.InReplyTo, m.ReplyID, n.Attempts, micros(n.Next), nullMicros(n.Done), boolInt(n.GaveUp)}, nil
}

func scanMessage(s scanner) (mailbox.Message, error) {
	var (
		m                    mailbox.Message
		kind, status, atts   string
		level                int
		created, next        int64
		readAt, due, done    sql.NullInt64
		replyAllowed, gaveUp int
	)
	if err := s.Scan(&m.ID, &m.Owner, &kind, &status, &m.Subject, &m.Body, &m.Sender.Name, &m.Sender.Reference,
		&m.Application, &m.Service, &level, &atts, &created, &readAt, &replyAllowed, &due,
		&m.InReplyTo, &m.ReplyID, &m.Notification.Attempts, &next, &done, &gaveUp); err != nil {
		return m, err
	}
	m.Kind, m.Status, m.MinLevel = mailbox.Kind(kind), mailbox.Status(status), mailbox.Level(level)
	m.Created, m.ReadAt, m.Due = fromMicros(created), fromNullMicros(readAt), fromNullMicros(due)
	m.ReplyAllowed, m.Notification.GaveUp = replyAllowed != 0, gaveUp != 0
	m.Notification.Next, m.Notification.Done = fromMicros(next), fromNullMicros(done)
	var stored []storedAttachment
	if err := json.Unmarshal([]byte(atts), &stored); err != nil {
		return m, fmt.Errorf("decode attachments of message %s: %w", m.ID, err)
	}
	if len(stored) > 0 {
		m.Attachments = make([]mailbox.Attachment, len(stored))
		for i, a := range stored {
			m.Attachments[i] = mailbox.Attachment(a)
		}
	}
	return m, nil
}

// insert validates and stores m through ex.
func (s *MailboxStore) insert(ctx context.Context, ex execer, m *mailbox.Message) error {
	vals, err := messageValues(m)
	if err != nil {
		return err
	}
	_, err = ex.ExecContext(ctx, s.d.q(messageInsert), vals...)
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("sqlstore: create message %s: %w", m.ID, mailbox.ErrExists)
	case err != nil:
		return fmt.Errorf("sqlstore: create message %s: %w", m.ID, err)
	}
	return nil
}

// Create implements mailbox.Store.
func (s *MailboxStore) Create(ctx context.Context, m mailbox.Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlstore: create message: %w", err)
	}
	if err := m.Validate(); err != nil {
		return err
	}
	return s.insert(ctx, s.d.db, &m)
}

// get reads the owner's message id through ex.
func (s *MailboxStore) get(ctx context.Context, ex execer, owner, id string) (mailbox.Message, error) {
	m, err := scanMessage(ex.QueryRowContext(ctx, s.d.q(messageSelect+`WHERE id = ? AND owner = ?`), id, owner))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return mailbox.Message{}, fmt.Errorf("sqlstore: get message %s: %w", quoteID(id), mailbox.ErrNotFound)
	case err != nil:
		return mailbox.Message{}, fmt.Errorf("sqlstore: get message %s: %w", quoteID(id), err)
	}
	return m, nil
}

// Get implements mailbox.Store.
func (s *MailboxStore) Get(ctx context.Context, owner, id string) (mailbox.Message, error) {
	return s.get(ctx, s.d.db, owner, id)
}

// filterWhere appends f's conditions to a WHERE clause on owner.
func filterWhere(where string, args []any, f mailbox.Filter) (string, []any) {
	if f.Application != "" {
		where += ` AND application = ?`
		args = append(args, f.Application)
	}
	if f.Kind != "" {
		where += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	return where, args
}

// List implements mailbox.Store.
func (s *MailboxStore) List(ctx context.Context, owner string, q mailbox.Query) ([]mailbox.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list messages: %w", err)
	}
	if q.Limit < 1 || q.Limit > mailbox.MaxStoreLimit {
		return nil, &mailbox.ValidationError{Errors: []mailbox.FieldError{{
			Field: "limit", Code: "invalid",
			Message:   fmt.Sprintf("Die Seitengröße muss zwischen 1 und %d liegen.", mailbox.MaxStoreLimit),
			MessageEN: fmt.Sprintf("limit %d outside 1..%d", q.Limit, mailbox.MaxStoreLimit),
		}}}
	}
	where, args := filterWhere(`WHERE owner = ?`, []any{owner}, q.Filter)
	if q.After != nil {
		// A row value, so that SQLite and PostgreSQL both start the walk down the
		// (owner, created_at DESC, id DESC) index at the position.
		where += ` AND (created_at, id) < (?, ?)`
		args = append(args, micros(q.After.Created), q.After.ID)
	}
	args = append(args, q.Limit)
	rows, err := s.d.db.QueryContext(ctx, s.d.q(messageListSelect+where+` ORDER BY created_at DESC, id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list messages: %w", err)
	}
	defer rows.Close()
	out := make([]mailbox.Message, 0, min(q.Limit, 64))
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list messages: %w", err)
	}
	return out, nil
}

// CountUnread implements mailbox.Store.
func (s *MailboxStore) CountUnread(ctx context.Context, owner string, f mailbox.Filter) (int, error) {
	where, args := filterWhere(`WHERE owner = ? AND read_at IS NULL`, []any{owner}, f)
	var n int
	if err := s.d.db.QueryRowContext(ctx, s.d.q(`SELECT COUNT(*) FROM mailbox_messages `+where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count unread messages: %w", err)
	}
	return n, nil
}

// MarkRead implements mailbox.Store. A message already read keeps its first ReadAt: the
// update only touches an unread row.
func (s *MailboxStore) MarkRead(ctx context.Context, owner, id string, at time.Time) (mailbox.Message, error) {
	if _, err := s.d.db.ExecContext(ctx, s.d.q(`UPDATE mailbox_messages SET read_at = ? WHERE id = ? AND owner = ? AND read_at IS NULL`),
		nullMicros(at), id, owner); err != nil {
		return mailbox.Message{}, fmt.Errorf("sqlstore: mark message %s read: %w", quoteID(id), err)
	}
	return s.get(ctx, s.d.db, owner, id)
}

// AddReply implements mailbox.Store. The query is claimed (its reply_id set) and the reply
// inserted in one transaction; the claim's condition on an empty reply_id lets exactly one of
// concurrent replies win, on PostgreSQL through the row lock the update takes.
func (s *MailboxStore) AddReply(ctx context.Context, reply mailbox.Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlstore: add reply: %w", err)
	}
	if reply.Kind != mailbox.KindReply {
		return &mailbox.ValidationError{Errors: []mailbox.FieldError{{
			Field: "kind", Code: "invalid",
			Message: "Eine Antwort muss die Art reply haben.", MessageEN: "a reply must have kind reply",
		}}}
	}
	if err := reply.Validate(); err != nil {
		return err
	}
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: add reply %s: %w", reply.ID, err)
	}
	defer tx.Rollback()
	n, err := affected(tx.ExecContext(ctx, s.d.q(`UPDATE mailbox_messages SET reply_id = ?
		WHERE id = ? AND owner = ? AND kind = ? AND reply_allowed = 1 AND reply_id = ''`),
		reply.ID, reply.InReplyTo, reply.Owner, string(mailbox.KindQuery)))
	if err != nil {
		return fmt.Errorf("sqlstore: add reply %s: %w", reply.ID, err)
	}
	if n == 0 {
		// Say why: missing, no open query, or answered.
		q, err := s.get(ctx, tx, reply.Owner, reply.InReplyTo)
		switch {
		case err != nil:
			return err
		case q.Kind != mailbox.KindQuery || !q.ReplyAllowed:
			return fmt.Errorf("sqlstore: add reply %s: %s is no query open for replies: %w", reply.ID, q.ID, mailbox.ErrReplyNotAllowed)
		default:
			return fmt.Errorf("sqlstore: add reply %s: %s: %w", reply.ID, q.ID, mailbox.ErrAlreadyReplied)
		}
	}
	if err := s.insert(ctx, tx, &reply); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: add reply %s: %w", reply.ID, err)
	}
	return nil
}

// DueNotifications implements mailbox.Store. A pending notification without a Next time is
// due at once.
func (s *MailboxStore) DueNotifications(ctx context.Context, now time.Time, limit int) ([]mailbox.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: due notifications: %w", err)
	}
	if limit < 1 {
		return []mailbox.Message{}, nil
	}
	rows, err := s.d.db.QueryContext(ctx, s.d.q(messageSelect+`WHERE notify_done IS NULL AND notify_next <= ?
		ORDER BY notify_next, id LIMIT ?`), micros(now), min(limit, mailbox.MaxStoreLimit))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: due notifications: %w", err)
	}
	defer rows.Close()
	out := []mailbox.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: due notifications: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: due notifications: %w", err)
	}
	return out, nil
}

// SetNotification implements mailbox.Store.
func (s *MailboxStore) SetNotification(ctx context.Context, id string, n mailbox.NotificationState) error {
	c, err := affected(s.d.db.ExecContext(ctx, s.d.q(`UPDATE mailbox_messages
		SET notify_attempts = ?, notify_next = ?, notify_done = ?, notify_gave_up = ? WHERE id = ?`),
		n.Attempts, micros(n.Next), nullMicros(n.Done), boolInt(n.GaveUp), id))
	switch {
	case err != nil:
		return fmt.Errorf("sqlstore: set notification of message %s: %w", quoteID(id), err)
	case c == 0:
		return fmt.Errorf("sqlstore: set notification of message %s: %w", quoteID(id), mailbox.ErrNotFound)
	}
	return nil
}
