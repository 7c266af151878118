package mailboxtest

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
)

// NewStore returns a fresh, empty store for one test. It may register cleanups with tb.
type NewStore func(tb testing.TB) mailbox.Store

// base is the first creation time of fixtures, truncated to the microsecond as the Store
// contract asks of callers.
var base = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// Fixture returns a valid message with the given id, owner and creation offset in seconds from
// a fixed base time. Tests change fields of the result as they need.
func Fixture(id, owner string, second int) mailbox.Message {
	sum := sha512.Sum512([]byte(id))
	return mailbox.Message{
		ID:          id,
		Owner:       owner,
		Kind:        mailbox.KindStatus,
		Status:      mailbox.StatusProcessing,
		Subject:     "Ihr Antrag auf Wohngeld wird bearbeitet",
		Body:        "Guten Tag,\n\nIhr Antrag wird bearbeitet.\n",
		Sender:      mailbox.Sender{Name: "Stadt Musterstadt, Wohngeldstelle", Reference: "WG-2026-0001"},
		Application: "A-" + owner,
		Service:     "wohngeld",
		MinLevel:    mailbox.LevelSubstantial,
		Attachments: []mailbox.Attachment{{
			Name: "bescheid.pdf", MediaType: "application/pdf", Size: 1234,
			SHA512: hex.EncodeToString(sum[:]), BlobKey: "mailbox/" + id + "/0",
		}},
		Created: base.Add(time.Duration(second) * time.Second),
		Notification: mailbox.NotificationState{
			Next: base.Add(time.Duration(second) * time.Second),
		},
	}
}

// RunStoreConformance runs the Store contract's checks against stores made by newStore.
func RunStoreConformance(t *testing.T, newStore NewStore) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s mailbox.Store)
	}{
		{"a created message reads back unchanged", testRoundTrip},
		{"an invalid message is refused and nothing is stored", testInvalidRefused},
		{"a duplicate id is refused and the first message is kept", testDuplicate},
		{"another owner's message is not found", testOtherOwner},
		{"a missing message is not found", testMissing},
		{"listing is newest first without bodies", testListOrder},
		{"listing continues after a position without gaps or repeats", testListPaging},
		{"messages created at the same time are ordered by id", testListTies},
		{"listing filters by application and kind", testListFilter},
		{"listing refuses a limit out of range", testListLimit},
		{"listing an owner without messages is empty", testListEmpty},
		{"unread messages are counted per owner and filter", testCountUnread},
		{"marking read keeps the first read time", testMarkRead},
		{"marking another owner's message read changes nothing", testMarkReadOtherOwner},
		{"a reply is stored and answers its query once", testReply},
		{"a reply to another owner's query is not found", testReplyOtherOwner},
		{"a reply to a message that is no open query is refused", testReplyNotAllowed},
		{"of concurrent replies to one query exactly one succeeds", testReplyConcurrent},
		{"returned messages are copies", testCopies},
		{"due notifications are listed until done", testNotifications},
		{"a canceled context is honoured", testCanceled},
		{"concurrent creates and lists are safe", testConcurrent},
		{"old messages of one service are walked oldest first across owners", expirer(testOlderThan)},
		{"deleting old messages removes exactly them from listings and counts", expirer(testDeleteMessages)},
		{"the expiry walk refuses limits out of range", expirer(testOlderThanLimit)},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

func mustCreate(t testing.TB, s mailbox.Store, ms ...mailbox.Message) {
	t.Helper()
	for _, m := range ms {
		if err := s.Create(context.Background(), m); err != nil {
			t.Fatalf("Create(%s): %v", m.ID, err)
		}
	}
}

func equalMessage(t *testing.T, got, want mailbox.Message) {
	t.Helper()
	if !got.Created.Equal(want.Created) || !got.ReadAt.Equal(want.ReadAt) || !got.Due.Equal(want.Due) ||
		!got.Notification.Next.Equal(want.Notification.Next) || !got.Notification.Done.Equal(want.Notification.Done) {
		t.Fatalf("times differ:\n got %+v\nwant %+v", got, want)
	}
	got.Created, want.Created = time.Time{}, time.Time{}
	got.ReadAt, want.ReadAt = time.Time{}, time.Time{}
	got.Due, want.Due = time.Time{}, time.Time{}
	got.Notification.Next, want.Notification.Next = time.Time{}, time.Time{}
	got.Notification.Done, want.Notification.Done = time.Time{}, time.Time{}
	if len(got.Attachments) == 0 && len(want.Attachments) == 0 {
		got.Attachments, want.Attachments = nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("message differs:\n got %+v\nwant %+v", got, want)
	}
}

func ids(ms []mailbox.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func testRoundTrip(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	m := Fixture("m1", "alice", 0)
	m.Kind, m.Status = mailbox.KindQuery, ""
	m.ReplyAllowed = true
	m.Due = base.Add(14 * 24 * time.Hour)
	m.Body = "Zeile 1\r\n\tZeile 2 <b>ä</b>"
	m.Attachments = append(m.Attachments, mailbox.Attachment{
		Name: "Übersicht.txt", MediaType: "text/plain; charset=utf-8", Size: 0,
		SHA512: m.Attachments[0].SHA512, BlobKey: "mailbox/m1/1",
	})
	mustCreate(t, s, m)
	got, err := s.Get(ctx, "alice", "m1")
	if err != nil {
		t.Fatal(err)
	}
	equalMessage(t, got, m)

	plain := Fixture("m2", "alice", 1)
	plain.Attachments = nil
	plain.Body = ""
	mustCreate(t, s, plain)
	got, err = s.Get(ctx, "alice", "m2")
	if err != nil {
		t.Fatal(err)
	}
	equalMessage(t, got, plain)
}

func testInvalidRefused(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	bad := Fixture("m1", "", 0)
	err := s.Create(ctx, bad)
	var ve *mailbox.ValidationError
	if !errors.Is(err, mailbox.ErrInvalid) || !errors.As(err, &ve) {
		t.Fatalf("Create with empty owner: err = %v, want a *ValidationError wrapping ErrInvalid", err)
	}
	if _, err := s.Get(ctx, "", "m1"); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("Get after refused Create: err = %v, want ErrNotFound", err)
	}
	bad = Fixture("m1", "alice", 0)
	bad.Subject = "Betreff\x00"
	if err := s.Create(ctx, bad); !errors.Is(err, mailbox.ErrInvalid) {
		t.Fatalf("Create with control character: err = %v, want ErrInvalid", err)
	}
	if _, err := s.Get(ctx, "alice", "m1"); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("Get after refused Create: err = %v, want ErrNotFound", err)
	}
}

func testDuplicate(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	first := Fixture("m1", "alice", 0)
	mustCreate(t, s, first)
	second := Fixture("m1", "bob", 5)
	second.Subject = "Andere Nachricht"
	if err := s.Create(ctx, second); !errors.Is(err, mailbox.ErrExists) {
		t.Fatalf("Create duplicate: err = %v, want ErrExists", err)
	}
	got, err := s.Get(ctx, "alice", "m1")
	if err != nil {
		t.Fatal(err)
	}
	equalMessage(t, got, first)
	if _, err := s.Get(ctx, "bob", "m1"); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("Get of refused duplicate: err = %v, want ErrNotFound", err)
	}
	if l, _ := s.List(ctx, "bob", mailbox.Query{Limit: 10}); len(l) != 0 {
		t.Fatalf("List(bob) = %v after refused duplicate, want empty", ids(l))
	}
}

func testOtherOwner(t *testing.T, s mailbox.Store) {
	mustCreate(t, s, Fixture("m1", "alice", 0))
	if _, err := s.Get(context.Background(), "mallory", "m1"); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("Get of another owner's message: err = %v, want ErrNotFound", err)
	}
}

func testMissing(t *testing.T, s mailbox.Store) {
	if _, err := s.Get(context.Background(), "alice", "nope"); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("Get of a missing message: err = %v, want ErrNotFound", err)
	}
}

func testListOrder(t *testing.T, s mailbox.Store) {
	// Created out of order on purpose.
	mustCreate(t, s, Fixture("b", "alice", 20), Fixture("a", "alice", 30), Fixture("c", "alice", 10), Fixture("x", "bob", 25))
	got, err := s.List(context.Background(), "alice", mailbox.Query{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(ids(got), want) {
		t.Fatalf("List = %v, want %v", ids(got), want)
	}
	for _, m := range got {
		if m.Body != "" {
			t.Fatalf("listed message %s has a body", m.ID)
		}
		if m.Subject == "" || len(m.Attachments) != 1 || m.Created.IsZero() {
			t.Fatalf("listed message %s lacks fields: %+v", m.ID, m)
		}
	}
}

func testListPaging(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	var want []string
	for i := 0; i < 23; i++ {
		m := Fixture(fmt.Sprintf("m%02d", i), "alice", i)
		mustCreate(t, s, m)
		want = append([]string{m.ID}, want...)
	}
	var got []string
	q := mailbox.Query{Limit: 5}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		page, err := s.List(ctx, "alice", q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(page)...)
		if len(page) < q.Limit {
			break
		}
		last := page[len(page)-1]
		q.After = &mailbox.Position{Created: last.Created, ID: last.ID}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pages = %v, want %v", got, want)
	}
}

func testListTies(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	mustCreate(t, s, Fixture("t2", "alice", 0), Fixture("t1", "alice", 0), Fixture("t3", "alice", 0), Fixture("t0", "alice", -1))
	page, err := s.List(ctx, "alice", mailbox.Query{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"t3", "t2"}; !reflect.DeepEqual(ids(page), want) {
		t.Fatalf("first page = %v, want %v", ids(page), want)
	}
	last := page[1]
	page, err = s.List(ctx, "alice", mailbox.Query{Limit: 2, After: &mailbox.Position{Created: last.Created, ID: last.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"t1", "t0"}; !reflect.DeepEqual(ids(page), want) {
		t.Fatalf("second page = %v, want %v", ids(page), want)
	}
}

func testListFilter(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	a := Fixture("a", "alice", 1)
	b := Fixture("b", "alice", 2)
	b.Application = "A-other"
	c := Fixture("c", "alice", 3)
	c.Kind, c.Status = mailbox.KindNotice, ""
	mustCreate(t, s, a, b, c)
	for _, tc := range []struct {
		f    mailbox.Filter
		want []string
	}{
		{mailbox.Filter{}, []string{"c", "b", "a"}},
		{mailbox.Filter{Application: "A-alice"}, []string{"c", "a"}},
		{mailbox.Filter{Kind: mailbox.KindNotice}, []string{"c"}},
		{mailbox.Filter{Application: "A-other", Kind: mailbox.KindStatus}, []string{"b"}},
		{mailbox.Filter{Application: "A-other", Kind: mailbox.KindNotice}, []string{}},
	} {
		got, err := s.List(ctx, "alice", mailbox.Query{Filter: tc.f, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids(got), tc.want) {
			t.Errorf("List(%+v) = %v, want %v", tc.f, ids(got), tc.want)
		}
	}
	// A filtered page stops at its limit and continues after its last entry.
	got, err := s.List(ctx, "alice", mailbox.Query{Filter: mailbox.Filter{Application: "A-alice"}, Limit: 1})
	if err != nil || !reflect.DeepEqual(ids(got), []string{"c"}) {
		t.Fatalf("filtered first page = %v, %v", ids(got), err)
	}
	got, err = s.List(ctx, "alice", mailbox.Query{Filter: mailbox.Filter{Application: "A-alice"}, Limit: 1,
		After: &mailbox.Position{Created: got[0].Created, ID: got[0].ID}})
	if err != nil || !reflect.DeepEqual(ids(got), []string{"a"}) {
		t.Fatalf("filtered second page = %v, %v", ids(got), err)
	}
}

func testListLimit(t *testing.T, s mailbox.Store) {
	mustCreate(t, s, Fixture("a", "alice", 1))
	for _, limit := range []int{0, -1, mailbox.MaxStoreLimit + 1} {
		if _, err := s.List(context.Background(), "alice", mailbox.Query{Limit: limit}); !errors.Is(err, mailbox.ErrInvalid) {
			t.Errorf("List with limit %d: err = %v, want ErrInvalid", limit, err)
		}
	}
	if got, err := s.List(context.Background(), "alice", mailbox.Query{Limit: mailbox.MaxStoreLimit}); err != nil || len(got) != 1 {
		t.Errorf("List with limit %d = %d messages, %v", mailbox.MaxStoreLimit, len(got), err)
	}
}

func testListEmpty(t *testing.T, s mailbox.Store) {
	mustCreate(t, s, Fixture("a", "alice", 1))
	got, err := s.List(context.Background(), "bob", mailbox.Query{Limit: 10})
	if err != nil || len(got) != 0 {
		t.Fatalf("List(bob) = %v, %v; want empty", ids(got), err)
	}
	n, err := s.CountUnread(context.Background(), "bob", mailbox.Filter{})
	if err != nil || n != 0 {
		t.Fatalf("CountUnread(bob) = %d, %v; want 0", n, err)
	}
}

func testCountUnread(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	a, b, c := Fixture("a", "alice", 1), Fixture("b", "alice", 2), Fixture("c", "alice", 3)
	c.Kind, c.Status = mailbox.KindNotice, ""
	read := Fixture("r", "alice", 4)
	read.ReadAt = base.Add(time.Hour)
	mustCreate(t, s, a, b, c, read, Fixture("x", "bob", 1))
	for _, tc := range []struct {
		f    mailbox.Filter
		want int
	}{
		{mailbox.Filter{}, 3},
		{mailbox.Filter{Kind: mailbox.KindNotice}, 1},
		{mailbox.Filter{Application: "A-bob"}, 0},
	} {
		n, err := s.CountUnread(ctx, "alice", tc.f)
		if err != nil || n != tc.want {
			t.Errorf("CountUnread(alice, %+v) = %d, %v; want %d", tc.f, n, err, tc.want)
		}
	}
	if _, err := s.MarkRead(ctx, "alice", "a", base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountUnread(ctx, "alice", mailbox.Filter{}); n != 2 {
		t.Errorf("CountUnread after MarkRead = %d, want 2", n)
	}
}

func testMarkRead(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	mustCreate(t, s, Fixture("a", "alice", 1))
	first := base.Add(time.Hour)
	m, err := s.MarkRead(ctx, "alice", "a", first)
	if err != nil || !m.ReadAt.Equal(first) {
		t.Fatalf("MarkRead = %v, %v; want ReadAt %v", m.ReadAt, err, first)
	}
	if m.Body == "" {
		t.Fatal("MarkRead returned a message without its body")
	}
	m, err = s.MarkRead(ctx, "alice", "a", first.Add(time.Hour))
	if err != nil || !m.ReadAt.Equal(first) {
		t.Fatalf("second MarkRead = %v, %v; want the first ReadAt %v", m.ReadAt, err, first)
	}
	got, _ := s.Get(ctx, "alice", "a")
	if !got.ReadAt.Equal(first) {
		t.Fatalf("Get after MarkRead: ReadAt = %v, want %v", got.ReadAt, first)
	}
}

func testMarkReadOtherOwner(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	mustCreate(t, s, Fixture("a", "alice", 1))
	if _, err := s.MarkRead(ctx, "mallory", "a", base); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("MarkRead of another owner's message: err = %v, want ErrNotFound", err)
	}
	got, _ := s.Get(ctx, "alice", "a")
	if !got.ReadAt.IsZero() {
		t.Fatalf("another owner's MarkRead changed ReadAt to %v", got.ReadAt)
	}
}

func query(id, owner string, second int) mailbox.Message {
	q := Fixture(id, owner, second)
	q.Kind, q.Status, q.ReplyAllowed = mailbox.KindQuery, "", true
	return q
}

func reply(id, owner, to string, second int) mailbox.Message {
	return mailbox.Message{
		ID: id, Owner: owner, Kind: mailbox.KindReply, InReplyTo: to,
		Subject: "Antwort", Body: "Hier meine Antwort.", Application: "A-" + owner,
		Created: base.Add(time.Duration(second) * time.Second), ReadAt: base.Add(time.Duration(second) * time.Second),
	}
}

func testReply(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	mustCreate(t, s, query("q", "alice", 1))
	r := reply("r", "alice", "q", 2)
	if err := s.AddReply(ctx, r); err != nil {
		t.Fatalf("AddReply: %v", err)
	}
	q, err := s.Get(ctx, "alice", "q")
	if err != nil || q.ReplyID != "r" {
		t.Fatalf("query after reply: ReplyID = %q, %v; want r", q.ReplyID, err)
	}
	got, err := s.Get(ctx, "alice", "r")
	if err != nil {
		t.Fatal(err)
	}
	equalMessage(t, got, r)
	if err := s.AddReply(ctx, reply("r2", "alice", "q", 3)); !errors.Is(err, mailbox.ErrAlreadyReplied) {
		t.Fatalf("second AddReply: err = %v, want ErrAlreadyReplied", err)
	}
	if _, err := s.Get(ctx, "alice", "r2"); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("refused reply was stored: %v", err)
	}
	if err := s.AddReply(ctx, reply("r3", "alice", "missing", 3)); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("AddReply to a missing query: err = %v, want ErrNotFound", err)
	}
	bad := reply("r4", "alice", "q", 3)
	bad.Body = "\x1b[31m"
	if err := s.AddReply(ctx, bad); !errors.Is(err, mailbox.ErrInvalid) {
		t.Fatalf("AddReply with control characters: err = %v, want ErrInvalid", err)
	}
}

func testReplyOtherOwner(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	mustCreate(t, s, query("q", "alice", 1))
	if err := s.AddReply(ctx, reply("r", "mallory", "q", 2)); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("AddReply to another owner's query: err = %v, want ErrNotFound", err)
	}
	if q, _ := s.Get(ctx, "alice", "q"); q.ReplyID != "" {
		t.Fatalf("another owner's reply answered the query: ReplyID = %q", q.ReplyID)
	}
	if _, err := s.Get(ctx, "mallory", "r"); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("refused reply was stored: %v", err)
	}
}

func testReplyNotAllowed(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	closed := query("closed", "alice", 1)
	closed.ReplyAllowed = false
	mustCreate(t, s, Fixture("status", "alice", 0), closed)
	for _, to := range []string{"status", "closed"} {
		if err := s.AddReply(ctx, reply("r-"+to, "alice", to, 2)); !errors.Is(err, mailbox.ErrReplyNotAllowed) {
			t.Errorf("AddReply to %s: err = %v, want ErrReplyNotAllowed", to, err)
		}
	}
}

func testReplyConcurrent(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	mustCreate(t, s, query("q", "alice", 1))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.AddReply(ctx, reply(fmt.Sprintf("r%d", i), "alice", "q", 2))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, mailbox.ErrAlreadyReplied):
			t.Errorf("concurrent AddReply: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent replies succeeded, want exactly 1", ok)
	}
	page, _ := s.List(ctx, "alice", mailbox.Query{Filter: mailbox.Filter{Kind: mailbox.KindReply}, Limit: 100})
	if len(page) != 1 {
		t.Fatalf("%d replies stored, want 1", len(page))
	}
}

func testCopies(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	m := Fixture("a", "alice", 1)
	mustCreate(t, s, m)
	m.Attachments[0].Name = "changed-after-create.pdf"
	got, _ := s.Get(ctx, "alice", "a")
	if got.Attachments[0].Name != "bescheid.pdf" {
		t.Fatal("changing the created message changed the stored one")
	}
	got.Attachments[0].Name = "changed.pdf"
	got.Subject = "changed"
	listed, _ := s.List(ctx, "alice", mailbox.Query{Limit: 1})
	listed[0].Attachments[0].Name = "changed.pdf"
	again, _ := s.Get(ctx, "alice", "a")
	if again.Attachments[0].Name != "bescheid.pdf" || again.Subject != Fixture("a", "alice", 1).Subject {
		t.Fatal("changing a returned message changed the stored one")
	}
}

func testNotifications(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	a, b, c := Fixture("a", "alice", 1), Fixture("b", "bob", 2), Fixture("c", "carol", 3)
	c.Notification = mailbox.NotificationState{Attempts: 1, Done: base}
	mustCreate(t, s, b, a, c)
	due, err := s.DueNotifications(ctx, base.Add(10*time.Second), 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(ids(due), want) {
		t.Fatalf("due = %v, want %v", ids(due), want)
	}
	if due, _ := s.DueNotifications(ctx, base.Add(10*time.Second), 1); !reflect.DeepEqual(ids(due), []string{"a"}) {
		t.Fatalf("due with limit 1 = %v, want [a]", ids(due))
	}
	if due, _ := s.DueNotifications(ctx, base.Add(1*time.Second), 10); !reflect.DeepEqual(ids(due), []string{"a"}) {
		t.Fatalf("due at +1s = %v, want [a]", ids(due))
	}
	retry := mailbox.NotificationState{Attempts: 1, Next: base.Add(time.Hour)}
	if err := s.SetNotification(ctx, "a", retry); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNotification(ctx, "b", mailbox.NotificationState{Attempts: 1, Done: base.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueNotifications(ctx, base.Add(10*time.Second), 10); len(due) != 0 {
		t.Fatalf("due after done and postponed = %v, want none", ids(due))
	}
	due, _ = s.DueNotifications(ctx, base.Add(2*time.Hour), 10)
	if !reflect.DeepEqual(ids(due), []string{"a"}) || due[0].Notification.Attempts != 1 {
		t.Fatalf("due later = %+v, want a with 1 attempt", due)
	}
	if err := s.SetNotification(ctx, "missing", retry); !errors.Is(err, mailbox.ErrNotFound) {
		t.Fatalf("SetNotification of a missing message: err = %v, want ErrNotFound", err)
	}
	got, _ := s.Get(ctx, "bob", "b")
	if got.Notification.Pending() || got.Notification.Attempts != 1 {
		t.Fatalf("notification state not kept: %+v", got.Notification)
	}
}

func testCanceled(t *testing.T, s mailbox.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Create(ctx, Fixture("a", "alice", 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Create with canceled ctx: err = %v", err)
	}
	if _, err := s.Get(context.Background(), "alice", "a"); !errors.Is(err, mailbox.ErrNotFound) {
		t.Errorf("Create with canceled ctx stored the message: %v", err)
	}
	if _, err := s.List(ctx, "alice", mailbox.Query{Limit: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("List with canceled ctx: err = %v", err)
	}
	if _, err := s.Get(ctx, "alice", "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with canceled ctx: err = %v", err)
	}
}

func testConcurrent(t *testing.T, s mailbox.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				m := Fixture(fmt.Sprintf("w%d-%02d", w, i), "alice", w*100+i)
				if err := s.Create(ctx, m); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.List(ctx, "alice", mailbox.Query{Limit: 10}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.MarkRead(ctx, "alice", m.ID, base); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	all, err := s.List(ctx, "alice", mailbox.Query{Limit: 1000})
	if err != nil || len(all) != 100 {
		t.Fatalf("after concurrent creates: %d messages, %v; want 100", len(all), err)
	}
}
