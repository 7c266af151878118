package paymenttest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/payment"
)

// ProviderHarness is what [RunProviderConformance] needs of one provider.
type ProviderHarness struct {
	// Provider is the implementation under test.
	Provider payment.Provider
	// Act does what the citizen chooses on the pay page of tx (reached via tx.RedirectURL).
	Act func(ctx context.Context, tx payment.Transaction, a Action) error
	// ReturnURL is an absolute URL the provider accepts as the citizen's return URL.
	ReturnURL string
}

// RunProviderConformance checks that the providers newHarness makes keep the contract of
// [payment.Provider]. newHarness is called once per subtest.
func RunProviderConformance(t *testing.T, newHarness func(t *testing.T) ProviderHarness) {
	t.Helper()
	ctx := context.Background()
	request := func(h ProviderHarness) payment.CreateRequest {
		return payment.CreateRequest{
			RequestID: uuid.NewString(), Amount: 2550, Currency: "EUR",
			Purpose: "Gebuehr Anwohnerparken", Description: "Anwohnerparkausweis",
			Reference: "app-1", ReturnURL: h.ReturnURL,
		}
	}
	create := func(t *testing.T, h ProviderHarness) payment.Transaction {
		t.Helper()
		tx, err := h.Provider.Create(ctx, request(h))
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		return tx
	}

	t.Run("a created transaction is pending with a pay page and the asked amount", func(t *testing.T) {
		h := newHarness(t)
		tx := create(t, h)
		if tx.ID == "" || tx.RedirectURL == "" {
			t.Errorf("ID %q, RedirectURL %q: want both set", tx.ID, tx.RedirectURL)
		}
		if tx.Status != payment.StatePending || tx.Amount != 2550 || tx.Currency != "EUR" {
			t.Errorf("got %s %d %s, want pending 2550 EUR", tx.Status, tx.Amount, tx.Currency)
		}
		got, err := h.Provider.Status(ctx, tx.ID)
		if err != nil {
			t.Fatalf("Status: %v", err)
		}
		if got.ID != tx.ID || got.Status != payment.StatePending || got.Amount != 2550 || got.Currency != "EUR" {
			t.Errorf("Status = %+v, want the pending transaction", got)
		}
	})

	for _, tc := range []struct {
		action Action
		want   payment.State
	}{
		{ActionPay, payment.StatePaid},
		{ActionCancel, payment.StateCanceled},
		{ActionFail, payment.StateFailed},
	} {
		t.Run("the citizen's choice "+string(tc.action)+" is reported as "+string(tc.want), func(t *testing.T) {
			h := newHarness(t)
			tx := create(t, h)
			if err := h.Act(ctx, tx, tc.action); err != nil {
				t.Fatalf("Act: %v", err)
			}
			got, err := h.Provider.Status(ctx, tx.ID)
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			if got.Status != tc.want || got.Amount != 2550 || got.Currency != "EUR" {
				t.Errorf("Status = %s %d %s, want %s 2550 EUR", got.Status, got.Amount, got.Currency, tc.want)
			}
			if tc.want == payment.StatePaid && (!got.Method.Valid() || got.PaidAt.IsZero()) {
				t.Errorf("paid transaction: method %q, paid at %v: want both set", got.Method, got.PaidAt)
			}
			if tc.want != payment.StatePaid && got.Method != "" {
				t.Errorf("unpaid transaction reports method %q", got.Method)
			}
			if got.RedirectURL != "" {
				t.Errorf("final transaction still offers pay page %q", got.RedirectURL)
			}
		})
	}

	t.Run("a final transaction cannot be acted on again", func(t *testing.T) {
		h := newHarness(t)
		tx := create(t, h)
		if err := h.Act(ctx, tx, ActionCancel); err != nil {
			t.Fatal(err)
		}
		_ = h.Act(ctx, tx, ActionPay) // may or may not report an error; the state decides
		got, err := h.Provider.Status(ctx, tx.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != payment.StateCanceled {
			t.Errorf("Status = %s, want canceled", got.Status)
		}
	})

	t.Run("a reused request id is ErrExists", func(t *testing.T) {
		h := newHarness(t)
		req := request(h)
		if _, err := h.Provider.Create(ctx, req); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Provider.Create(ctx, req); !errors.Is(err, payment.ErrExists) {
			t.Errorf("err = %v, want ErrExists", err)
		}
	})

	t.Run("an unknown transaction is ErrNotFound", func(t *testing.T) {
		h := newHarness(t)
		if _, err := h.Provider.Status(ctx, "unknown-transaction-0815"); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})

	for _, tc := range []struct {
		name   string
		change func(*payment.CreateRequest)
	}{
		{"a currency other than EUR", func(r *payment.CreateRequest) { r.Currency = "USD" }},
		{"a zero amount", func(r *payment.CreateRequest) { r.Amount = 0 }},
		{"an amount above 999999.99", func(r *payment.CreateRequest) { r.Amount = payment.MaxAmount + 1 }},
		{"an empty request id", func(r *payment.CreateRequest) { r.RequestID = "" }},
		{"a request id longer than 36", func(r *payment.CreateRequest) { r.RequestID = uuid.NewString() + "-x" }},
		{"an empty purpose", func(r *payment.CreateRequest) { r.Purpose = "" }},
		{"a relative return URL", func(r *payment.CreateRequest) { r.ReturnURL = "/back" }},
	} {
		t.Run(tc.name+" is ErrInvalid", func(t *testing.T) {
			h := newHarness(t)
			req := request(h)
			tc.change(&req)
			if _, err := h.Provider.Create(ctx, req); !errors.Is(err, payment.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}

	t.Run("a refunder pays back paid transactions only and never more than was paid", func(t *testing.T) {
		h := newHarness(t)
		r, ok := h.Provider.(payment.Refunder)
		if !ok {
			t.Skip("the provider cannot refund")
		}
		tx := create(t, h)
		if err := r.Refund(ctx, tx.ID, 100); !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("refund of a pending transaction: err = %v, want ErrInvalid", err)
		}
		if err := h.Act(ctx, tx, ActionPay); err != nil {
			t.Fatal(err)
		}
		if err := r.Refund(ctx, tx.ID, 2551); !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("refund of more than was paid: err = %v, want ErrInvalid", err)
		}
		if err := r.Refund(ctx, tx.ID, 2000); err != nil {
			t.Fatalf("partial refund: %v", err)
		}
		if err := r.Refund(ctx, tx.ID, 551); !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("refund beyond what is left: err = %v, want ErrInvalid", err)
		}
		if err := r.Refund(ctx, tx.ID, 550); err != nil {
			t.Errorf("refund of the rest: %v", err)
		}
		if err := r.Refund(ctx, "unknown-transaction-0815", 1); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("refund of an unknown transaction: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("a canceled context is an error", func(t *testing.T) {
		h := newHarness(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := h.Provider.Create(cctx, request(h)); err == nil {
			t.Error("Create with canceled context succeeded")
		}
	})
}
