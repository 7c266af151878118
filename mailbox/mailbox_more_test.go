package mailbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/mailbox"
)

// endless yields zero bytes forever and counts them.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	clear(p)
	e.n += int64(len(p))
	return len(p), nil
}

func TestSendStopsReadingAnEndlessAttachmentAtTheLimit(t *testing.T) {
	f := newFixture(t, &mailbox.Options{MaxAttachmentSize: 64 << 10})
	src := &endless{}
	d := draft("alice")
	d.Attachments = []mailbox.NewAttachment{{Name: "endless.bin", MediaType: "application/octet-stream", Content: src}}
	if _, err := f.mb.Send(context.Background(), d); !errors.Is(err, mailbox.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if src.n > 2*(64<<10) {
		t.Fatalf("read %d bytes of an attachment limited to %d", src.n, 64<<10)
	}
	if f.blobs.Len() != 0 {
		t.Fatal("blob left behind")
	}
}

func TestSendWithACanceledContextStoresNothing(t *testing.T) {
	f := newFixture(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := draft("alice")
	d.Attachments = []mailbox.NewAttachment{{Name: "a.txt", MediaType: "text/plain", Content: strings.NewReader("x")}}
	if _, err := f.mb.Send(ctx, d); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if f.blobs.Len() != 0 {
		t.Fatal("blob left behind")
	}
	if p, _ := f.mb.List(context.Background(), alice, mailbox.ListOptions{}); len(p.Entries) != 0 {
		t.Fatal("message stored")
	}
}

func TestNewRefusesAShortCursorKey(t *testing.T) {
	if _, err := mailbox.New(mailbox.NewMemoryStore(), nil, &mailbox.Options{CursorKey: []byte("short")}); err == nil {
		t.Fatal("a 5-byte cursor key was accepted")
	}
	if _, err := mailbox.New(nil, nil, nil); err == nil {
		t.Fatal("a nil store was accepted")
	}
}

func TestCursorsSurviveARestartWithTheSameKey(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	store := mailbox.NewMemoryStore()
	a, _ := mailbox.New(store, nil, &mailbox.Options{CursorKey: key})
	b, _ := mailbox.New(store, nil, &mailbox.Options{CursorKey: key})
	for range 3 {
		if _, err := a.Send(context.Background(), draft("alice")); err != nil {
			t.Fatal(err)
		}
	}
	p, err := a.List(context.Background(), alice, mailbox.ListOptions{Limit: 2})
	if err != nil || p.Next == "" {
		t.Fatal(p, err)
	}
	p2, err := b.List(context.Background(), alice, mailbox.ListOptions{Limit: 2, Cursor: p.Next})
	if err != nil || len(p2.Entries) != 1 {
		t.Fatalf("second replica: %+v, %v", p2, err)
	}
}

func TestMailboxIsSafeForConcurrentUse(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("c%d", w)
			c := mailbox.Citizen{Subject: owner, Level: mailbox.LevelHigh}
			for range 20 {
				d := draft(owner)
				d.Attachments = []mailbox.NewAttachment{{Name: "a.txt", MediaType: "text/plain", Content: strings.NewReader("abc")}}
				m, err := f.mb.Send(ctx, d)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := f.mb.List(ctx, c, mailbox.ListOptions{}); err != nil {
					t.Error(err)
				}
				if _, err := f.mb.Read(ctx, c, m.ID); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for w := range 4 {
		p, _ := f.mb.List(ctx, mailbox.Citizen{Subject: fmt.Sprintf("c%d", w), Level: mailbox.LevelHigh}, mailbox.ListOptions{Limit: 100})
		if len(p.Entries) != 20 || p.Unread != 0 {
			t.Fatalf("owner c%d: %d messages, %d unread", w, len(p.Entries), p.Unread)
		}
	}
}

// BenchmarkMailboxList measures a citizen's first page through the Mailbox (store listing,
// unread count, cursor signing) with 100,000 messages of 1,000 citizens in the memory store.
func BenchmarkMailboxList(b *testing.B) {
	f := newFixture(b, nil)
	ctx := context.Background()
	for i := range 100_000 {
		if _, err := f.mb.Send(ctx, draft(fmt.Sprintf("c%04d", i%1000))); err != nil {
			b.Fatal(err)
		}
	}
	c := mailbox.Citizen{Subject: "c0000", Level: mailbox.LevelHigh}
	b.ReportAllocs()
	for b.Loop() {
		p, err := f.mb.List(ctx, c, mailbox.ListOptions{Limit: 50})
		if err != nil || len(p.Entries) != 50 {
			b.Fatal(len(p.Entries), err)
		}
	}
}

// With QueueNotifications, Send stores the message and returns without notifying; the
// notification goes out from RetryNotifications (what Run calls).
func TestQueuedNotificationsAreSentByTheLoopNotBySend(t *testing.T) {
	n := &countingNotifier{}
	mb, err := mailbox.New(mailbox.NewMemoryStore(), nil, &mailbox.Options{Notifier: n, QueueNotifications: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	msg, err := mb.Send(ctx, mailbox.Draft{Owner: "bpk2-erika", Kind: mailbox.KindReceipt, Status: mailbox.StatusReceived,
		Subject: "Eingangsbestätigung", Body: "Ihr Antrag ist eingegangen.", Sender: mailbox.Sender{Name: "Stadt Kiel"}, MinLevel: mailbox.LevelBasic})
	if err != nil {
		t.Fatal(err)
	}
	if n.count() != 0 || !msg.Notification.Pending() {
		t.Fatalf("Send notified inline (%d calls) or left nothing pending: %+v", n.count(), msg.Notification)
	}
	if _, err := mb.RetryNotifications(ctx); err != nil {
		t.Fatal(err)
	}
	if n.count() != 1 {
		t.Fatalf("the loop sent %d notifications, want 1", n.count())
	}
}

type countingNotifier struct {
	mu sync.Mutex
	n  int
}

func (c *countingNotifier) Notify(context.Context, mailbox.Notification) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return nil
}

func (c *countingNotifier) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
