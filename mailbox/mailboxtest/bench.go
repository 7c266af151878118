package mailboxtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
)

// BenchOptions size the data set of [BenchmarkStore]. Nil or zero fields take the defaults.
type BenchOptions struct {
	// Messages in the store, spread evenly over Owners; default 100,000.
	Messages int
	// Owners; default 1,000. The benchmarks list the messages of the first owner.
	Owners int
}

// BenchmarkStore fills a store made by newStore with opts.Messages messages of opts.Owners
// owners (once, outside the timings) and measures the hot paths of a mailbox page:
//
//	ListNewest50          the newest 50 messages of one owner
//	ListNewest50Filtered  the same, only notices (every other message)
//	ListSecondPage        the 50 after the first 50, continuing after a position
//	CountUnread           the owner's unread count
//	Get                   one message by owner and id
//
// Call it from a Benchmark function of the implementation's tests.
func BenchmarkStore(b *testing.B, newStore NewStore, opts *BenchOptions) {
	o := BenchOptions{Messages: 100_000, Owners: 1_000}
	if opts != nil {
		if opts.Messages > 0 {
			o.Messages = opts.Messages
		}
		if opts.Owners > 0 {
			o.Owners = opts.Owners
		}
	}
	ctx := context.Background()
	s := newStore(b)
	owner := func(i int) string { return fmt.Sprintf("owner-%05d", i%o.Owners) }
	for i := range o.Messages {
		m := Fixture(fmt.Sprintf("b%07d", i), owner(i), i)
		if (i/o.Owners)%2 == 1 {
			m.Kind, m.Status = mailbox.KindNotice, ""
		}
		if i%3 == 0 {
			m.ReadAt = m.Created.Add(time.Hour)
		}
		m.Notification = mailbox.NotificationState{Attempts: 1, Done: m.Created}
		if err := s.Create(ctx, m); err != nil {
			b.Fatalf("fill: %v", err)
		}
	}
	target := owner(0)
	first, err := s.List(ctx, target, mailbox.Query{Limit: 50})
	if err != nil || len(first) != min(50, o.Messages/o.Owners) {
		b.Fatalf("first page: %d messages, %v", len(first), err)
	}
	last := first[len(first)-1]
	after := &mailbox.Position{Created: last.Created, ID: last.ID}

	run := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("ListNewest50", func() error {
		_, err := s.List(ctx, target, mailbox.Query{Limit: 50})
		return err
	})
	run("ListNewest50Filtered", func() error {
		_, err := s.List(ctx, target, mailbox.Query{Filter: mailbox.Filter{Kind: mailbox.KindNotice}, Limit: 50})
		return err
	})
	run("ListSecondPage", func() error {
		_, err := s.List(ctx, target, mailbox.Query{Limit: 50, After: after})
		return err
	})
	run("CountUnread", func() error {
		_, err := s.CountUnread(ctx, target, mailbox.Filter{})
		return err
	})
	run("Get", func() error {
		_, err := s.Get(ctx, target, last.ID)
		return err
	})
}
