package mailboxtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
)

// expirer runs fn only for stores that implement mailbox.Expirer, and says so otherwise.
func expirer(fn func(t *testing.T, s mailbox.Store, ex mailbox.Expirer)) func(t *testing.T, s mailbox.Store) {
	return func(t *testing.T, s mailbox.Store) {
		ex, ok := s.(mailbox.Expirer)
		if !ok {
			t.Skip("the store does not implement mailbox.Expirer")
		}
		fn(t, s, ex)
	}
}

// retentionFixtures stores, for owners alice and bob, messages of "wohngeld" at seconds 0..5
// and one of "hund" at second 1; two share second 3.
func retentionFixtures(t *testing.T, s mailbox.Store) {
	t.Helper()
	var ms []mailbox.Message
	for i, owner := range []string{"alice", "bob", "alice", "bob", "alice", "bob"} {
		ms = append(ms, Fixture("w"+string(rune('0'+i)), owner, i))
	}
	ms[4].Created = ms[3].Created // a tie, ordered by id
	other := Fixture("h1", "alice", 1)
	other.Service = "hund"
	mustCreate(t, s, append(ms, other)...)
}

func testOlderThan(t *testing.T, s mailbox.Store, ex mailbox.Expirer) {
	ctx := context.Background()
	retentionFixtures(t, s)
	before := base.Add(5 * time.Second) // w5 is not older
	var walked []string
	var after *mailbox.Position
	for range 10 {
		page, err := ex.OlderThan(ctx, "wohngeld", before, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			if m.Body != "" {
				t.Fatalf("message %s listed with its body", m.ID)
			}
			if len(m.Attachments) != 1 || m.Attachments[0].BlobKey != "mailbox/"+m.ID+"/0" {
				t.Fatalf("message %s listed without its attachment's blob key: %+v", m.ID, m.Attachments)
			}
		}
		walked = append(walked, ids(page)...)
		if len(page) < 2 {
			break
		}
		last := page[len(page)-1]
		after = &mailbox.Position{Created: last.Created, ID: last.ID}
	}
	if want := []string{"w0", "w1", "w2", "w3", "w4"}; !slices.Equal(walked, want) {
		t.Fatalf("walk = %v, want %v", walked, want)
	}
	none, err := ex.OlderThan(ctx, "wohngeld", base, nil, 10)
	if err != nil || len(none) != 0 {
		t.Fatalf("nothing is older than the first message: got %v, %v", ids(none), err)
	}
	hund, err := ex.OlderThan(ctx, "hund", base.Add(time.Hour), nil, 10)
	if err != nil || !slices.Equal(ids(hund), []string{"h1"}) {
		t.Fatalf("service hund: got %v, %v; want [h1]", ids(hund), err)
	}
}

func testDeleteMessages(t *testing.T, s mailbox.Store, ex mailbox.Expirer) {
	ctx := context.Background()
	retentionFixtures(t, s)
	if _, err := s.MarkRead(ctx, "bob", "w1", base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := ex.DeleteMessages(ctx, []string{"w0", "w1", "w2", "missing"})
	if err != nil || n != 3 {
		t.Fatalf("DeleteMessages = %d, %v; want 3 deleted", n, err)
	}
	for _, id := range []string{"w0", "w2"} {
		if _, err := s.Get(ctx, "alice", id); !errors.Is(err, mailbox.ErrNotFound) {
			t.Errorf("deleted message %s: Get err = %v, want ErrNotFound", id, err)
		}
	}
	list, err := s.List(ctx, "alice", mailbox.Query{Limit: 100})
	if err != nil || !slices.Equal(ids(list), []string{"w4", "h1"}) {
		t.Fatalf("alice's listing after the deletion = %v, %v; want [w4 h1]", ids(list), err)
	}
	if c, err := s.CountUnread(ctx, "alice", mailbox.Filter{}); err != nil || c != 2 {
		t.Fatalf("alice's unread count = %d, %v; want 2", c, err)
	}
	if c, err := s.CountUnread(ctx, "bob", mailbox.Filter{}); err != nil || c != 2 {
		t.Fatalf("bob's unread count = %d, %v; want 2 (w3, w5)", c, err)
	}
	due, err := s.DueNotifications(ctx, base.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range due {
		if m.ID == "w0" || m.ID == "w1" || m.ID == "w2" {
			t.Fatalf("deleted message %s is still due for notification", m.ID)
		}
	}
	if n, err := ex.DeleteMessages(ctx, []string{"w0"}); err != nil || n != 0 {
		t.Fatalf("deleting again = %d, %v; want 0, nil", n, err)
	}
	if n, err := ex.DeleteMessages(ctx, nil); err != nil || n != 0 {
		t.Fatalf("deleting nothing = %d, %v; want 0, nil", n, err)
	}
}

func testOlderThanLimit(t *testing.T, s mailbox.Store, ex mailbox.Expirer) {
	ctx := context.Background()
	for _, limit := range []int{0, -1, mailbox.MaxStoreLimit + 1} {
		if _, err := ex.OlderThan(ctx, "wohngeld", base, nil, limit); !errors.Is(err, mailbox.ErrInvalid) {
			t.Errorf("limit %d: err = %v, want ErrInvalid", limit, err)
		}
	}
	tooMany := make([]string, mailbox.MaxStoreLimit+1)
	for i := range tooMany {
		tooMany[i] = "x"
	}
	if _, err := ex.DeleteMessages(ctx, tooMany); !errors.Is(err, mailbox.ErrInvalid) {
		t.Errorf("%d ids: err = %v, want ErrInvalid", len(tooMany), err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ex.OlderThan(canceled, "wohngeld", base, nil, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("OlderThan with canceled ctx: err = %v", err)
	}
	if _, err := ex.DeleteMessages(canceled, []string{"x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("DeleteMessages with canceled ctx: err = %v", err)
	}
}
