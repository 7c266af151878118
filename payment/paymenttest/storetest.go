package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/payment"
)

// RunStoreConformance checks that the stores newStore makes keep the contract of
// [payment.Store]. newStore is called once per subtest and must return an empty store.
func RunStoreConformance(t *testing.T, newStore func(t *testing.T) payment.Store) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	mk := func(id string, minute int) *payment.Payment {
		at := base.Add(time.Duration(minute) * time.Minute)
		return &payment.Payment{
			ID: id, Key: "key-" + id, ApplicationID: "app-1", Owner: "owner-1",
			Amount: 2550, Currency: "EUR", Purpose: "Gebuehr", State: payment.StateCreated,
			CreatedAt: at, UpdatedAt: at,
		}
	}

	t.Run("a created payment reads back equal with version 1", func(t *testing.T) {
		s := newStore(t)
		p := mk("p1", 0)
		p.TransactionID, p.Reference, p.Method = "tx-1", "KZ-1", payment.MethodPayPal
		if err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.Version != 1 {
			t.Fatalf("Version after Create = %d, want 1", p.Version)
		}
		for name, get := range map[string]func() (*payment.Payment, error){
			"Get":      func() (*payment.Payment, error) { return s.Get(ctx, "p1") },
			"GetByKey": func() (*payment.Payment, error) { return s.GetByKey(ctx, "key-p1") },
		} {
			got, err := get()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := samePayment(got, p); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})

	t.Run("a missing payment is ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("Get: err = %v, want ErrNotFound", err)
		}
		if _, err := s.GetByKey(ctx, "nope"); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("GetByKey: err = %v, want ErrNotFound", err)
		}
		p := mk("ghost", 0)
		p.Version = 1
		if err := s.Update(ctx, p); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("Update: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("a second payment with the same id or key is ErrExists and changes nothing", func(t *testing.T) {
		s := newStore(t)
		if err := s.Create(ctx, mk("p1", 0)); err != nil {
			t.Fatal(err)
		}
		sameID := mk("p1", 1)
		sameID.Key, sameID.Amount = "other-key", 1
		if err := s.Create(ctx, sameID); !errors.Is(err, payment.ErrExists) {
			t.Errorf("same id: err = %v, want ErrExists", err)
		}
		sameKey := mk("p2", 1)
		sameKey.Key = "key-p1"
		if err := s.Create(ctx, sameKey); !errors.Is(err, payment.ErrExists) {
			t.Errorf("same key: err = %v, want ErrExists", err)
		}
		got, err := s.Get(ctx, "p1")
		if err != nil || got.Amount != 2550 || got.Key != "key-p1" {
			t.Errorf("stored payment changed: %+v, %v", got, err)
		}
		if _, err := s.Get(ctx, "p2"); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("refused payment was stored: err = %v", err)
		}
		if _, err := s.GetByKey(ctx, "other-key"); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("refused key was stored: err = %v", err)
		}
	})

	t.Run("an update with the current version is stored and bumps the version", func(t *testing.T) {
		s := newStore(t)
		p := mk("p1", 0)
		if err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.State, p.TransactionID, p.UpdatedAt = payment.StatePending, "tx-1", base.Add(time.Minute)
		if err := s.Update(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.Version != 2 {
			t.Errorf("Version after Update = %d, want 2", p.Version)
		}
		got, err := s.Get(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		if err := samePayment(got, p); err != nil {
			t.Error(err)
		}
	})

	t.Run("a stale update is ErrConflict and changes nothing", func(t *testing.T) {
		s := newStore(t)
		p := mk("p1", 0)
		if err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		stale := p.Clone()
		p.State = payment.StatePending
		if err := s.Update(ctx, p); err != nil {
			t.Fatal(err)
		}
		stale.State = payment.StateExpired
		if err := s.Update(ctx, stale); !errors.Is(err, payment.ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
		got, _ := s.Get(ctx, "p1")
		if got.State != payment.StatePending || got.Version != 2 {
			t.Errorf("stored = %s v%d, want pending v2", got.State, got.Version)
		}
	})

	t.Run("an update that changes what the payment is is refused", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(*payment.Payment)
		}{
			{"amount", func(p *payment.Payment) { p.Amount = 1 }},
			{"currency", func(p *payment.Payment) { p.Currency = "USD" }},
			{"owner", func(p *payment.Payment) { p.Owner = "mallory" }},
			{"application", func(p *payment.Payment) { p.ApplicationID = "app-2" }},
			{"key", func(p *payment.Payment) { p.Key = "k2" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := newStore(t)
				p := mk("p1", 0)
				if err := s.Create(ctx, p); err != nil {
					t.Fatal(err)
				}
				q := p.Clone()
				tc.change(q)
				if err := s.Update(ctx, q); !errors.Is(err, payment.ErrInvalid) {
					t.Errorf("err = %v, want ErrInvalid", err)
				}
				got, _ := s.Get(ctx, "p1")
				if err := samePayment(got, p); err != nil {
					t.Errorf("stored payment changed: %v", err)
				}
			})
		}
	})

	t.Run("a returned payment is a copy", func(t *testing.T) {
		s := newStore(t)
		p := mk("p1", 0)
		if err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.Purpose = "changed after create"
		got, _ := s.Get(ctx, "p1")
		got.Purpose = "changed after get"
		again, _ := s.Get(ctx, "p1")
		if again.Purpose != "Gebuehr" {
			t.Errorf("Purpose = %q, want the stored one", again.Purpose)
		}
	})

	t.Run("payments of an application are listed oldest first", func(t *testing.T) {
		s := newStore(t)
		for i, id := range []string{"c", "a", "b"} {
			p := mk(id, 10-i)
			if err := s.Create(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		other := mk("x", 0)
		other.ApplicationID = "app-2"
		if err := s.Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		ps, err := s.ListByApplication(ctx, "app-1")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(ps); got != "[b a c]" {
			t.Errorf("ids = %s, want [b a c]", got)
		}
		ps, _ = s.ListByApplication(ctx, "app-none")
		if len(ps) != 0 {
			t.Errorf("unknown application listed %d payments", len(ps))
		}
	})

	t.Run("payments in a state are listed least recently updated first up to the limit", func(t *testing.T) {
		s := newStore(t)
		for i, id := range []string{"p1", "p2", "p3", "p4"} {
			p := mk(id, 0)
			p.UpdatedAt = base.Add(time.Duration(10-i) * time.Minute)
			if id == "p4" {
				p.State = payment.StatePaid
			} else {
				p.State = payment.StatePending
			}
			if err := s.Create(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		ps, err := s.ListByState(ctx, payment.StatePending, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(ps); got != "[p3 p2]" {
			t.Errorf("ids = %s, want [p3 p2]", got)
		}
		ps, _ = s.ListByState(ctx, payment.StatePending, 0)
		if got := ids(ps); got != "[p3 p2 p1]" {
			t.Errorf("limit 0: ids = %s, want [p3 p2 p1]", got)
		}
	})

	t.Run("of concurrent updates of one version exactly one wins", func(t *testing.T) {
		s := newStore(t)
		p := mk("p1", 0)
		if err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q := p.Clone()
				q.Detail = fmt.Sprint("writer ", i)
				err := s.Update(ctx, q)
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if !errors.Is(err, payment.ErrConflict) {
					t.Errorf("writer %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d writers won, want 1", wins)
		}
	})

	t.Run("a canceled context is an error", func(t *testing.T) {
		s := newStore(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Create(cctx, mk("p1", 0)); err == nil {
			t.Error("Create with canceled context succeeded")
		}
		if _, err := s.Get(cctx, "p1"); err == nil {
			t.Error("Get with canceled context succeeded")
		}
	})
}

func ids(ps []*payment.Payment) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return fmt.Sprint(out)
}

// samePayment compares every field; times by instant.
func samePayment(got, want *payment.Payment) error {
	g, w := *got, *want
	if !g.CreatedAt.Equal(w.CreatedAt) || !g.UpdatedAt.Equal(w.UpdatedAt) || !g.PaidAt.Equal(w.PaidAt) {
		return fmt.Errorf("times differ: got %v/%v/%v, want %v/%v/%v", g.CreatedAt, g.UpdatedAt, g.PaidAt, w.CreatedAt, w.UpdatedAt, w.PaidAt)
	}
	g.CreatedAt, g.UpdatedAt, g.PaidAt = w.CreatedAt, w.UpdatedAt, w.PaidAt
	if g != w {
		return fmt.Errorf("got %+v, want %+v", g, w)
	}
	return nil
}
