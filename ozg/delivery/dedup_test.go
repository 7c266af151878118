package delivery_test

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

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/delivery/deliverytest"
)

func TestMemoryDeduplicatorConformance(t *testing.T) {
	deliverytest.RunDeduplicatorConformance(t, func(t *testing.T, now func() time.Time) delivery.Deduplicator {
		return delivery.NewMemoryDeduplicator(&delivery.MemoryDeduplicatorOptions{Now: now})
	})
}

// countingOffice is a back office handler that counts its calls and answers one receipt per
// call, so a second call would show in the receipt too.
type countingOffice struct {
	calls atomic.Int32
	fail  atomic.Bool
	gate  chan struct{} // when set, each call waits for it to close
}

func (c *countingOffice) handle(ctx context.Context, s *ozg.Submission, files *delivery.ReceivedFiles) (string, error) {
	n := c.calls.Add(1)
	if c.gate != nil {
		<-c.gate
	}
	if c.fail.Load() {
		return "", errors.New("back office database is down")
	}
	if _, err := (&backOffice{}).handle(ctx, s, files); err != nil {
		return "", err
	}
	return "fv-" + s.Reference + "-call-" + string(rune('0'+n)), nil
}

func TestARepeatedDeliveryCallsTheHandlerOnceAndAnswersTheSameReceipt(t *testing.T) {
	pdf := []byte("%PDF-1.7 Mietvertrag")
	office := &countingOffice{}
	srv := httptest.NewServer(delivery.NewReceiver(secret, office.handle, nil))
	defer srv.Close()
	w, err := delivery.NewWebhook(srv.URL, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := submission(attachment("a1", "ev/1", pdf))
	first, err := w.Deliver(context.Background(), s, memFiles{"ev/1": pdf})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := w.Deliver(context.Background(), s, memFiles{"ev/1": pdf})
		if err != nil {
			t.Fatalf("repeated Deliver: %v", err)
		}
		if again.ID != first.ID {
			t.Fatalf("repeated delivery answered receipt %q, the first %q", again.ID, first.ID)
		}
	}
	if n := office.calls.Load(); n != 1 {
		t.Fatalf("the handler ran %d times, want 1", n)
	}
	other := submission(attachment("a1", "ev/1", pdf))
	other.ID = "0193c7d0-aaaa-7000-8000-000000000002"
	if _, err := w.Deliver(context.Background(), other, memFiles{"ev/1": pdf}); err != nil {
		t.Fatal(err)
	}
	if n := office.calls.Load(); n != 2 {
		t.Fatalf("after another submission the handler ran %d times, want 2", n)
	}
}

func TestAReplayedAnswerIsMarked(t *testing.T) {
	office := &countingOffice{}
	srv := httptest.NewServer(delivery.NewReceiver(secret, office.handle, nil))
	defer srv.Close()
	send := func() http.Header {
		t.Helper()
		tr := &recordingTransport{rec: httptest.NewRecorder()}
		w, _ := delivery.NewWebhook(srv.URL, secret, &delivery.WebhookOptions{Client: &http.Client{Transport: tr}})
		if _, err := w.Deliver(context.Background(), submission(), nil); err != nil {
			t.Fatal(err)
		}
		return tr.rec.Header()
	}
	if h := send(); h.Get("Idempotent-Replayed") != "" {
		t.Fatal("the first answer is marked replayed")
	}
	if h := send(); h.Get("Idempotent-Replayed") != "true" {
		t.Fatal("the repeated answer is not marked Idempotent-Replayed: true")
	}
}

// recordingTransport copies the response headers into rec.
type recordingTransport struct{ rec *httptest.ResponseRecorder }

func (t *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		for k, v := range resp.Header {
			t.rec.Header()[k] = v
		}
	}
	return resp, err
}

func TestADeliveryWhoseTwinIsBeingTakenIsRetried(t *testing.T) {
	office := &countingOffice{gate: make(chan struct{})}
	srv := httptest.NewServer(delivery.NewReceiver(secret, office.handle, nil))
	defer srv.Close()
	w, _ := delivery.NewWebhook(srv.URL, secret, nil)
	var wg sync.WaitGroup
	wg.Add(1)
	var firstErr error
	go func() {
		defer wg.Done()
		_, firstErr = w.Deliver(context.Background(), submission(), nil)
	}()
	for office.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	_, err := w.Deliver(context.Background(), submission(), nil)
	if err == nil || errors.Is(err, ozg.ErrPermanent) || !strings.Contains(err.Error(), "409") {
		t.Fatalf("Deliver while the twin runs = %v, want a retryable 409", err)
	}
	close(office.gate)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if n := office.calls.Load(); n != 1 {
		t.Fatalf("the handler ran %d times, want 1", n)
	}
}

func TestAFailedHandlerRunsAgainOnTheNextDelivery(t *testing.T) {
	office := &countingOffice{}
	office.fail.Store(true)
	srv := httptest.NewServer(delivery.NewReceiver(secret, office.handle, nil))
	defer srv.Close()
	w, _ := delivery.NewWebhook(srv.URL, secret, nil)
	if _, err := w.Deliver(context.Background(), submission(), nil); err == nil || errors.Is(err, ozg.ErrPermanent) {
		t.Fatalf("Deliver to a failing handler = %v, want a retryable error", err)
	}
	office.fail.Store(false)
	r, err := w.Deliver(context.Background(), submission(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := office.calls.Load(); n != 2 || !strings.HasSuffix(r.ID, "call-2") {
		t.Fatalf("handler calls = %d, receipt %q; want the second call's receipt", n, r.ID)
	}
}

func TestTheAnswerIsRecordedWhenTheSenderWentAway(t *testing.T) {
	// The sender dies while the back office takes the submission (as when a portal replica is
	// killed): the answer must still be recorded, so the redelivery is not taken twice.
	office := &countingOffice{}
	ctx, cancel := context.WithCancel(context.Background())
	var first atomic.Bool
	handle := func(hctx context.Context, s *ozg.Submission, files *delivery.ReceivedFiles) (string, error) {
		if first.CompareAndSwap(false, true) {
			cancel()
			<-hctx.Done() // the server noticed the sender is gone
		}
		return office.handle(context.Background(), s, files)
	}
	srv := httptest.NewServer(delivery.NewReceiver(secret, handle, nil))
	defer srv.Close()
	w, _ := delivery.NewWebhook(srv.URL, secret, nil)
	if _, err := w.Deliver(ctx, submission(), nil); err == nil {
		t.Fatal("Deliver with a canceled context succeeded")
	}
	var r ozg.Receipt
	var err error
	for range 200 { // until the first request's answer is recorded; 409 until then
		if r, err = w.Deliver(context.Background(), submission(), nil); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if n := office.calls.Load(); n != 1 || !strings.HasSuffix(r.ID, "call-1") {
		t.Fatalf("handler calls = %d, receipt %q; want the first call's receipt", n, r.ID)
	}
}

func TestAnIdempotencyKeyThatDiffersFromTheSignedIDIsRefused(t *testing.T) {
	office := &countingOffice{}
	srv := httptest.NewServer(delivery.NewReceiver(secret, office.handle, nil))
	defer srv.Close()
	tr := &rewriteKey{key: "someone-elses-key"}
	w, _ := delivery.NewWebhook(srv.URL, secret, &delivery.WebhookOptions{Client: &http.Client{Transport: tr}})
	_, err := w.Deliver(context.Background(), submission(), nil)
	if !errors.Is(err, ozg.ErrPermanent) || !strings.Contains(err.Error(), "400") {
		t.Fatalf("Deliver = %v, want a permanent 400", err)
	}
	if office.calls.Load() != 0 {
		t.Fatal("the handler ran")
	}
}

type rewriteKey struct{ key string }

func (t *rewriteKey) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Idempotency-Key", t.key)
	return http.DefaultTransport.RoundTrip(r)
}
