package payment_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// flow is a portal with one return route, a local XBezahldienste platform and a browser.
type flow struct {
	platform *paymenttest.Server
	platHTTP *httptest.Server
	portal   *httptest.Server
	svc      *payment.Service
	store    *payment.MemoryStore
	citizen  *paymenttest.Citizen
	clock    *clock
	paid     atomic.Int32
}

// owner of the portal's session in these tests; the header stands for the session cookie.
const sessionHeader = "X-Test-Subject"

func newFlow(t *testing.T, clientTimeout time.Duration) *flow {
	t.Helper()
	f := &flow{
		platform: paymenttest.NewServer(nil),
		store:    payment.NewMemoryStore(),
		clock:    &clock{t: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)},
	}
	f.platHTTP = httptest.NewServer(f.platform)
	t.Cleanup(f.platHTTP.Close)
	hc := f.platHTTP.Client()
	if clientTimeout > 0 {
		c := *hc
		c.Timeout = clientTimeout
		hc = &c
	}
	client, err := xbezahldienste.New(xbezahldienste.Config{
		BaseURL: f.platHTTP.URL, OriginatorID: "ozgkit", EndpointID: "test", HTTPClient: hc,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = payment.NewService(f.store, client, &payment.Options{
		Now:         f.clock.Now,
		ExpireAfter: time.Hour,
		Retry:       payment.Retry{Attempts: 3, Initial: time.Millisecond, Max: 4 * time.Millisecond},
		OnPaid:      func(context.Context, *payment.Payment) { f.paid.Add(1) },
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /applications/{id}/payment/return", func(w http.ResponseWriter, r *http.Request) {
		p, err := f.svc.HandleReturn(r.Context(), payment.ReturnFromRequest(r, r.PathValue("id"), r.Header.Get(sessionHeader)))
		switch {
		case errors.Is(err, payment.ErrNotFound):
			http.Error(w, "not found", http.StatusNotFound)
		case errors.Is(err, payment.ErrUnavailable):
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprint(w, p.State)
		case err != nil:
			http.Error(w, err.Error(), http.StatusConflict)
		default:
			fmt.Fprint(w, p.State)
		}
	})
	f.portal = httptest.NewServer(mux)
	t.Cleanup(f.portal.Close)
	f.citizen = &paymenttest.Citizen{Client: f.platHTTP.Client()}
	return f
}

func (f *flow) start(t *testing.T) *payment.Payment {
	t.Helper()
	req := startRequest()
	req.ReturnURL = f.portal.URL + "/applications/app-1/payment/return"
	p, err := f.svc.Start(context.Background(), req)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return p
}

// back follows the pay page's redirect to the portal as the given citizen.
func (f *flow) back(t *testing.T, location, subject string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", location, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(sessionHeader, subject)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTheFullPayFlow(t *testing.T) {
	for _, tc := range []struct {
		action paymenttest.Action
		want   payment.State
		hooks  int32
	}{
		{paymenttest.ActionPay, payment.StatePaid, 1},
		{paymenttest.ActionCancel, payment.StateCanceled, 0},
		{paymenttest.ActionFail, payment.StateFailed, 0},
	} {
		t.Run("the citizen chooses "+string(tc.action), func(t *testing.T) {
			f := newFlow(t, 0)
			p := f.start(t)
			if !strings.HasPrefix(p.RedirectURL, f.platHTTP.URL+"/pay/") {
				t.Fatalf("redirect URL %q is not the platform's pay page", p.RedirectURL)
			}
			location, err := f.citizen.Choose(context.Background(), p.RedirectURL, tc.action, payment.MethodGiropay)
			if err != nil {
				t.Fatal(err)
			}
			wantBack := f.portal.URL + "/applications/app-1/payment/return?payment=" + p.ID
			if location != wantBack {
				t.Fatalf("pay page sent the citizen to %q, want %q", location, wantBack)
			}
			code, body := f.back(t, location, "citizen-1")
			if code != http.StatusOK || body != string(tc.want) {
				t.Fatalf("return answered %d %q, want 200 %q", code, body, tc.want)
			}
			stored, _ := f.store.Get(context.Background(), p.ID)
			if stored.State != tc.want || f.paid.Load() != tc.hooks {
				t.Errorf("stored %s, hook %d; want %s, %d", stored.State, f.paid.Load(), tc.want, tc.hooks)
			}
			if tc.want == payment.StatePaid && (stored.Method != payment.MethodGiropay || stored.PaidAt.IsZero() || stored.Reference == "") {
				t.Errorf("paid payment lacks facts: %+v", stored)
			}
		})
	}
}

func TestReconcileMarksAPendingPaymentPaidWhenThePlatformSaysPayed(t *testing.T) {
	f := newFlow(t, 0)
	p := f.start(t)
	if _, err := f.citizen.Choose(context.Background(), p.RedirectURL, paymenttest.ActionPay, ""); err != nil {
		t.Fatal(err)
	}
	// The browser never comes back.
	rep, err := f.svc.Reconcile(context.Background())
	if err != nil || rep.Paid != 1 {
		t.Fatalf("Reconcile = %+v, %v; want one paid", rep, err)
	}
	stored, _ := f.store.Get(context.Background(), p.ID)
	if stored.State != payment.StatePaid || f.paid.Load() != 1 {
		t.Errorf("stored %s, hook %d; want paid, 1", stored.State, f.paid.Load())
	}
	code, body := f.back(t, f.portal.URL+"/applications/app-1/payment/return?payment="+p.ID, "citizen-1")
	if code != 200 || body != "paid" || f.paid.Load() != 1 {
		t.Errorf("late return: %d %q, hook %d; want 200 paid, hook 1", code, body, f.paid.Load())
	}
}

func TestFlowBadInput(t *testing.T) {
	ctx := context.Background()
	t.Run("a return with status=PAYED in the query while the platform says INITIAL stays pending", func(t *testing.T) {
		f := newFlow(t, 0)
		p := f.start(t)
		code, body := f.back(t, f.portal.URL+"/applications/app-1/payment/return?payment="+p.ID+"&status=PAYED&transactionId="+p.TransactionID, "citizen-1")
		if code != 200 || body != "pending" || f.paid.Load() != 0 {
			t.Errorf("return answered %d %q, hook %d; want 200 pending, 0", code, body, f.paid.Load())
		}
	})
	t.Run("an amount tampered between start and return is refused", func(t *testing.T) {
		f := newFlow(t, 0)
		p := f.start(t)
		f.platform.SetAmount(p.TransactionID, 1)
		location, err := f.citizen.Choose(ctx, p.RedirectURL, paymenttest.ActionPay, "")
		if err != nil {
			t.Fatal(err)
		}
		code, _ := f.back(t, location, "citizen-1")
		stored, _ := f.store.Get(ctx, p.ID)
		if code != http.StatusConflict || stored.State != payment.StatePending || f.paid.Load() != 0 {
			t.Errorf("return %d, stored %s, hook %d; want 409, pending, 0", code, stored.State, f.paid.Load())
		}
	})
	t.Run("a currency other than EUR is refused before anything is sent", func(t *testing.T) {
		f := newFlow(t, 0)
		req := startRequest()
		req.Currency = "USD"
		if _, err := f.svc.Start(ctx, req); !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("err = %v, want ErrInvalid", err)
		}
		if n := f.platform.APICalls(); n != 0 {
			t.Errorf("%d requests reached the platform", n)
		}
	})
	for _, purpose := range []string{"Gebühr für den Anwohnerparkausweis", "Gebühr: Parken!"} {
		t.Run(fmt.Sprintf("the purpose %q is refused and nothing is stored", purpose), func(t *testing.T) {
			f := newFlow(t, 0)
			req := startRequest()
			req.Purpose = purpose
			_, err := f.svc.Start(ctx, req)
			var fe *payment.FieldError
			if !errors.As(err, &fe) || fe.Field != "purpose" {
				t.Fatalf("err = %v, want a FieldError for purpose", err)
			}
			if _, err := f.store.GetByKey(ctx, req.Key); !errors.Is(err, payment.ErrNotFound) {
				t.Errorf("a payment was stored: %v", err)
			}
			if n := f.platform.APICalls(); n != 0 {
				t.Errorf("%d requests reached the platform", n)
			}
		})
	}
	t.Run("a purpose with umlauts is transliterated and accepted", func(t *testing.T) {
		f := newFlow(t, 0)
		req := startRequest()
		req.Purpose = "Gebühr Straßenfest"
		p, err := f.svc.Start(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		held, _ := f.platform.Transaction(p.TransactionID)
		if held.PaymentRequest.Purpose != "Gebuehr Strassenfest" {
			t.Errorf("purpose at the platform = %q", held.PaymentRequest.Purpose)
		}
	})
	t.Run("platform 5xx at start are retried with backoff", func(t *testing.T) {
		f := newFlow(t, 0)
		f.platform.Unavailable(2)
		p := f.start(t)
		if p.State != payment.StatePending || f.platform.APICalls() != 3 {
			t.Errorf("state %s after %d calls, want pending after 3", p.State, f.platform.APICalls())
		}
	})
	t.Run("platform timeouts at return leave the payment pending, never failed", func(t *testing.T) {
		f := newFlow(t, 300*time.Millisecond)
		p := f.start(t)
		if _, err := f.citizen.Choose(ctx, p.RedirectURL, paymenttest.ActionFail, ""); err != nil {
			t.Fatal(err)
		}
		f.platform.Hang(3)
		got, err := f.svc.HandleReturn(ctx, ret(p))
		if !errors.Is(err, payment.ErrUnavailable) || got.State != payment.StatePending {
			t.Fatalf("got %v, %v; want pending and ErrUnavailable", got, err)
		}
		got, err = f.svc.HandleReturn(ctx, ret(p))
		if err != nil || got.State != payment.StateFailed {
			t.Errorf("after the outage: %v, %v; want failed (as the platform says)", got, err)
		}
	})
	t.Run("platform 5xx at return leave the payment pending", func(t *testing.T) {
		f := newFlow(t, 0)
		p := f.start(t)
		if _, err := f.citizen.Choose(ctx, p.RedirectURL, paymenttest.ActionPay, ""); err != nil {
			t.Fatal(err)
		}
		f.platform.Unavailable(3)
		code, body := f.back(t, f.portal.URL+"/applications/app-1/payment/return?payment="+p.ID, "citizen-1")
		if code != http.StatusAccepted || body != "pending" {
			t.Errorf("return answered %d %q, want 202 pending", code, body)
		}
	})
	t.Run("duplicate returns change nothing", func(t *testing.T) {
		f := newFlow(t, 0)
		p := f.start(t)
		location, err := f.citizen.Choose(ctx, p.RedirectURL, paymenttest.ActionPay, "")
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if code, body := f.back(t, location, "citizen-1"); code != 200 || body != "paid" {
				t.Errorf("return answered %d %q", code, body)
			}
		}
		stored, _ := f.store.Get(ctx, p.ID)
		if f.paid.Load() != 1 || stored.Version != 3 {
			t.Errorf("hook %d, version %d; want 1 and 3 (create, pending, paid)", f.paid.Load(), stored.Version)
		}
	})
	t.Run("a return for another citizen's application is not found", func(t *testing.T) {
		f := newFlow(t, 0)
		p := f.start(t)
		location, err := f.citizen.Choose(ctx, p.RedirectURL, paymenttest.ActionPay, "")
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := f.back(t, location, "citizen-2"); code != http.StatusNotFound {
			t.Errorf("another citizen: %d, want 404", code)
		}
		other := strings.Replace(location, "/applications/app-1/", "/applications/app-2/", 1)
		if code, _ := f.back(t, other, "citizen-1"); code != http.StatusNotFound {
			t.Errorf("another application: %d, want 404", code)
		}
		stored, _ := f.store.Get(ctx, p.ID)
		if stored.State != payment.StatePending || f.paid.Load() != 0 {
			t.Errorf("stored %s, hook %d; want pending, 0", stored.State, f.paid.Load())
		}
	})
	t.Run("a pay page of a finished payment offers no form", func(t *testing.T) {
		f := newFlow(t, 0)
		p := f.start(t)
		if _, err := f.citizen.Choose(ctx, p.RedirectURL, paymenttest.ActionCancel, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.citizen.Choose(ctx, p.RedirectURL, paymenttest.ActionPay, ""); err == nil {
			t.Error("a canceled payment could be paid")
		}
	})
}

func TestReconcileAsksWhetherThePlatformIsReadyFirst(t *testing.T) {
	t.Run("a ready platform is asked about each payment", func(t *testing.T) {
		f := newFlow(t, 0)
		f.start(t)
		before := f.platform.APICalls()
		rep, err := f.svc.Reconcile(context.Background())
		if err != nil || rep.ProviderDown || rep.Checked != 1 {
			t.Fatalf("Reconcile = %+v, %v", rep, err)
		}
		if n := f.platform.APICalls() - before; n != 2 {
			t.Errorf("%d requests, want 2 (status of the configuration, status of the transaction)", n)
		}
	})
	t.Run("a platform that is down is asked about no payment and nothing expires", func(t *testing.T) {
		f := newFlow(t, 0)
		p := f.start(t)
		f.clock.Add(2 * time.Hour) // overdue
		f.platform.Unavailable(1)
		before := f.platform.APICalls()
		rep, err := f.svc.Reconcile(context.Background())
		if err != nil || !rep.ProviderDown || rep.Unavailable != 1 || rep.Expired != 0 {
			t.Fatalf("Reconcile = %+v, %v; want provider down, one unavailable, none expired", rep, err)
		}
		if n := f.platform.APICalls() - before; n != 1 {
			t.Errorf("%d requests, want only the one status request", n)
		}
		if stored, _ := f.store.Get(context.Background(), p.ID); stored.State != payment.StatePending {
			t.Errorf("payment is %s, want pending", stored.State)
		}
	})
	t.Run("a platform that refuses the configuration fails the run and changes nothing", func(t *testing.T) {
		f := newFlow(t, 0)
		p := f.start(t)
		f.clock.Add(2 * time.Hour)
		wrong, err := xbezahldienste.New(xbezahldienste.Config{BaseURL: f.platHTTP.URL, OriginatorID: "other", EndpointID: "test", HTTPClient: f.platHTTP.Client()})
		if err != nil {
			t.Fatal(err)
		}
		svc := payment.NewService(f.store, wrong, &payment.Options{Now: f.clock.Now, ExpireAfter: time.Hour})
		if _, err := svc.Reconcile(context.Background()); !errors.Is(err, payment.ErrProvider) {
			t.Errorf("err = %v, want ErrProvider", err)
		}
		if stored, _ := f.store.Get(context.Background(), p.ID); stored.State != payment.StatePending {
			t.Errorf("payment is %s, want pending", stored.State)
		}
	})
}
