package mailbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
)

func TestExpireDeletesOldMessagesWithTheirAttachmentsInBatches(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	start := f.clock.Now()
	for range 5 {
		d := draft("alice")
		d.Attachments = []mailbox.NewAttachment{{Name: "bescheid.pdf", MediaType: "application/pdf", Content: strings.NewReader("%PDF-1.7 x")}}
		f.send(t, d)
	}
	other := draft("alice")
	other.Service = "hund"
	f.send(t, other)
	f.clock.Advance(time.Hour)
	young := f.send(t, draft("alice"))
	cutoff := start.Add(30 * time.Minute)

	walk := func(dryRun bool) (int, int) {
		total, batches, cursor := 0, 0, ""
		for {
			n, next, err := f.mb.Expire(ctx, "wohngeld", cutoff, cursor, 2, dryRun)
			if err != nil {
				t.Fatal(err)
			}
			total += n
			batches++
			if next == "" {
				return total, batches
			}
			cursor = next
		}
	}
	if n, batches := walk(true); n != 5 || batches != 3 {
		t.Fatalf("dry run counted %d in %d batches, want 5 in 3", n, batches)
	}
	if f.blobs.Len() != 5 {
		t.Fatalf("the dry run deleted attachments: %d left of 5", f.blobs.Len())
	}
	if n, _ := walk(false); n != 5 {
		t.Fatalf("expire deleted %d, want the 5 the dry run counted", n)
	}
	if f.blobs.Len() != 0 {
		t.Fatalf("%d attachments left behind", f.blobs.Len())
	}
	page, err := f.mb.List(ctx, alice, mailbox.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 2 || page.Entries[0].ID != young.ID || page.Entries[1].Service != "hund" {
		t.Fatalf("left: %+v; want the young message and the other service's", page.Entries)
	}
}

func TestExpireRefusesAForgedCursor(t *testing.T) {
	f := newFixture(t, nil)
	for _, c := range []string{"!!", "bm90LWEtY3Vyc29y", strings.Repeat("A", 300)} {
		if _, _, err := f.mb.Expire(context.Background(), "wohngeld", time.Now(), c, 10, true); !errors.Is(err, mailbox.ErrInvalid) {
			t.Errorf("cursor %.20q: err = %v, want ErrInvalid", c, err)
		}
	}
}

// FuzzExpireCursor: whatever the cursor, Expire either refuses it with ErrInvalid or walks.
func FuzzExpireCursor(f *testing.F) {
	f.Add("")
	f.Add("MTc0MDAwMDAwMDAwMDAwMHxtMQ")
	f.Add("LTF8eA")
	f.Add("MXw")
	mb, err := mailbox.New(mailbox.NewMemoryStore(), nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		_, _, err := mb.Expire(context.Background(), "wohngeld", time.Now(), cursor, 10, true)
		if err != nil && !errors.Is(err, mailbox.ErrInvalid) {
			t.Fatalf("cursor %q: err = %v, want nil or ErrInvalid", cursor, err)
		}
	})
}
