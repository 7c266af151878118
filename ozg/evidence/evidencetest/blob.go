package evidencetest

import (
	"bytes"
	"context"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// RunBlobStoreConformance checks that the stores made by newStore keep the contract of
// evidence.BlobStore. newStore is called once per subtest and returns an empty store.
func RunBlobStoreConformance(t *testing.T, newStore func(t *testing.T) evidence.BlobStore) {
	t.Helper()
	ctx := context.Background()

	t.Run("a put content reads back whole with its size", func(t *testing.T) {
		s := newStore(t)
		want := []byte("%PDF-1.7 Mietvertrag")
		n, err := s.Put(ctx, "evidence/a1", bytes.NewReader(want))
		if err != nil || n != int64(len(want)) {
			t.Fatalf("Put = %d, %v; want %d, nil", n, err, len(want))
		}
		if got := mustRead(t, s, "evidence/a1"); !bytes.Equal(got, want) {
			t.Fatalf("Open read %q, want %q", got, want)
		}
		if size, err := s.Stat(ctx, "evidence/a1"); err != nil || size != int64(len(want)) {
			t.Fatalf("Stat = %d, %v; want %d", size, err, len(want))
		}
	})

	t.Run("an empty content is stored with size zero", func(t *testing.T) {
		s := newStore(t)
		if n, err := s.Put(ctx, "empty", strings.NewReader("")); err != nil || n != 0 {
			t.Fatalf("Put = %d, %v", n, err)
		}
		if size, err := s.Stat(ctx, "empty"); err != nil || size != 0 {
			t.Fatalf("Stat = %d, %v", size, err)
		}
	})

	t.Run("a large content streams through unchanged", func(t *testing.T) {
		s := newStore(t)
		const size = 8<<20 + 123
		n, err := s.Put(ctx, "big", io.LimitReader(newPseudoRandom(1), size))
		if err != nil || n != size {
			t.Fatalf("Put = %d, %v", n, err)
		}
		want := sha512.New()
		_, _ = io.Copy(want, io.LimitReader(newPseudoRandom(1), size))
		rc, err := s.Open(ctx, "big")
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		got := sha512.New()
		if m, err := io.Copy(got, rc); err != nil || m != size {
			t.Fatalf("read %d, %v", m, err)
		}
		if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
			t.Fatal("content read back differs from content put")
		}
	})

	t.Run("a second put replaces the content", func(t *testing.T) {
		s := newStore(t)
		mustPut(t, s, "k", "first version, longer")
		mustPut(t, s, "k", "second")
		if got := string(mustRead(t, s, "k")); got != "second" {
			t.Fatalf("read %q", got)
		}
		if size, _ := s.Stat(ctx, "k"); size != 6 {
			t.Fatalf("Stat = %d", size)
		}
	})

	t.Run("keys are distinct byte for byte", func(t *testing.T) {
		s := newStore(t)
		keys := []string{"a", "A", "a/b", "a_b", "a.b", "a-b", "b/a", "a/b/c"}
		for _, k := range keys {
			mustPut(t, s, k, "content of "+k)
		}
		for _, k := range keys {
			if got := string(mustRead(t, s, k)); got != "content of "+k {
				t.Fatalf("key %q read %q", k, got)
			}
		}
	})

	t.Run("open and stat of a missing key wrap fs.ErrNotExist", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Open(ctx, "missing"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Open err = %v", err)
		}
		if _, err := s.Stat(ctx, "missing"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Stat err = %v", err)
		}
	})

	t.Run("delete removes the content and a missing key is no error", func(t *testing.T) {
		s := newStore(t)
		mustPut(t, s, "d/1", "x")
		if err := s.Delete(ctx, "d/1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, "d/1"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Stat after Delete err = %v", err)
		}
		if err := s.Delete(ctx, "d/1"); err != nil {
			t.Fatalf("second Delete = %v", err)
		}
		if err := s.Delete(ctx, "never"); err != nil {
			t.Fatalf("Delete of a missing key = %v", err)
		}
	})

	t.Run("invalid keys are refused by every method", func(t *testing.T) {
		s := newStore(t)
		bad := []string{"", ".", "..", "../x", "a/../b", "/abs", "a/", "a//b", "./a", "a b", "a\x00b",
			"ä", `a\b`, "a:b", "a?b", strings.Repeat("k", evidence.MaxKeyLength+1)}
		for _, k := range bad {
			if _, err := s.Put(ctx, k, strings.NewReader("x")); !errors.Is(err, evidence.ErrInvalidKey) {
				t.Errorf("Put(%q) err = %v, want ErrInvalidKey", k, err)
			}
			if _, err := s.Open(ctx, k); !errors.Is(err, evidence.ErrInvalidKey) {
				t.Errorf("Open(%q) err = %v, want ErrInvalidKey", k, err)
			}
			if _, err := s.Stat(ctx, k); !errors.Is(err, evidence.ErrInvalidKey) {
				t.Errorf("Stat(%q) err = %v, want ErrInvalidKey", k, err)
			}
			if err := s.Delete(ctx, k); !errors.Is(err, evidence.ErrInvalidKey) {
				t.Errorf("Delete(%q) err = %v, want ErrInvalidKey", k, err)
			}
		}
		long := strings.Repeat("k", evidence.MaxKeyLength)
		mustPut(t, s, long, "longest key is fine")
	})

	t.Run("a put whose reader fails leaves nothing behind", func(t *testing.T) {
		s := newStore(t)
		boom := errors.New("client went away")
		r := io.MultiReader(io.LimitReader(newPseudoRandom(2), 1<<20), &failingReader{err: boom})
		if _, err := s.Put(ctx, "partial", r); !errors.Is(err, boom) {
			t.Fatalf("Put err = %v, want the reader's error", err)
		}
		if _, err := s.Stat(ctx, "partial"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Stat after failed Put err = %v, want fs.ErrNotExist", err)
		}
	})

	t.Run("a failed put keeps the earlier content", func(t *testing.T) {
		s := newStore(t)
		mustPut(t, s, "keep", "original")
		r := io.MultiReader(strings.NewReader("new content that never completes"), &failingReader{err: io.ErrUnexpectedEOF})
		if _, err := s.Put(ctx, "keep", r); err == nil {
			t.Fatal("Put with a failing reader succeeded")
		}
		if got := string(mustRead(t, s, "keep")); got != "original" {
			t.Fatalf("read %q after failed Put, want the original", got)
		}
	})

	t.Run("a put canceled midway leaves nothing behind", func(t *testing.T) {
		s := newStore(t)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		r := &cancelAfter{r: newPseudoRandom(3), left: 512 << 10, cancel: cancel}
		if _, err := s.Put(cctx, "canceled", io.LimitReader(r, 4<<20)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Put err = %v, want context.Canceled", err)
		}
		if _, err := s.Stat(ctx, "canceled"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Stat after canceled Put err = %v", err)
		}
	})

	t.Run("concurrent puts and reads are safe and end with one whole content", func(t *testing.T) {
		s := newStore(t)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				content := strings.Repeat(fmt.Sprintf("writer %d;", i), 2000)
				if _, err := s.Put(ctx, "shared", strings.NewReader(content)); err != nil {
					t.Errorf("Put: %v", err)
				}
				if _, err := s.Put(ctx, fmt.Sprintf("own/%d", i), strings.NewReader(content)); err != nil {
					t.Errorf("Put: %v", err)
				}
				if rc, err := s.Open(ctx, "shared"); err == nil {
					b, _ := io.ReadAll(rc)
					rc.Close()
					checkWhole(t, string(b))
				}
			}()
		}
		wg.Wait()
		checkWhole(t, string(mustRead(t, s, "shared")))
		for i := range 8 {
			want := strings.Repeat(fmt.Sprintf("writer %d;", i), 2000)
			if got := string(mustRead(t, s, fmt.Sprintf("own/%d", i))); got != want {
				t.Fatalf("own/%d has the wrong content", i)
			}
		}
	})
}

// checkWhole fails when b is not one writer's complete content.
func checkWhole(t *testing.T, b string) {
	t.Helper()
	for i := range 8 {
		if b == strings.Repeat(fmt.Sprintf("writer %d;", i), 2000) {
			return
		}
	}
	t.Errorf("read a mixed or partial content of %d bytes", len(b))
}

func mustPut(t *testing.T, s evidence.BlobStore, key, content string) {
	t.Helper()
	if _, err := s.Put(context.Background(), key, strings.NewReader(content)); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustRead(t *testing.T, s evidence.BlobStore, key string) []byte {
	t.Helper()
	rc, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b
}

type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }

// cancelAfter reads from r and calls cancel once left bytes have been read.
type cancelAfter struct {
	r      io.Reader
	left   int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.cancel()
	}
	n, err := c.r.Read(p)
	c.left -= n
	return n, err
}

// newPseudoRandom returns an endless deterministic byte stream.
func newPseudoRandom(seed uint64) io.Reader {
	return &prng{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

type prng struct{ r *rand.Rand }

func (p *prng) Read(b []byte) (int, error) {
	for i := 0; i < len(b); {
		v := p.r.Uint64()
		for j := 0; j < 8 && i < len(b); j++ {
			b[i] = byte(v >> (8 * j))
			i++
		}
	}
	return len(b), nil
}
