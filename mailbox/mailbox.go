package mailbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults of [Options].
const (
	DefaultMaxAttachmentSize = 20 << 20 // bytes per attachment
	DefaultPageSize          = 20
	DefaultMaxPageSize       = 100
)

// Options configure a [Mailbox]. The zero value (or nil) gives sensible defaults.
type Options struct {
	// Notifier is told of every new message of the authority after it is stored. Nil: no
	// notifications.
	Notifier Notifier
	// OnReply receives every citizen reply after it is stored. Nil: replies are refused with
	// ErrReplyNotAllowed.
	OnReply ReplyHook
	// Retry says how failed notifications and reply hand-overs are retried.
	Retry RetryPolicy
	// QueueNotifications makes Send store an authority's message with its notification due at
	// once and return without notifying: Run (or RetryNotifications) sends it. For senders that
	// must not wait on e-mail, such as a portal's outbox sending receipts. Replies are still
	// handed to OnReply at once.
	QueueNotifications bool
	// CursorKey signs pagination cursors (HMAC-SHA256); at least 32 bytes. Nil: a random key
	// per Mailbox, so cursors do not survive a restart and are not shared between replicas;
	// set the same key on every replica.
	CursorKey []byte
	// MaxAttachmentSize bounds each attachment in bytes; default DefaultMaxAttachmentSize.
	MaxAttachmentSize int64
	// MaxPageSize bounds ListOptions.Limit; default DefaultMaxPageSize (at most MaxStoreLimit-1).
	MaxPageSize int
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// Logger logs failures, never personal data; default slog.Default().
	Logger *slog.Logger
}

// Mailbox is the citizen's Postfach: authorities send messages with [Mailbox.Send], citizens
// list, read and answer them. Every citizen operation is checked against the citizen's subject
// and trust level. It is safe for concurrent use.
type Mailbox struct {
	store   Store
	blobs   BlobStore
	notify  Notifier
	onReply ReplyHook
	retry   RetryPolicy
	queue   bool
	key     []byte
	maxAtt  int64
	maxPage int
	now     func() time.Time
	log     *slog.Logger
}

// New returns a Mailbox keeping messages in store and attachment bytes in blobs. blobs may be
// nil when no message has attachments; Send then refuses attachments.
func New(store Store, blobs BlobStore, opts *Options) (*Mailbox, error) {
	if store == nil {
		return nil, errors.New("mailbox: nil store")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	m := &Mailbox{
		store: store, blobs: blobs, notify: o.Notifier, onReply: o.OnReply,
		retry: o.Retry.withDefaults(), queue: o.QueueNotifications, maxAtt: o.MaxAttachmentSize, maxPage: o.MaxPageSize,
		now: o.Now, log: o.Logger,
	}
	switch {
	case o.CursorKey == nil:
		m.key = make([]byte, 32)
		if _, err := rand.Read(m.key); err != nil {
			return nil, fmt.Errorf("mailbox: cursor key: %w", err)
		}
	case len(o.CursorKey) < 32:
		return nil, fmt.Errorf("mailbox: cursor key has %d bytes, want at least 32", len(o.CursorKey))
	default:
		m.key = append([]byte(nil), o.CursorKey...)
	}
	if m.maxAtt <= 0 {
		m.maxAtt = DefaultMaxAttachmentSize
	}
	if m.maxPage <= 0 {
		m.maxPage = DefaultMaxPageSize
	}
	m.maxPage = min(m.maxPage, MaxStoreLimit-1)
	if m.now == nil {
		m.now = time.Now
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	return m, nil
}

func (m *Mailbox) clock() time.Time { return m.now().UTC().Truncate(time.Microsecond) }

// Citizen is who asks: the subject of their login and its trust level. The portal derives it
// from the session (identity.Principal: Subject and mailbox.Level(Level)).
type Citizen struct {
	Subject string
	Level   Level
}

// Draft is a message the authority sends; the Mailbox fills in id, creation time and the
// attachments' sizes and hashes.
type Draft struct {
	// Key, when set, makes Send idempotent: a second Send of the same owner and key returns
	// the message the first one stored and stores nothing (e.g. "receipt:<submission id>",
	// for senders that may repeat after a crash). At most 200 bytes.
	Key          string
	Owner        string
	Kind         Kind
	Status       Status
	Subject      string
	Body         string
	Sender       Sender
	Application  string
	Service      string
	MinLevel     Level
	ReplyAllowed bool
	Due          time.Time
	Attachments  []NewAttachment
}

// NewAttachment is a file to attach. Content is streamed to the blob store, never buffered
// whole; Send reads it to its end but does not close it.
type NewAttachment struct {
	Name      string
	MediaType string
	Content   io.Reader
}

// newID returns a random message id of 26 characters [A-Z2-7].
func newID() string { return rand.Text() }

// MaxKeyLength bounds Draft.Key.
const MaxKeyLength = 200

// keyedID derives the message id of an idempotent Send from owner and key: 26 characters
// [A-Z2-7] like newID, so ids look alike.
func keyedID(owner, key string) string {
	sum := sha256.Sum256([]byte("ozgkit mailbox key\x00" + owner + "\x00" + key))
	return base32.StdEncoding.EncodeToString(sum[:])[:26]
}

// Send validates d, streams its attachments to the blob store, stores the message and then
// notifies the citizen. The first notification attempt is made before Send returns (bounded by
// RetryPolicy.Timeout, and not cut short when ctx is canceled after the message is stored). A
// failing notification does not fail Send: the message is stored and the notification retried
// (see [Mailbox.RetryNotifications]). Invalid input returns a
// *[ValidationError] naming every wrong field, and nothing is stored.
func (m *Mailbox) Send(ctx context.Context, d Draft) (Message, error) {
	now := m.clock()
	id := newID()
	if d.Key != "" {
		if len(d.Key) > MaxKeyLength {
			return Message{}, &ValidationError{Errors: []FieldError{{Field: "key", Code: "maxLength",
				Message: "Der Schlüssel ist zu lang.", MessageEN: fmt.Sprintf("key longer than %d bytes", MaxKeyLength)}}}
		}
		id = keyedID(d.Owner, d.Key)
		if prev, err := m.store.Get(ctx, d.Owner, id); err == nil {
			return prev, nil
		} else if !errors.Is(err, ErrNotFound) {
			return Message{}, fmt.Errorf("mailbox: send: %w", err)
		}
	}
	msg := Message{
		ID: id, Owner: d.Owner, Kind: d.Kind, Status: d.Status, Subject: d.Subject, Body: d.Body,
		Sender: d.Sender, Application: d.Application, Service: d.Service, MinLevel: d.MinLevel,
		ReplyAllowed: d.ReplyAllowed, Due: d.Due.UTC().Truncate(time.Microsecond), Created: now,
	}
	if d.Due.IsZero() {
		msg.Due = time.Time{}
	}
	placeholder := strings.Repeat("0", 128)
	for i, a := range d.Attachments {
		if i >= MaxAttachments {
			break // Validate reports the count
		}
		msg.Attachments = append(msg.Attachments, Attachment{
			Name: a.Name, MediaType: a.MediaType, SHA512: placeholder, BlobKey: blobKey(msg.ID, i),
		})
	}
	v := &ValidationError{}
	if err := msg.Validate(); err != nil && !errors.As(err, &v) {
		return Message{}, err
	}
	if len(d.Attachments) > MaxAttachments {
		v.Errors = append(v.Errors, FieldError{Field: "attachments", Code: "maxItems",
			Message:   fmt.Sprintf("Höchstens %d Anhänge sind erlaubt.", MaxAttachments),
			MessageEN: fmt.Sprintf("%d attachments, at most %d allowed", len(d.Attachments), MaxAttachments)})
	}
	if d.Kind == KindReply {
		v.add("kind", "notAllowed", "Antworten schreibt nur die Bürgerin oder der Bürger.", "replies are written by the citizen with Reply")
	}
	if !msg.Due.IsZero() && !msg.Due.After(now) {
		v.add("due", "invalid", "Das Fälligkeitsdatum liegt in der Vergangenheit.", "due date is not in the future")
	}
	for i, a := range d.Attachments {
		if a.Content == nil {
			v.add(fmt.Sprintf("attachments/%d/content", i), "required", "Der Anhang hat keinen Inhalt.", "attachment content is nil")
		}
	}
	if len(d.Attachments) > 0 && m.blobs == nil {
		v.add("attachments", "notAllowed", "Dieses Postfach nimmt keine Anhänge an.", "no blob store is configured for attachments")
	}
	if err := v.orNil(); err != nil {
		return Message{}, err
	}

	if err := m.storeAttachments(ctx, &msg, d.Attachments); err != nil {
		return Message{}, err
	}
	msg.Notification = m.initialNotification(msg.Kind, now)
	if err := m.store.Create(ctx, msg); err != nil {
		if d.Key != "" && errors.Is(err, ErrExists) { // a concurrent Send with the key won
			if prev, gerr := m.store.Get(ctx, d.Owner, msg.ID); gerr == nil {
				return prev, nil // its attachments were written under the same keys
			}
		}
		m.deleteBlobs(msg.ID, len(msg.Attachments))
		return Message{}, fmt.Errorf("mailbox: send: %w", err)
	}
	if msg.Notification.Pending() && !m.queue {
		msg.Notification = m.dispatch(ctx, msg)
	}
	return msg, nil
}

func blobKey(id string, n int) string { return fmt.Sprintf("mailbox/%s/%d", id, n) }

// errTooLarge is returned by limitReader when the content exceeds its limit.
var errTooLarge = errors.New("mailbox: attachment too large")

// hashingReader counts and hashes what passes through and fails past max bytes.
type hashingReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	max int64
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.n += int64(n)
	if h.n > h.max {
		return 0, errTooLarge
	}
	h.h.Write(p[:n])
	return n, err
}

func (m *Mailbox) storeAttachments(ctx context.Context, msg *Message, in []NewAttachment) error {
	for i, a := range in {
		hr := &hashingReader{r: a.Content, h: sha512.New(), max: m.maxAtt}
		n, err := m.blobs.Put(ctx, msg.Attachments[i].BlobKey, hr)
		if err == nil && n != hr.n {
			err = fmt.Errorf("blob store wrote %d of %d bytes", n, hr.n)
		}
		if err != nil {
			m.deleteBlobs(msg.ID, i+1)
			if errors.Is(err, errTooLarge) {
				v := &ValidationError{}
				v.add(fmt.Sprintf("attachments/%d", i), "maxSize",
					fmt.Sprintf("Der Anhang ist größer als %d Bytes.", m.maxAtt),
					fmt.Sprintf("attachment larger than %d bytes", m.maxAtt))
				return v
			}
			return fmt.Errorf("mailbox: store attachment %d: %w", i, err)
		}
		msg.Attachments[i].Size = n
		msg.Attachments[i].SHA512 = hex.EncodeToString(hr.h.Sum(nil))
	}
	return nil
}

// deleteBlobs removes the first n attachment blobs of a message that was not stored. It uses a
// fresh context: the caller's may be the one that was canceled.
func (m *Mailbox) deleteBlobs(id string, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range n {
		if err := m.blobs.Delete(ctx, blobKey(id, i)); err != nil {
			m.log.Error("mailbox: delete attachment blob of unsent message", "message", id, "attachment", i, "err", err)
		}
	}
}

// ListOptions select a page of a citizen's messages.
type ListOptions struct {
	Filter
	// Cursor continues a listing after the page that returned it as Page.Next.
	Cursor string
	// Limit is the page size: 1 to Options.MaxPageSize; 0 means DefaultPageSize.
	Limit int
}

// Entry is one message in a listing. It carries no body. A message the citizen's level may not
// read is Locked: its subject and attachments are left out, and MinLevel says the level needed.
type Entry struct {
	Message
	Locked bool
}

// Page is one page of a listing.
type Page struct {
	Entries []Entry
	// Unread counts all unread messages that match the filter, on every page.
	Unread int
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

// List returns a page of c's messages, newest first.
func (m *Mailbox) List(ctx context.Context, c Citizen, o ListOptions) (Page, error) {
	v := &ValidationError{}
	checkLine(v, "owner", c.Subject, MaxNameLength, true)
	checkLine(v, "application", o.Application, MaxReferenceLength, false)
	if o.Kind != "" && !o.Kind.Valid() {
		v.add("kind", "invalid", fmt.Sprintf("Unbekannte Nachrichtenart %q.", o.Kind), fmt.Sprintf("unknown kind %q", o.Kind))
	}
	limit := o.Limit
	if limit == 0 {
		limit = min(DefaultPageSize, m.maxPage)
	}
	if limit < 1 || limit > m.maxPage {
		v.add("limit", "invalid", fmt.Sprintf("Die Seitengröße muss zwischen 1 und %d liegen.", m.maxPage),
			fmt.Sprintf("limit %d outside 1..%d", o.Limit, m.maxPage))
	}
	if err := v.orNil(); err != nil {
		return Page{}, err
	}
	q := Query{Filter: o.Filter, Limit: limit + 1}
	if o.Cursor != "" {
		p, err := decodeCursor(m.key, c.Subject, o.Filter, o.Cursor)
		if err != nil {
			return Page{}, err
		}
		q.After = &p
	}
	msgs, err := m.store.List(ctx, c.Subject, q)
	if err != nil {
		return Page{}, fmt.Errorf("mailbox: list: %w", err)
	}
	unread, err := m.store.CountUnread(ctx, c.Subject, o.Filter)
	if err != nil {
		return Page{}, fmt.Errorf("mailbox: count unread: %w", err)
	}
	page := Page{Unread: unread, Entries: make([]Entry, 0, min(len(msgs), limit))}
	if len(msgs) > limit {
		msgs = msgs[:limit]
		last := msgs[limit-1]
		page.Next = encodeCursor(m.key, c.Subject, o.Filter, Position{Created: last.Created, ID: last.ID})
	}
	for _, msg := range msgs {
		e := Entry{Message: msg}
		e.Body = ""
		if !c.Level.Meets(msg.MinLevel) {
			e.Locked = true
			e.Subject = ""
			e.Attachments = nil
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}

// get looks up c's message id and checks c's level. Another owner's message is not found.
func (m *Mailbox) get(ctx context.Context, c Citizen, id string) (Message, error) {
	if !validID(id) || c.Subject == "" {
		return Message{}, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	msg, err := m.store.Get(ctx, c.Subject, id)
	if err != nil {
		return Message{}, fmt.Errorf("mailbox: %w", err)
	}
	if !c.Level.Meets(msg.MinLevel) {
		return Message{}, &LevelError{Required: msg.MinLevel, Have: c.Level}
	}
	return msg, nil
}

// Read returns c's message id and marks it read. Another owner's message returns ErrNotFound;
// a message above c's level returns a *[LevelError] and stays unread.
func (m *Mailbox) Read(ctx context.Context, c Citizen, id string) (Message, error) {
	msg, err := m.get(ctx, c, id)
	if err != nil {
		return Message{}, err
	}
	if !msg.Unread() {
		return msg, nil
	}
	read, err := m.store.MarkRead(ctx, c.Subject, id, m.clock())
	if err != nil {
		return Message{}, fmt.Errorf("mailbox: mark read: %w", err)
	}
	return read, nil
}

// OpenAttachment returns attachment n (counted from 0) of c's message id and a reader of its
// bytes, streamed from the blob store. The reader checks size and SHA-512 at the end and returns
// an error instead of io.EOF when the stored bytes differ; the caller closes it.
func (m *Mailbox) OpenAttachment(ctx context.Context, c Citizen, id string, n int) (Attachment, io.ReadCloser, error) {
	msg, err := m.get(ctx, c, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	if n < 0 || n >= len(msg.Attachments) || m.blobs == nil {
		return Attachment{}, nil, fmt.Errorf("%w: %s/%d", ErrNoAttachment, id, n)
	}
	a := msg.Attachments[n]
	rc, err := m.blobs.Open(ctx, a.BlobKey)
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("mailbox: open attachment %s/%d: %w", id, n, err)
	}
	return a, &verifyingReader{rc: rc, h: sha512.New(), want: a}, nil
}

// ErrCorrupt: an attachment's stored bytes do not match its recorded size or SHA-512.
var ErrCorrupt = errors.New("mailbox: attachment bytes do not match their hash")

type verifyingReader struct {
	rc   io.ReadCloser
	h    hash.Hash
	n    int64
	want Attachment
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.rc.Read(p)
	v.n += int64(n)
	v.h.Write(p[:n])
	if v.n > v.want.Size {
		return n, fmt.Errorf("%w: more than %d bytes", ErrCorrupt, v.want.Size)
	}
	if err == io.EOF && (v.n != v.want.Size || hex.EncodeToString(v.h.Sum(nil)) != v.want.SHA512) {
		return n, fmt.Errorf("%w: %d bytes read, %d recorded", ErrCorrupt, v.n, v.want.Size)
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.rc.Close() }

// Reply stores c's answer to the query id and hands it to the reply hook (Options.OnReply).
// The query must be c's, readable at c's level, open for replies and not past its due date,
// and not answered yet. The reply is readable at the query's level.
func (m *Mailbox) Reply(ctx context.Context, c Citizen, id, body string) (Message, error) {
	if m.onReply == nil {
		return Message{}, fmt.Errorf("%w: replies are not configured", ErrReplyNotAllowed)
	}
	v := &ValidationError{}
	if strings.TrimSpace(body) == "" {
		v.add("body", "required", "Bitte schreiben Sie eine Antwort.", "body is required")
	}
	checkBody(v, "body", body)
	if err := v.orNil(); err != nil {
		return Message{}, err
	}
	q, err := m.get(ctx, c, id)
	if err != nil {
		return Message{}, err
	}
	now := m.clock()
	switch {
	case q.Kind != KindQuery || !q.ReplyAllowed:
		return Message{}, fmt.Errorf("%w: %s is no query open for replies", ErrReplyNotAllowed, id)
	case q.ReplyID != "":
		return Message{}, fmt.Errorf("%w: %s", ErrAlreadyReplied, id)
	case !q.Due.IsZero() && now.After(q.Due):
		return Message{}, fmt.Errorf("%w: the answer was due on %s", ErrReplyNotAllowed, q.Due.Format(time.DateOnly))
	}
	r := Message{
		ID: newID(), Owner: c.Subject, Kind: KindReply, InReplyTo: q.ID,
		Subject: replySubject(q.Subject), Body: body,
		Application: q.Application, Service: q.Service, MinLevel: q.MinLevel,
		Created: now, ReadAt: now,
	}
	r.Notification = m.initialNotification(KindReply, now)
	if err := m.store.AddReply(ctx, r); err != nil {
		return Message{}, fmt.Errorf("mailbox: reply: %w", err)
	}
	r.Notification = m.dispatch(ctx, r)
	return r, nil
}

func replySubject(s string) string {
	s = "Antwort: " + s
	if utf8.RuneCountInString(s) <= MaxSubjectLength {
		return s
	}
	return string([]rune(s)[:MaxSubjectLength])
}
