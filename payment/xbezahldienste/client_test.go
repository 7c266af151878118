package xbezahldienste_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

const returnURL = "https://portal.example/applications/app-1/payment/return"

type env struct {
	platform *paymenttest.Server
	http     *httptest.Server
	client   *xbezahldienste.Client
}

func newEnv(t testing.TB, sopts *paymenttest.ServerOptions, edit func(*xbezahldienste.Config)) *env {
	t.Helper()
	e := &env{platform: paymenttest.NewServer(sopts)}
	e.http = httptest.NewServer(e.platform)
	t.Cleanup(e.http.Close)
	cfg := xbezahldienste.Config{
		BaseURL: e.http.URL + "/", OriginatorID: "ozgkit", EndpointID: "test",
		HTTPClient: e.http.Client(),
		Now:        func() time.Time { return time.Date(2026, 5, 1, 10, 0, 0, 123e6, time.UTC) },
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := xbezahldienste.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	return e
}

func request() payment.CreateRequest {
	return payment.CreateRequest{
		RequestID: uuid.NewString(), Amount: 2550, Currency: "EUR",
		Purpose: "Gebühr Anwohnerparken", Description: "Anwohnerparkausweis Musterstraße",
		Reference: "app-1", ReturnURL: returnURL,
	}
}

func TestClientConformance(t *testing.T) {
	paymenttest.RunProviderConformance(t, func(t *testing.T) paymenttest.ProviderHarness {
		e := newEnv(t, nil, nil)
		citizen := &paymenttest.Citizen{Client: e.http.Client()}
		return paymenttest.ProviderHarness{
			Provider:  e.client,
			ReturnURL: returnURL,
			Act: func(ctx context.Context, tx payment.Transaction, a paymenttest.Action) error {
				back, err := citizen.Choose(ctx, tx.RedirectURL, a, "")
				if err == nil && back != returnURL {
					t.Errorf("pay page sent the citizen to %q, want %q", back, returnURL)
				}
				return err
			},
		}
	})
}

// recorder keeps the bodies of the requests that pass through to h.
type recorder struct {
	mu     sync.Mutex
	bodies []string
	h      http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, string(b))
	r.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(b))
	r.h.ServeHTTP(w, req)
}

func TestTheRequestIsSentInTheWireFormat(t *testing.T) {
	rec := &recorder{h: paymenttest.NewServer(nil)}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, err := xbezahldienste.New(xbezahldienste.Config{
		BaseURL: srv.URL, OriginatorID: "ozgkit", EndpointID: "test",
		BookingData: map[string]string{"haushaltsstelle": "1.1100.1234"},
		Now:         func() time.Time { return time.Date(2026, 5, 1, 10, 0, 0, 123456789, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	req := request()
	tx, err := c.Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	d := json.NewDecoder(strings.NewReader(rec.bodies[0]))
	d.UseNumber()
	if err := d.Decode(&got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"requestId": req.RequestID, "requestTimestamp": "2026-05-01T10:00:00.123Z", "currency": "EUR",
		"grosAmount": json.Number("25.50"), "purpose": "Gebuehr Anwohnerparken",
		"description": "Anwohnerparkausweis Musterstraße", "redirectUrl": returnURL,
	} {
		if got[k] != want {
			t.Errorf("%s = %#v, want %#v", k, got[k], want)
		}
	}
	items, _ := got["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("items = %v, want one", got["items"])
	}
	item := items[0].(map[string]any)
	for k, want := range map[string]any{
		"id": "1", "reference": "app-1", "quantity": json.Number("1"), "taxRate": json.Number("0.00"),
		"totalNetAmount": json.Number("25.50"), "totalTaxAmount": json.Number("0.00"),
		"singleNetAmount": json.Number("25.50"), "singleTaxAmount": json.Number("0.00"),
	} {
		if item[k] != want {
			t.Errorf("items[0].%s = %#v, want %#v", k, item[k], want)
		}
	}
	if bd, _ := item["bookingData"].(map[string]any); bd["haushaltsstelle"] != "1.1100.1234" {
		t.Errorf("bookingData = %v", item["bookingData"])
	}
	if tx.Status != payment.StatePending || !strings.HasPrefix(tx.RedirectURL, srv.URL+"/pay/") || tx.Reference == "" {
		t.Errorf("transaction = %+v", tx)
	}
	if !strings.HasPrefix(tx.URL, srv.URL+"/paymenttransaction/ozgkit/test/") {
		t.Errorf("transactionUrl = %q", tx.URL)
	}
}

func TestATaxRateSplitsTheAmountIntoNetAndTax(t *testing.T) {
	e := newEnv(t, nil, func(c *xbezahldienste.Config) { c.TaxRate = 1900 })
	r := request()
	r.Amount = 11900
	pr, err := e.client.Request(r)
	if err != nil {
		t.Fatal(err)
	}
	it := pr.Items[0]
	if it.TotalNetAmount != 10000 || it.TotalTaxAmount != 1900 || it.TaxRate != 1900 {
		t.Errorf("net %d tax %d rate %d, want 10000 1900 1900", it.TotalNetAmount, it.TotalTaxAmount, it.TaxRate)
	}
	if _, err := e.client.Create(context.Background(), r); err != nil {
		t.Errorf("the platform refused the split: %v", err)
	}
}

func TestBadRequestsAreRefusedBeforeSending(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*payment.CreateRequest)
		field  string
	}{
		{"a purpose longer than 27 characters after transliteration", func(r *payment.CreateRequest) { r.Purpose = "Gebühr für Anwohnerparkausweis" }, "purpose"},
		{"a purpose with a forbidden character", func(r *payment.CreateRequest) { r.Purpose = "Gebühr #12" }, "purpose"},
		{"a purpose with a slash", func(r *payment.CreateRequest) { r.Purpose = "AZ 12/2026" }, "purpose"},
		{"a purpose with a character without transliteration", func(r *payment.CreateRequest) { r.Purpose = "Gebühr €" }, "purpose"},
		{"an empty purpose", func(r *payment.CreateRequest) { r.Purpose = "" }, "purpose"},
		{"a currency other than EUR", func(r *payment.CreateRequest) { r.Currency = "USD" }, "currency"},
		{"an amount above 999999.99", func(r *payment.CreateRequest) { r.Amount = payment.MaxAmount + 1 }, "grosAmount"},
		{"a zero amount", func(r *payment.CreateRequest) { r.Amount = 0 }, "grosAmount"},
		{"a request id longer than 36", func(r *payment.CreateRequest) { r.RequestID = strings.Repeat("a", 37) }, "requestId"},
		{"a request id with a dot", func(r *payment.CreateRequest) { r.RequestID = "a.b" }, "requestId"},
		{"a description over 250 characters", func(r *payment.CreateRequest) { r.Description = strings.Repeat("ü", 251) }, "description"},
		{"a description with a control character", func(r *payment.CreateRequest) { r.Description = "a\x00b" }, "description"},
		{"a reference longer than 36", func(r *payment.CreateRequest) { r.Reference = strings.Repeat("r", 37) }, "items[0].reference"},
		{"a relative return URL", func(r *payment.CreateRequest) { r.ReturnURL = "/back" }, "redirectUrl"},
		{"too much booking data", func(r *payment.CreateRequest) {
			r.BookingData = map[string]string{}
			for i := range 51 {
				r.BookingData[uuid.NewString()[:8]+string(rune('a'+i%26))] = "x"
			}
		}, "items[0].bookingData"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil, nil)
			r := request()
			tc.change(&r)
			_, err := e.client.Create(context.Background(), r)
			var fe *payment.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, payment.ErrInvalid) {
				t.Fatalf("err = %v, want a FieldError for %s", err, tc.field)
			}
			if n := e.platform.APICalls(); n != 0 {
				t.Errorf("%d requests reached the platform, want 0", n)
			}
			if err := e.client.Check(r); err == nil {
				t.Error("Check accepted the request")
			}
		})
	}
}

func TestThePurposeIsTransliterated(t *testing.T) {
	e := newEnv(t, nil, nil)
	r := request()
	r.Purpose = "Gebühr Straße Öl Äpfel"
	tx, err := e.client.Create(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	held, _ := e.platform.Transaction(tx.ID)
	if got := held.PaymentRequest.Purpose; got != "Gebuehr Strasse Oel Aepfel" {
		t.Errorf("purpose at the platform = %q", got)
	}
}

func TestTransliterate(t *testing.T) {
	for in, want := range map[string]string{
		"ä ö ü Ä Ö Ü ß": "ae oe ue Ae Oe Ue ss",
		"Café Ñandú":    "Cafe Nandu",
		"Łódź – Kraków": "Lodz - Krakow",
		"Gebühr €":      "Gebuehr €",
		"plain 123-AB":  "plain 123-AB",
	} {
		if got := xbezahldienste.Transliterate(in); got != want {
			t.Errorf("Transliterate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlatformErrorsAreTypedErrors(t *testing.T) {
	t.Run("a reused request id is PAYMENT_EXISTS", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		r := request()
		if _, err := e.client.Create(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		_, err := e.client.Create(context.Background(), r)
		var xe *xbezahldienste.Error
		if !errors.As(err, &xe) || xe.FunctionalCode != xbezahldienste.CodePaymentExists || xe.StatusCode != 409 || !errors.Is(err, payment.ErrExists) {
			t.Errorf("err = %v, want PAYMENT_EXISTS wrapping ErrExists", err)
		}
	})
	t.Run("a server error is UNSPECIFIED and unavailable", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		e.platform.Unavailable(1)
		_, err := e.client.Create(context.Background(), request())
		var xe *xbezahldienste.Error
		if !errors.As(err, &xe) || xe.StatusCode != 503 || xe.FunctionalCode != xbezahldienste.CodeUnspecified || !errors.Is(err, payment.ErrUnavailable) {
			t.Errorf("err = %v, want a 503 wrapping ErrUnavailable", err)
		}
	})
	t.Run("a platform that does not answer in time is unavailable", func(t *testing.T) {
		e := newEnv(t, nil, func(c *xbezahldienste.Config) {
			hc := *c.HTTPClient
			hc.Timeout = 100 * time.Millisecond
			c.HTTPClient = &hc
		})
		e.platform.Hang(1)
		if _, err := e.client.Create(context.Background(), request()); !errors.Is(err, payment.ErrUnavailable) {
			t.Errorf("err = %v, want ErrUnavailable", err)
		}
	})
	t.Run("a wrong originator is NO_VALID_ORIGINATOR_OR_ENDPOINT", func(t *testing.T) {
		e := newEnv(t, nil, func(c *xbezahldienste.Config) { c.OriginatorID = "other" })
		_, err := e.client.Create(context.Background(), request())
		var xe *xbezahldienste.Error
		if !errors.As(err, &xe) || xe.FunctionalCode != xbezahldienste.CodeNoValidOriginatorOrEndpoint || !errors.Is(err, payment.ErrProvider) || errors.Is(err, payment.ErrNotFound) {
			t.Errorf("err = %v, want NO_VALID_ORIGINATOR_OR_ENDPOINT wrapping ErrProvider", err)
		}
	})
	t.Run("a missing bearer token is FORBIDDEN", func(t *testing.T) {
		e := newEnv(t, &paymenttest.ServerOptions{BearerToken: "s3cret"}, nil)
		_, err := e.client.Create(context.Background(), request())
		var xe *xbezahldienste.Error
		if !errors.As(err, &xe) || xe.FunctionalCode != xbezahldienste.CodeForbidden || !errors.Is(err, payment.ErrProvider) {
			t.Errorf("err = %v, want FORBIDDEN", err)
		}
	})
	t.Run("missing booking data is BOOKING_DATA_MISSING", func(t *testing.T) {
		e := newEnv(t, &paymenttest.ServerOptions{RequiredBookingData: []string{"haushaltsstelle"}}, nil)
		_, err := e.client.Create(context.Background(), request())
		var xe *xbezahldienste.Error
		if !errors.As(err, &xe) || xe.FunctionalCode != xbezahldienste.CodeBookingDataMissing || !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("err = %v, want BOOKING_DATA_MISSING", err)
		}
	})
}

type bearer struct {
	token string
	base  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}

func TestTheConfiguredHTTPClientAuthenticates(t *testing.T) {
	e := newEnv(t, &paymenttest.ServerOptions{BearerToken: "s3cret"}, func(c *xbezahldienste.Config) {
		c.HTTPClient = &http.Client{Transport: bearer{"s3cret", http.DefaultTransport}}
	})
	if _, err := e.client.Create(context.Background(), request()); err != nil {
		t.Fatal(err)
	}
}

func TestNewRefusesABadConfig(t *testing.T) {
	for _, cfg := range []xbezahldienste.Config{
		{BaseURL: "", OriginatorID: "o", EndpointID: "e"},
		{BaseURL: "ftp://x/", OriginatorID: "o", EndpointID: "e"},
		{BaseURL: "https://x/?a=b", OriginatorID: "o", EndpointID: "e"},
		{BaseURL: "https://x/", OriginatorID: "", EndpointID: "e"},
		{BaseURL: "https://x/", OriginatorID: "o/../p", EndpointID: "e"},
		{BaseURL: "https://x/", OriginatorID: "o", EndpointID: "e", TaxRate: -1},
	} {
		if _, err := xbezahldienste.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestStatusOfAnUnusableTransactionIDIsNotFoundWithoutSending(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, id := range []string{"", "../../x", strings.Repeat("a", 45), "a b"} {
		if _, err := e.client.Status(context.Background(), id); !errors.Is(err, payment.ErrNotFound) {
			t.Errorf("Status(%q): err = %v, want ErrNotFound", id, err)
		}
	}
	if n := e.platform.APICalls(); n != 0 {
		t.Errorf("%d requests reached the platform", n)
	}
}
