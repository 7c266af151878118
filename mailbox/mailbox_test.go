package mailbox_test

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
)

// fakeClock is a settable clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond) // every message gets its own time
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	mb    *mailbox.Mailbox
	store *mailbox.MemoryStore
	blobs *mailbox.MemoryBlobStore
	clock *fakeClock
}

func newFixture(t testing.TB, o *mailbox.Options) *fixture {
	t.Helper()
	f := &fixture{store: mailbox.NewMemoryStore(), blobs: mailbox.NewMemoryBlobStore(), clock: newClock()}
	if o == nil {
		o = &mailbox.Options{}
	}
	o.Now = f.clock.Now
	mb, err := mailbox.New(f.store, f.blobs, o)
	if err != nil {
		t.Fatal(err)
	}
	f.mb = mb
	return f
}

var (
	alice   = mailbox.Citizen{Subject: "alice", Level: mailbox.LevelSubstantial}
	mallory = mailbox.Citizen{Subject: "mallory", Level: mailbox.LevelHigh}
)

func draft(owner string) mailbox.Draft {
	return mailbox.Draft{
		Owner:       owner,
		Kind:        mailbox.KindNotice,
		Subject:     "Ihr Wohngeldbescheid",
		Body:        "Guten Tag,\n\nanbei Ihr Bescheid.",
		Sender:      mailbox.Sender{Name: "Stadt Musterstadt", Reference: "WG-1"},
		Application: "A-1",
		Service:     "wohngeld",
		MinLevel:    mailbox.LevelSubstantial,
	}
}

func (f *fixture) send(t testing.TB, d mailbox.Draft) mailbox.Message {
	t.Helper()
	m, err := f.mb.Send(context.Background(), d)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	return m
}

func TestSendStoresAttachmentsWithSizeAndHash(t *testing.T) {
	f := newFixture(t, nil)
	pdf := bytes.Repeat([]byte("%PDF-1.7 "), 5000)
	d := draft("alice")
	d.Attachments = []mailbox.NewAttachment{
		{Name: "bescheid.pdf", MediaType: "application/pdf", Content: iotest.HalfReader(bytes.NewReader(pdf))},
		{Name: "leer.txt", MediaType: "text/plain", Content: strings.NewReader("")},
	}
	sent := f.send(t, d)
	if len(sent.Attachments) != 2 {
		t.Fatalf("attachments = %+v", sent.Attachments)
	}
	sum := sha512.Sum512(pdf)
	a := sent.Attachments[0]
	if a.Size != int64(len(pdf)) || a.SHA512 != hex.EncodeToString(sum[:]) {
		t.Fatalf("attachment 0 = %+v, want size %d and its SHA-512", a, len(pdf))
	}
	got, rc, err := f.mb.OpenAttachment(context.Background(), alice, sent.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(b, pdf) || got.Name != "bescheid.pdf" {
		t.Fatalf("download: %d bytes, %v, %+v", len(b), err, got)
	}
	_, rc, err = f.mb.OpenAttachment(context.Background(), alice, sent.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(rc); err != nil || len(b) != 0 {
		t.Fatalf("empty attachment: %q, %v", b, err)
	}
	rc.Close()
}

func TestSendRefusesBadDrafts(t *testing.T) {
	big := strings.Repeat("x", 1025)
	for _, tc := range []struct {
		name   string
		change func(d *mailbox.Draft)
		field  string
	}{
		{"a message to an empty owner is refused", func(d *mailbox.Draft) { d.Owner = "" }, "owner"},
		{"an oversized subject is refused", func(d *mailbox.Draft) { d.Subject = strings.Repeat("a", 256) }, "subject"},
		{"an oversized body is refused", func(d *mailbox.Draft) { d.Body = strings.Repeat("a", mailbox.MaxBodySize+1) }, "body"},
		{"a control character in the subject is refused", func(d *mailbox.Draft) { d.Subject = "Bescheid\r\nX-Evil: 1" }, "subject"},
		{"a control character in the body is refused", func(d *mailbox.Draft) { d.Body = "Text\x07" }, "body"},
		{"an oversized attachment is refused", func(d *mailbox.Draft) {
			d.Attachments = []mailbox.NewAttachment{
				{Name: "ok.txt", MediaType: "text/plain", Content: strings.NewReader("small")},
				{Name: "big.bin", MediaType: "application/octet-stream", Content: strings.NewReader(big)},
			}
		}, "attachments/1"},
		{"too many attachments are refused", func(d *mailbox.Draft) {
			for range mailbox.MaxAttachments + 1 {
				d.Attachments = append(d.Attachments, mailbox.NewAttachment{Name: "a.txt", MediaType: "text/plain", Content: strings.NewReader("a")})
			}
		}, "attachments"},
		{"an attachment without content is refused", func(d *mailbox.Draft) {
			d.Attachments = []mailbox.NewAttachment{{Name: "a.txt", MediaType: "text/plain"}}
		}, "attachments/0/content"},
		{"an attachment name with a path is refused", func(d *mailbox.Draft) {
			d.Attachments = []mailbox.NewAttachment{{Name: "../a.txt", MediaType: "text/plain", Content: strings.NewReader("a")}}
		}, "attachments/0/name"},
		{"a due date in the past is refused", func(d *mailbox.Draft) { d.Due = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }, "due"},
		{"a reply sent by the authority is refused", func(d *mailbox.Draft) { d.Kind = mailbox.KindReply }, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, &mailbox.Options{MaxAttachmentSize: 1024})
			d := draft("alice")
			tc.change(&d)
			_, err := f.mb.Send(context.Background(), d)
			var ve *mailbox.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, mailbox.ErrInvalid) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			found := false
			for _, fe := range ve.Errors {
				found = found || fe.Field == tc.field
			}
			if !found {
				t.Fatalf("errors %+v do not name %s", ve.Errors, tc.field)
			}
			for _, owner := range []string{"alice", ""} {
				if l, _ := f.store.List(context.Background(), owner, mailbox.Query{Limit: 10}); len(l) != 0 {
					t.Fatalf("a refused message was stored: %+v", l)
				}
			}
			if f.blobs.Len() != 0 {
				t.Fatalf("%d blobs left behind", f.blobs.Len())
			}
		})
	}
}

func TestSendLeavesNothingWhenAnAttachmentFailsToRead(t *testing.T) {
	f := newFixture(t, nil)
	d := draft("alice")
	d.Attachments = []mailbox.NewAttachment{
		{Name: "a.txt", MediaType: "text/plain", Content: strings.NewReader("first")},
		{Name: "b.txt", MediaType: "text/plain", Content: iotest.ErrReader(errors.New("disk gone"))},
	}
	if _, err := f.mb.Send(context.Background(), d); err == nil || errors.Is(err, mailbox.ErrInvalid) {
		t.Fatalf("err = %v, want the read error", err)
	}
	if f.blobs.Len() != 0 {
		t.Fatalf("%d blobs left behind", f.blobs.Len())
	}
	if n, _ := f.store.CountUnread(context.Background(), "alice", mailbox.Filter{}); n != 0 {
		t.Fatal("message stored although an attachment failed")
	}
}

// failingCreate is a MemoryStore whose Create fails, to check that Send cleans up its blobs.
type failingCreate struct{ *mailbox.MemoryStore }

func (failingCreate) Create(context.Context, mailbox.Message) error {
	return errors.New("database down")
}

func TestSendDeletesBlobsWhenTheStoreFails(t *testing.T) {
	blobs := mailbox.NewMemoryBlobStore()
	mb, err := mailbox.New(failingCreate{mailbox.NewMemoryStore()}, blobs, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := draft("alice")
	d.Attachments = []mailbox.NewAttachment{{Name: "a.txt", MediaType: "text/plain", Content: strings.NewReader("x")}}
	if _, err := mb.Send(context.Background(), d); err == nil {
		t.Fatal("Send succeeded with a failing store")
	}
	if blobs.Len() != 0 {
		t.Fatalf("%d blobs left behind", blobs.Len())
	}
}

func TestReadMarksReadAndChecksOwnerAndLevel(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	d := draft("alice")
	d.MinLevel = mailbox.LevelHigh
	high := f.send(t, d)
	normal := f.send(t, draft("alice"))

	t.Run("reading another citizen's message by id guessing is not found", func(t *testing.T) {
		if _, err := f.mb.Read(ctx, mallory, normal.ID); !errors.Is(err, mailbox.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		for _, id := range []string{"", "../x", strings.Repeat("A", 65), "AAAAAAAAAAAAAAAAAAAAAAAAAA"} {
			if _, err := f.mb.Read(ctx, alice, id); !errors.Is(err, mailbox.ErrNotFound) {
				t.Fatalf("Read(%q): err = %v, want ErrNotFound", id, err)
			}
		}
	})
	t.Run("a level too low is refused naming the level and the message stays unread", func(t *testing.T) {
		_, err := f.mb.Read(ctx, alice, high.ID)
		var le *mailbox.LevelError
		if !errors.As(err, &le) || !errors.Is(err, mailbox.ErrLevelTooLow) || le.Required != mailbox.LevelHigh {
			t.Fatalf("err = %v, want a *LevelError for high", err)
		}
		if !strings.Contains(err.Error(), "high") {
			t.Fatalf("error %q does not name the level", err)
		}
		if _, _, err := f.mb.OpenAttachment(ctx, alice, high.ID, 0); !errors.Is(err, mailbox.ErrLevelTooLow) {
			t.Fatalf("OpenAttachment: err = %v, want ErrLevelTooLow", err)
		}
		m, _ := f.store.Get(ctx, "alice", high.ID)
		if !m.ReadAt.IsZero() {
			t.Fatal("a refused read marked the message read")
		}
	})
	t.Run("the owner reads at a sufficient level and the message is marked read", func(t *testing.T) {
		p, _ := f.mb.List(ctx, alice, mailbox.ListOptions{})
		if p.Unread != 2 {
			t.Fatalf("unread = %d, want 2", p.Unread)
		}
		m, err := f.mb.Read(ctx, alice, normal.ID)
		if err != nil || m.ReadAt.IsZero() || m.Body != normal.Body {
			t.Fatalf("Read = %+v, %v", m, err)
		}
		p, _ = f.mb.List(ctx, alice, mailbox.ListOptions{})
		if p.Unread != 1 {
			t.Fatalf("unread after read = %d, want 1", p.Unread)
		}
		again, _ := f.mb.Read(ctx, alice, normal.ID)
		if !again.ReadAt.Equal(m.ReadAt) {
			t.Fatal("a second read changed the read time")
		}
	})
}

func TestListPagesNewestFirstWithSignedCursors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	var want []string
	for i := range 7 {
		d := draft("alice")
		if i%2 == 0 {
			d.Kind, d.Status = mailbox.KindStatus, mailbox.StatusProcessing
		}
		want = append([]string{f.send(t, d).ID}, want...)
	}
	f.send(t, draft("bob"))
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := f.mb.List(ctx, alice, mailbox.ListOptions{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if p.Unread != 7 {
			t.Fatalf("unread = %d, want 7", p.Unread)
		}
		for _, e := range p.Entries {
			if e.Body != "" {
				t.Fatal("listing carries a body")
			}
			got = append(got, e.ID)
		}
		if p.Next == "" {
			if pages != 2 {
				t.Fatalf("%d pages, want 3", pages+1)
			}
			break
		}
		cursor = p.Next
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("listing = %v, want %v", got, want)
	}
	p, err := f.mb.List(ctx, alice, mailbox.ListOptions{Filter: mailbox.Filter{Kind: mailbox.KindStatus}, Limit: 10})
	if err != nil || len(p.Entries) != 4 || p.Unread != 4 {
		t.Fatalf("status filter: %d entries, unread %d, %v; want 4", len(p.Entries), p.Unread, err)
	}
	p, err = f.mb.List(ctx, alice, mailbox.ListOptions{Filter: mailbox.Filter{Application: "A-2"}, Limit: 10})
	if err != nil || len(p.Entries) != 0 {
		t.Fatalf("application filter: %d entries, %v; want 0", len(p.Entries), err)
	}
}

func TestListRefusesATamperedCursor(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	for range 3 {
		f.send(t, draft("alice"))
	}
	p, err := f.mb.List(ctx, alice, mailbox.ListOptions{Limit: 1})
	if err != nil || p.Next == "" {
		t.Fatalf("first page: %+v, %v", p, err)
	}
	flip := []byte(p.Next)
	flip[5] ^= 1
	if flip[5] == '-' || flip[5] == '_' || flip[5] > 'z' {
		flip[5] = 'A'
	}
	other, _ := mailbox.New(f.store, f.blobs, nil)
	for _, tc := range []struct {
		name   string
		mb     *mailbox.Mailbox
		c      mailbox.Citizen
		filter mailbox.Filter
		cursor string
	}{
		{"a cursor with a changed character is refused", f.mb, alice, mailbox.Filter{}, string(flip)},
		{"a truncated cursor is refused", f.mb, alice, mailbox.Filter{}, p.Next[:len(p.Next)-4]},
		{"a made-up cursor is refused", f.mb, alice, mailbox.Filter{}, "AQAAAAAAAAAAQUFBQQ"},
		{"a cursor that is not base64 is refused", f.mb, alice, mailbox.Filter{}, "!!!"},
		{"an overlong cursor is refused", f.mb, alice, mailbox.Filter{}, strings.Repeat("A", 10000)},
		{"another owner's cursor is refused", f.mb, mallory, mailbox.Filter{}, p.Next},
		{"a cursor with another filter is refused", f.mb, alice, mailbox.Filter{Kind: mailbox.KindNotice}, p.Next},
		{"a cursor of another mailbox key is refused", other, alice, mailbox.Filter{}, p.Next},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.mb.List(ctx, tc.c, mailbox.ListOptions{Filter: tc.filter, Limit: 1, Cursor: tc.cursor})
			if !errors.Is(err, mailbox.ErrBadCursor) {
				t.Fatalf("err = %v, want ErrBadCursor", err)
			}
		})
	}
}

func TestListLocksMessagesAboveTheLevel(t *testing.T) {
	f := newFixture(t, nil)
	d := draft("alice")
	d.MinLevel = mailbox.LevelHigh
	d.Subject = "Geheimer Betreff"
	d.Attachments = []mailbox.NewAttachment{{Name: "a.pdf", MediaType: "application/pdf", Content: strings.NewReader("x")}}
	f.send(t, d)
	p, err := f.mb.List(context.Background(), alice, mailbox.ListOptions{})
	if err != nil || len(p.Entries) != 1 {
		t.Fatalf("List = %+v, %v", p, err)
	}
	e := p.Entries[0]
	if !e.Locked || e.Subject != "" || e.Attachments != nil || e.MinLevel != mailbox.LevelHigh {
		t.Fatalf("entry above the level = %+v, want locked without subject and attachments", e)
	}
}

func TestListRefusesBadOptions(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name string
		c    mailbox.Citizen
		o    mailbox.ListOptions
	}{
		{"an empty owner is refused", mailbox.Citizen{}, mailbox.ListOptions{}},
		{"an unknown kind is refused", alice, mailbox.ListOptions{Filter: mailbox.Filter{Kind: "x"}}},
		{"a control character in the application is refused", alice, mailbox.ListOptions{Filter: mailbox.Filter{Application: "A\x00"}}},
		{"a page size above the maximum is refused", alice, mailbox.ListOptions{Limit: mailbox.DefaultMaxPageSize + 1}},
		{"a negative page size is refused", alice, mailbox.ListOptions{Limit: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.mb.List(context.Background(), tc.c, tc.o); !errors.Is(err, mailbox.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestOpenAttachmentDetectsCorruptBytes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	d := draft("alice")
	d.Attachments = []mailbox.NewAttachment{{Name: "a.txt", MediaType: "text/plain", Content: strings.NewReader("original")}}
	sent := f.send(t, d)
	if _, err := f.blobs.Put(ctx, sent.Attachments[0].BlobKey, strings.NewReader("tampered")); err != nil {
		t.Fatal(err)
	}
	_, rc, err := f.mb.OpenAttachment(ctx, alice, sent.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadAll(rc); !errors.Is(err, mailbox.ErrCorrupt) {
		t.Fatalf("reading tampered bytes: err = %v, want ErrCorrupt", err)
	}
	if _, _, err := f.mb.OpenAttachment(ctx, alice, sent.ID, 1); !errors.Is(err, mailbox.ErrNoAttachment) {
		t.Fatalf("attachment out of range: err = %v, want ErrNoAttachment", err)
	}
}

type replyRecorder struct {
	mu      sync.Mutex
	replies []mailbox.Message
	queries []mailbox.Message
	fail    int
}

func (r *replyRecorder) hook(_ context.Context, q, reply mailbox.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return errors.New("back office unreachable")
	}
	r.queries = append(r.queries, q)
	r.replies = append(r.replies, reply)
	return nil
}

func queryDraft() mailbox.Draft {
	d := draft("alice")
	d.Kind = mailbox.KindQuery
	d.Subject = "Rückfrage zu Ihrem Antrag"
	d.ReplyAllowed = true
	d.Due = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	return d
}

func TestReplyAnswersAQueryOnceAndHandsItOver(t *testing.T) {
	ctx := context.Background()
	rec := &replyRecorder{}
	f := newFixture(t, &mailbox.Options{OnReply: rec.hook})
	q := f.send(t, queryDraft())
	r, err := f.mb.Reply(ctx, alice, q.ID, "Mein Einkommen beträgt <b>1.200 €</b>.")
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != mailbox.KindReply || r.InReplyTo != q.ID || r.Owner != "alice" || r.Notification.Pending() {
		t.Fatalf("reply = %+v", r)
	}
	if len(rec.replies) != 1 || rec.replies[0].ID != r.ID || rec.queries[0].ID != q.ID || rec.replies[0].Body != r.Body {
		t.Fatalf("hook saw %+v", rec.replies)
	}
	if _, err := f.mb.Reply(ctx, alice, q.ID, "Nochmal"); !errors.Is(err, mailbox.ErrAlreadyReplied) {
		t.Fatalf("second reply: err = %v, want ErrAlreadyReplied", err)
	}
	stored, _ := f.mb.Read(ctx, alice, q.ID)
	if stored.ReplyID != r.ID {
		t.Fatalf("query ReplyID = %q, want %q", stored.ReplyID, r.ID)
	}
}

func TestReplyRefusals(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		setup func(f *fixture) (mailbox.Citizen, string)
		body  string
		want  error
	}{
		{"a reply to a message that is no query is refused", func(f *fixture) (mailbox.Citizen, string) {
			return alice, f.send(t, draft("alice")).ID
		}, "Antwort", mailbox.ErrReplyNotAllowed},
		{"a reply to a query that allows none is refused", func(f *fixture) (mailbox.Citizen, string) {
			d := queryDraft()
			d.ReplyAllowed = false
			return alice, f.send(t, d).ID
		}, "Antwort", mailbox.ErrReplyNotAllowed},
		{"a reply after the due date is refused", func(f *fixture) (mailbox.Citizen, string) {
			id := f.send(t, queryDraft()).ID
			f.clock.Advance(60 * 24 * time.Hour)
			return alice, id
		}, "Antwort", mailbox.ErrReplyNotAllowed},
		{"a reply to another citizen's query is not found", func(f *fixture) (mailbox.Citizen, string) {
			return mallory, f.send(t, queryDraft()).ID
		}, "Antwort", mailbox.ErrNotFound},
		{"a reply at too low a level is refused", func(f *fixture) (mailbox.Citizen, string) {
			return mailbox.Citizen{Subject: "alice", Level: mailbox.LevelBasic}, f.send(t, queryDraft()).ID
		}, "Antwort", mailbox.ErrLevelTooLow},
		{"an empty reply is refused", func(f *fixture) (mailbox.Citizen, string) {
			return alice, f.send(t, queryDraft()).ID
		}, " \n ", mailbox.ErrInvalid},
		{"a reply with control characters is refused", func(f *fixture) (mailbox.Citizen, string) {
			return alice, f.send(t, queryDraft()).ID
		}, "Antwort\x00", mailbox.ErrInvalid},
		{"an oversized reply is refused", func(f *fixture) (mailbox.Citizen, string) {
			return alice, f.send(t, queryDraft()).ID
		}, strings.Repeat("a", mailbox.MaxBodySize+1), mailbox.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &replyRecorder{}
			f := newFixture(t, &mailbox.Options{OnReply: rec.hook})
			c, id := tc.setup(f)
			if _, err := f.mb.Reply(ctx, c, id, tc.body); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if len(rec.replies) != 0 {
				t.Fatal("a refused reply reached the hook")
			}
			if l, _ := f.store.List(ctx, c.Subject, mailbox.Query{Filter: mailbox.Filter{Kind: mailbox.KindReply}, Limit: 10}); len(l) != 0 {
				t.Fatal("a refused reply was stored")
			}
		})
	}
	t.Run("a reply without a configured hook is refused", func(t *testing.T) {
		f := newFixture(t, nil)
		id := f.send(t, queryDraft()).ID
		if _, err := f.mb.Reply(ctx, alice, id, "Antwort"); !errors.Is(err, mailbox.ErrReplyNotAllowed) {
			t.Fatalf("err = %v, want ErrReplyNotAllowed", err)
		}
	})
}

func TestAFailedReplyHandOverIsRetried(t *testing.T) {
	ctx := context.Background()
	rec := &replyRecorder{fail: 1}
	f := newFixture(t, &mailbox.Options{OnReply: rec.hook})
	q := f.send(t, queryDraft())
	r, err := f.mb.Reply(ctx, alice, q.ID, "Antwort")
	if err != nil {
		t.Fatalf("Reply failed although it was stored: %v", err)
	}
	if !r.Notification.Pending() || r.Notification.Attempts != 1 {
		t.Fatalf("state after failed hand-over = %+v", r.Notification)
	}
	f.clock.Advance(time.Hour)
	if n, err := f.mb.RetryNotifications(ctx); err != nil || n != 1 {
		t.Fatalf("RetryNotifications = %d, %v; want 1", n, err)
	}
	if len(rec.replies) != 1 || rec.replies[0].ID != r.ID {
		t.Fatalf("hook saw %d replies after retry, want 1", len(rec.replies))
	}
}
