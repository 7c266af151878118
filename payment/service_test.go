package payment_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	svc      *payment.Service
	store    *payment.MemoryStore
	provider *paymenttest.MemoryProvider
	clock    *clock
	paid     atomic.Int32
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		store:    payment.NewMemoryStore(),
		provider: paymenttest.NewMemoryProvider(),
		clock:    &clock{t: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)},
	}
	f.svc = payment.NewService(f.store, f.provider, &payment.Options{
		Now:         f.clock.Now,
		ExpireAfter: time.Hour,
		Retry:       payment.Retry{Attempts: 3, Initial: time.Millisecond, Max: 2 * time.Millisecond},
		OnPaid:      func(context.Context, *payment.Payment) { f.paid.Add(1) },
	})
	return f
}

func startRequest() payment.StartRequest {
	return payment.StartRequest{
		Key: "app-1/fee", ApplicationID: "app-1", Owner: "citizen-1", Amount: 2550,
		Purpose: "Anwohnerparken", Description: "Gebühr Anwohnerparkausweis",
		ReturnURL: "https://portal.example/applications/app-1/payment/return",
	}
}

func (f *fixture) start(t *testing.T) *payment.Payment {
	t.Helper()
	p, err := f.svc.Start(context.Background(), startRequest())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return p
}

func ret(p *payment.Payment) payment.Return {
	return payment.Return{PaymentID: p.ID, ApplicationID: p.ApplicationID, Owner: p.Owner}
}

func TestStartGivesAPendingPaymentWithAPayPage(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	if p.State != payment.StatePending || p.TransactionID == "" || p.RedirectURL == "" || p.RequestID == "" {
		t.Fatalf("got %+v, want pending with transaction, request id and pay page", p)
	}
	if p.Amount != 2550 || p.Currency != "EUR" || p.Owner != "citizen-1" || p.ApplicationID != "app-1" {
		t.Errorf("got %+v", p)
	}
	stored, err := f.store.Get(context.Background(), p.ID)
	if err != nil || stored.State != payment.StatePending {
		t.Errorf("stored: %+v, %v", stored, err)
	}
}

func TestStartWithTheSameKeyGivesTheSamePayment(t *testing.T) {
	f := newFixture(t)
	p1 := f.start(t)
	p2 := f.start(t)
	if p1.ID != p2.ID || p1.TransactionID != p2.TransactionID {
		t.Errorf("second start gave %s/%s, want %s/%s", p2.ID, p2.TransactionID, p1.ID, p1.TransactionID)
	}
}

func TestStartAgainAfterPayingGivesThePaidPayment(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	if err := f.provider.Act(p.TransactionID, paymenttest.ActionPay, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.HandleReturn(context.Background(), ret(p)); err != nil {
		t.Fatal(err)
	}
	again := f.start(t)
	if again.ID != p.ID || again.State != payment.StatePaid {
		t.Errorf("got %s %s, want %s paid", again.ID, again.State, p.ID)
	}
}

func TestConcurrentStartsWithOneKeyGiveOnePayment(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	ids := make([]string, 6)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := f.svc.Start(context.Background(), startRequest())
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = p.ID + "/" + p.TransactionID
		}()
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("starts gave different payments: %v", ids)
		}
	}
}

func TestStartRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*payment.StartRequest)
		field  string
	}{
		{"a currency other than EUR is refused", func(r *payment.StartRequest) { r.Currency = "USD" }, "currency"},
		{"a zero amount is refused", func(r *payment.StartRequest) { r.Amount = 0 }, "amount"},
		{"a negative amount is refused", func(r *payment.StartRequest) { r.Amount = -100 }, "amount"},
		{"an amount above 999999.99 EUR is refused", func(r *payment.StartRequest) { r.Amount = payment.MaxAmount + 1 }, "amount"},
		{"an empty key is refused", func(r *payment.StartRequest) { r.Key = "" }, "key"},
		{"a key with a control character is refused", func(r *payment.StartRequest) { r.Key = "a\nb" }, "key"},
		{"an overlong key is refused", func(r *payment.StartRequest) { r.Key = strings.Repeat("k", 129) }, "key"},
		{"a missing owner is refused", func(r *payment.StartRequest) { r.Owner = "" }, "owner"},
		{"a missing application is refused", func(r *payment.StartRequest) { r.ApplicationID = "" }, "applicationId"},
		{"an empty purpose is refused", func(r *payment.StartRequest) { r.Purpose = "" }, "purpose"},
		{"a description over 250 characters is refused", func(r *payment.StartRequest) { r.Description = strings.Repeat("ä", 251) }, "description"},
		{"a relative return URL is refused", func(r *payment.StartRequest) { r.ReturnURL = "/back" }, "returnUrl"},
		{"a javascript return URL is refused", func(r *payment.StartRequest) { r.ReturnURL = "javascript:alert(1)" }, "returnUrl"},
		{"a return URL with user info is refused", func(r *payment.StartRequest) { r.ReturnURL = "https://u:p@portal.example/" }, "returnUrl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			req := startRequest()
			tc.change(&req)
			_, err := f.svc.Start(context.Background(), req)
			var fe *payment.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, payment.ErrInvalid) {
				t.Fatalf("err = %v, want a FieldError for %s", err, tc.field)
			}
			if _, err := f.store.GetByKey(context.Background(), req.Key); !errors.Is(err, payment.ErrNotFound) {
				t.Errorf("bad input stored a payment: %v", err)
			}
		})
	}
}

func TestADifferentAmountUnderTheSameKeyIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*payment.StartRequest)
	}{
		{"another amount", func(r *payment.StartRequest) { r.Amount = 100 }},
		{"another application", func(r *payment.StartRequest) { r.ApplicationID = "app-2" }},
		{"another owner", func(r *payment.StartRequest) { r.Owner = "citizen-2" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			p := f.start(t)
			req := startRequest()
			tc.change(&req)
			if _, err := f.svc.Start(context.Background(), req); !errors.Is(err, payment.ErrKeyReused) {
				t.Fatalf("err = %v, want ErrKeyReused", err)
			}
			stored, _ := f.store.Get(context.Background(), p.ID)
			if stored.Amount != 2550 || stored.Version != p.Version || stored.ApplicationID != "app-1" {
				t.Errorf("stored payment changed: %+v", stored)
			}
		})
	}
}

func TestThePayFlowEndsPaidAndCallsTheHookOnce(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	if err := f.provider.Act(p.TransactionID, paymenttest.ActionPay, payment.MethodGiropay); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.HandleReturn(context.Background(), ret(p))
	if err != nil {
		t.Fatal(err)
	}
	if got.State != payment.StatePaid || got.Method != payment.MethodGiropay || got.PaidAt.IsZero() || got.RedirectURL != "" {
		t.Errorf("got %+v, want paid by giropay with a time and no pay page", got)
	}
	if n := f.paid.Load(); n != 1 {
		t.Errorf("OnPaid called %d times, want 1", n)
	}
	if pp, err := f.svc.PaidFor(context.Background(), "app-1", "citizen-1"); err != nil || pp.ID != p.ID {
		t.Errorf("PaidFor = %v, %v", pp, err)
	}
	if _, err := f.svc.PaidFor(context.Background(), "app-1", "citizen-2"); !errors.Is(err, payment.ErrNotPaid) {
		t.Errorf("PaidFor another owner: err = %v, want ErrNotPaid", err)
	}
}

func TestCancelAndFailEndThePayment(t *testing.T) {
	for _, tc := range []struct {
		action paymenttest.Action
		want   payment.State
	}{
		{paymenttest.ActionCancel, payment.StateCanceled},
		{paymenttest.ActionFail, payment.StateFailed},
	} {
		t.Run(string(tc.action), func(t *testing.T) {
			f := newFixture(t)
			p := f.start(t)
			if err := f.provider.Act(p.TransactionID, tc.action, ""); err != nil {
				t.Fatal(err)
			}
			got, err := f.svc.HandleReturn(context.Background(), ret(p))
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tc.want || f.paid.Load() != 0 {
				t.Errorf("state %s, hook called %d times; want %s and 0", got.State, f.paid.Load(), tc.want)
			}
			if _, err := f.svc.PaidFor(context.Background(), "app-1", "citizen-1"); !errors.Is(err, payment.ErrNotPaid) {
				t.Errorf("PaidFor: err = %v, want ErrNotPaid", err)
			}
		})
	}
}

func TestAReturnWithStatusPayedInTheQueryIsNotBelieved(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	// The portal's return route, as package ozg serves it.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, err := f.svc.HandleReturn(r.Context(), payment.ReturnFromRequest(r, "app-1", "citizen-1"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(got.State))
	})
	req := httptest.NewRequest("GET", "/applications/app-1/payment/return?payment="+p.ID+"&status=PAYED&amount=25.50&paid=true", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Body.String() != string(payment.StatePending) {
		t.Errorf("return answered %q, want pending: the provider says INITIAL", rec.Body.String())
	}
	stored, _ := f.store.Get(context.Background(), p.ID)
	if stored.State != payment.StatePending || f.paid.Load() != 0 {
		t.Errorf("stored %s, hook %d; want pending and no hook", stored.State, f.paid.Load())
	}
}

func TestAnAmountTamperedAtTheProviderIsRefused(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	f.provider.SetAmount(p.TransactionID, 1) // the citizen paid 0.01 EUR instead of 25.50
	if err := f.provider.Act(p.TransactionID, paymenttest.ActionPay, ""); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.HandleReturn(context.Background(), ret(p))
	if !errors.Is(err, payment.ErrMismatch) {
		t.Fatalf("err = %v, want ErrMismatch", err)
	}
	if got.State != payment.StatePending || f.paid.Load() != 0 {
		t.Errorf("state %s, hook %d; want pending and no hook", got.State, f.paid.Load())
	}
	rep, err := f.svc.Reconcile(context.Background())
	if err != nil || rep.Mismatched != 1 || rep.Paid != 0 {
		t.Errorf("Reconcile = %+v, %v; want one mismatch and nothing paid", rep, err)
	}
}

func TestAReturnForAnotherCitizensApplicationIsNotFound(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*payment.Return)
	}{
		{"another owner", func(r *payment.Return) { r.Owner = "citizen-2" }},
		{"no owner", func(r *payment.Return) { r.Owner = "" }},
		{"another application", func(r *payment.Return) { r.ApplicationID = "app-2" }},
		{"an unknown payment", func(r *payment.Return) { r.PaymentID = "00000000-0000-0000-0000-000000000000" }},
		{"an overlong payment id", func(r *payment.Return) { r.PaymentID = strings.Repeat("x", 5000) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			p := f.start(t)
			if err := f.provider.Act(p.TransactionID, paymenttest.ActionPay, ""); err != nil {
				t.Fatal(err)
			}
			r := ret(p)
			tc.change(&r)
			if _, err := f.svc.HandleReturn(context.Background(), r); !errors.Is(err, payment.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			stored, _ := f.store.Get(context.Background(), p.ID)
			if stored.State != payment.StatePending || f.paid.Load() != 0 {
				t.Errorf("stored %s, hook %d; want pending and no hook", stored.State, f.paid.Load())
			}
		})
	}
}

func TestDuplicateReturnsChangeNothing(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	if err := f.provider.Act(p.TransactionID, paymenttest.ActionPay, ""); err != nil {
		t.Fatal(err)
	}
	first, err := f.svc.HandleReturn(context.Background(), ret(p))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := f.svc.HandleReturn(context.Background(), ret(p))
			if err != nil || got.State != payment.StatePaid || got.Version != first.Version {
				t.Errorf("duplicate return: %+v, %v", got, err)
			}
		}()
	}
	wg.Wait()
	if n := f.paid.Load(); n != 1 {
		t.Errorf("OnPaid called %d times, want 1", n)
	}
}

func TestConcurrentFirstReturnsCallTheHookOnce(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	if err := f.provider.Act(p.TransactionID, paymenttest.ActionPay, ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := f.svc.HandleReturn(context.Background(), ret(p)); err != nil || got.State != payment.StatePaid {
				t.Errorf("return: %+v, %v", got, err)
			}
		}()
	}
	wg.Wait()
	if n := f.paid.Load(); n != 1 {
		t.Errorf("OnPaid called %d times, want 1", n)
	}
}

func TestAProviderOutageIsRetriedAndNeverFailsThePayment(t *testing.T) {
	t.Run("a short outage at start is retried", func(t *testing.T) {
		f := newFixture(t)
		f.provider.Unavailable(2) // two of three attempts fail
		p := f.start(t)
		if p.State != payment.StatePending {
			t.Errorf("state %s, want pending", p.State)
		}
	})
	t.Run("a long outage at start leaves a created payment that the same key resumes", func(t *testing.T) {
		f := newFixture(t)
		f.provider.Unavailable(3)
		_, err := f.svc.Start(context.Background(), startRequest())
		if !errors.Is(err, payment.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		stored, err := f.store.GetByKey(context.Background(), "app-1/fee")
		if err != nil || stored.State != payment.StateCreated {
			t.Fatalf("stored %+v, %v; want created", stored, err)
		}
		p := f.start(t)
		if p.ID != stored.ID || p.State != payment.StatePending {
			t.Errorf("resumed %s %s, want %s pending", p.ID, p.State, stored.ID)
		}
	})
	t.Run("a long outage at return leaves the payment pending", func(t *testing.T) {
		f := newFixture(t)
		p := f.start(t)
		if err := f.provider.Act(p.TransactionID, paymenttest.ActionFail, ""); err != nil {
			t.Fatal(err)
		}
		f.provider.Unavailable(3)
		got, err := f.svc.HandleReturn(context.Background(), ret(p))
		if !errors.Is(err, payment.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if got.State != payment.StatePending {
			t.Errorf("state %s, want pending", got.State)
		}
		got, err = f.svc.HandleReturn(context.Background(), ret(p))
		if err != nil || got.State != payment.StateFailed {
			t.Errorf("after the outage: %s, %v; want failed", got.State, err)
		}
	})
	t.Run("reconcile during an outage neither fails nor expires", func(t *testing.T) {
		f := newFixture(t)
		p := f.start(t)
		f.clock.Add(2 * time.Hour)
		f.provider.Unavailable(3)
		rep, err := f.svc.Reconcile(context.Background())
		if err != nil || rep.Unavailable != 1 || rep.Expired != 0 {
			t.Errorf("Reconcile = %+v, %v; want one unavailable, none expired", rep, err)
		}
		stored, _ := f.store.Get(context.Background(), p.ID)
		if stored.State != payment.StatePending {
			t.Errorf("state %s, want pending", stored.State)
		}
	})
}

func TestReconcileMarksAPendingPaymentPaidWhenTheProviderSaysPayed(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	if err := f.provider.Act(p.TransactionID, paymenttest.ActionPay, payment.MethodPayPal); err != nil {
		t.Fatal(err)
	}
	// The citizen closed the tab: no return.
	rep, err := f.svc.Reconcile(context.Background())
	if err != nil || rep.Paid != 1 || rep.Checked != 1 {
		t.Fatalf("Reconcile = %+v, %v; want one checked and paid", rep, err)
	}
	stored, _ := f.store.Get(context.Background(), p.ID)
	if stored.State != payment.StatePaid || stored.Method != payment.MethodPayPal || f.paid.Load() != 1 {
		t.Errorf("stored %s %s, hook %d; want paid by PAYPAL, hook 1", stored.State, stored.Method, f.paid.Load())
	}
	rep, _ = f.svc.Reconcile(context.Background())
	if rep.Checked != 0 {
		t.Errorf("a paid payment is reconciled again: %+v", rep)
	}
}

func TestReconcileExpiresAPaymentLeftOpenTooLong(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	f.clock.Add(59 * time.Minute)
	if rep, _ := f.svc.Reconcile(context.Background()); rep.Expired != 0 {
		t.Fatalf("expired before ExpireAfter: %+v", rep)
	}
	f.clock.Add(time.Minute)
	rep, err := f.svc.Reconcile(context.Background())
	if err != nil || rep.Expired != 1 {
		t.Fatalf("Reconcile = %+v, %v; want one expired", rep, err)
	}
	stored, _ := f.store.Get(context.Background(), p.ID)
	if stored.State != payment.StateExpired || stored.RedirectURL != "" {
		t.Errorf("stored %s with pay page %q, want expired without", stored.State, stored.RedirectURL)
	}
	// The citizen paid in a tab left open after all: paid beats expired.
	if err := f.provider.Act(p.TransactionID, paymenttest.ActionPay, ""); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.HandleReturn(context.Background(), ret(p))
	if err != nil || got.State != payment.StatePaid || f.paid.Load() != 1 {
		t.Errorf("late return: %s, %v, hook %d; want paid, hook 1", got.State, err, f.paid.Load())
	}
}

func TestReconcileExpiresAPaymentTheProviderNeverConfirmed(t *testing.T) {
	f := newFixture(t)
	f.provider.Unavailable(3)
	if _, err := f.svc.Start(context.Background(), startRequest()); !errors.Is(err, payment.ErrUnavailable) {
		t.Fatal(err)
	}
	f.clock.Add(2 * time.Hour)
	rep, err := f.svc.Reconcile(context.Background())
	if err != nil || rep.Expired != 1 {
		t.Errorf("Reconcile = %+v, %v; want one expired", rep, err)
	}
}

func TestPaidByTheProviderWinsOverAnEarlierFailure(t *testing.T) {
	f := newFixture(t)
	p := f.start(t)
	if err := f.provider.Act(p.TransactionID, paymenttest.ActionPay, ""); err != nil {
		t.Fatal(err)
	}
	// An earlier return recorded a failure (e.g. the provider reported FAILED for a
	// first attempt in another tab).
	stored, _ := f.store.Get(context.Background(), p.ID)
	stored.State = payment.StateFailed
	if err := f.store.Update(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.HandleReturn(context.Background(), ret(p))
	if err != nil || got.State != payment.StatePaid {
		t.Errorf("got %s, %v; want paid", got.State, err)
	}
}

func TestReconcileExpiresAPaymentTheProviderDoesNotKnow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.clock.Now()
	p := &payment.Payment{
		ID: "p-lost", Key: "k-lost", ApplicationID: "app-1", Owner: "citizen-1", Amount: 100, Currency: "EUR",
		Purpose: "x", State: payment.StatePending, TransactionID: "forgotten-by-the-provider", CreatedAt: now, UpdatedAt: now,
	}
	if err := f.store.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.Reconcile(ctx)
	if err != nil || rep.Errors != 1 || rep.Expired != 0 {
		t.Fatalf("before ExpireAfter: %+v, %v; want one error, none expired", rep, err)
	}
	f.clock.Add(time.Hour)
	rep, err = f.svc.Reconcile(ctx)
	if err != nil || rep.Errors != 1 || rep.Expired != 1 {
		t.Errorf("after ExpireAfter: %+v, %v; want one error, one expired", rep, err)
	}
}

// hostileProvider is a real MemoryProvider whose pay page link was replaced, as a broken or
// compromised platform might answer.
type hostileProvider struct {
	*paymenttest.MemoryProvider
	redirect string
}

func (h hostileProvider) Create(ctx context.Context, req payment.CreateRequest) (payment.Transaction, error) {
	tx, err := h.MemoryProvider.Create(ctx, req)
	tx.RedirectURL = h.redirect
	return tx, err
}

func TestAPayPageThatIsNoWebAddressIsNotHandedOut(t *testing.T) {
	for _, redirect := range []string{"javascript:alert(1)", "", "/relative", "data:text/html,hi"} {
		svc := payment.NewService(payment.NewMemoryStore(), hostileProvider{paymenttest.NewMemoryProvider(), redirect}, nil)
		p, err := svc.Start(context.Background(), startRequest())
		if err == nil {
			t.Errorf("%q: handed out %+v", redirect, p)
		}
	}
}
