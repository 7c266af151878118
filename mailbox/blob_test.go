package mailbox_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ozgkit/ozgkit/mailbox"
)

func TestMemoryBlobStore(t *testing.T) {
	ctx := context.Background()
	s := mailbox.NewMemoryBlobStore()
	if n, err := s.Put(ctx, "mailbox/m1/0", strings.NewReader("hello")); err != nil || n != 5 {
		t.Fatalf("Put = %d, %v", n, err)
	}
	if n, err := s.Stat(ctx, "mailbox/m1/0"); err != nil || n != 5 {
		t.Fatalf("Stat = %d, %v", n, err)
	}
	rc, err := s.Open(ctx, "mailbox/m1/0")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(rc); string(b) != "hello" {
		t.Fatalf("Open read %q", b)
	}
	rc.Close()

	t.Run("a failed put leaves the earlier content", func(t *testing.T) {
		if _, err := s.Put(ctx, "mailbox/m1/0", iotest.ErrReader(errors.New("boom"))); err == nil {
			t.Fatal("Put of a failing reader succeeded")
		}
		if n, _ := s.Stat(ctx, "mailbox/m1/0"); n != 5 {
			t.Fatalf("size after failed Put = %d, want 5", n)
		}
	})
	t.Run("a missing key wraps fs.ErrNotExist", func(t *testing.T) {
		if _, err := s.Open(ctx, "mailbox/none"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Open: %v", err)
		}
		if _, err := s.Stat(ctx, "mailbox/none"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Stat: %v", err)
		}
	})
	t.Run("deleting twice is not an error", func(t *testing.T) {
		if err := s.Delete(ctx, "mailbox/m1/0"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, "mailbox/m1/0"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, "mailbox/m1/0"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Stat after Delete: %v", err)
		}
	})
	t.Run("bad keys are refused", func(t *testing.T) {
		for _, key := range []string{"", "../x", "a//b", "a/./b", "a b", strings.Repeat("a", 257), "/abs"} {
			if _, err := s.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, mailbox.ErrInvalidBlobKey) {
				t.Errorf("Put(%q): %v, want ErrInvalidBlobKey", key, err)
			}
		}
		if s.Len() != 0 {
			t.Fatalf("%d blobs after refused puts", s.Len())
		}
	})
	t.Run("a canceled put stores nothing", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Put(cctx, "mailbox/c", strings.NewReader("x")); !errors.Is(err, context.Canceled) {
			t.Fatalf("Put with canceled ctx: %v", err)
		}
		if s.Len() != 0 {
			t.Fatal("canceled Put stored a blob")
		}
	})
}
