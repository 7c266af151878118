package xbezahldienste_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// The tests in this file check the rules of the published XBezahldienste API v1.0.0
// (docs.fitko.de/xbezahldienste) against the strict local platform of paymenttest.

func TestOriginatorAndEndpointAreAtMost36WordCharacters(t *testing.T) {
	for _, tc := range []struct {
		name       string
		originator string
		ok         bool
	}{
		{"36 word characters with hyphen and underscore", "kiel_" + strings.Repeat("a", 30) + "-", true},
		{"37 characters", strings.Repeat("a", 37), false},
		{"a dot, as in a domain", "kiel.de", false},
		{"a space", "kiel de", false},
		{"an umlaut", "lübeck", false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := xbezahldienste.New(xbezahldienste.Config{BaseURL: "https://pay.example/", OriginatorID: tc.originator, EndpointID: "e"})
			if (err == nil) != tc.ok {
				t.Errorf("New with originator %q: err = %v, want ok %v", tc.originator, err, tc.ok)
			}
			_, err = xbezahldienste.New(xbezahldienste.Config{BaseURL: "https://pay.example/", OriginatorID: "o", EndpointID: tc.originator})
			if (err == nil) != tc.ok {
				t.Errorf("New with endpoint %q: err = %v, want ok %v", tc.originator, err, tc.ok)
			}
		})
	}
	t.Run("the platform refuses an originator that breaks the pattern", func(t *testing.T) {
		srv := httptest.NewServer(paymenttest.NewServer(&paymenttest.ServerOptions{OriginatorID: "kiel.de"}))
		defer srv.Close()
		resp, err := srv.Client().Get(srv.URL + "/status/kiel.de/test")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})
}

func TestTheDescriptionIsTransliteratedOrRefusedBeforeSending(t *testing.T) {
	t.Run("euro and paragraph signs, colon and slash are transliterated, umlauts stay", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		r := request()
		r.Description = "Gebühr: § 3 – 25 € für Straße Nr. 1/2, Łódź"
		tx, err := e.client.Create(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		held, _ := e.platform.Transaction(tx.ID)
		want := "Gebühr - Par. 3 - 25 EUR für Straße Nr. 1-2, Łódź"
		if got := held.PaymentRequest.Description; got != want {
			t.Errorf("description at the platform = %q, want %q", got, want)
		}
		if got := held.PaymentRequest.Items[0].Description; got != want {
			t.Errorf("item description at the platform = %q, want %q", got, want)
		}
	})
	for _, c := range []string{"(", ")", `"`, "„", "&", "<", "!", "?"} {
		t.Run("the character "+c+" is refused with its position", func(t *testing.T) {
			e := newEnv(t, nil, nil)
			r := request()
			r.Description = "Parkausweis " + c + " Zone A"
			_, err := e.client.Create(context.Background(), r)
			var fe *payment.FieldError
			if !errors.As(err, &fe) || fe.Field != "description" || !strings.Contains(fe.Reason, "position 13") {
				t.Fatalf("err = %v, want a FieldError for description naming position 13", err)
			}
			if n := e.platform.APICalls(); n != 0 {
				t.Errorf("%d requests reached the platform", n)
			}
		})
	}
	t.Run("the platform refuses a description with parentheses", func(t *testing.T) {
		r := validRequest()
		r.Description = "Parken (Zone A)"
		var fe *payment.FieldError
		if err := r.Validate(); !errors.As(err, &fe) || fe.Field != "description" {
			t.Errorf("Validate: %v, want a FieldError for description", err)
		}
	})
}

func TestTheGrossAmountIsAtMost999999Euros(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cents int64
		ok    bool
	}{
		{"999999.00", 99999900, true},
		{"999999.01", 99999901, false},
		{"999999.50", 99999950, false},
		{"999999.99", 99999999, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil, nil)
			r := request()
			r.Amount = tc.cents
			_, err := e.client.Create(context.Background(), r)
			if (err == nil) != tc.ok {
				t.Fatalf("Create(%s): err = %v, want ok %v", tc.name, err, tc.ok)
			}
			var fe *payment.FieldError
			if !tc.ok && (!errors.As(err, &fe) || fe.Field != "grosAmount" || e.platform.APICalls() != 0) {
				t.Errorf("err = %v, want a FieldError for grosAmount before sending", err)
			}
		})
	}
	t.Run("the platform refuses 999999.50 sent by someone else", func(t *testing.T) {
		r := validRequest()
		r.GrosAmount, r.Items = 99999950, []xbezahldienste.PaymentItem{{ID: "1", Quantity: 1, TotalNetAmount: 99999950, SingleNetAmount: 99999950}}
		if err := r.Validate(); err == nil {
			t.Error("Validate accepted grosAmount 999999.50")
		}
	})
}

func TestARequestHas1To99Items(t *testing.T) {
	item := xbezahldienste.PaymentItem{ID: "1", Quantity: 1, TotalNetAmount: 100, SingleNetAmount: 100}
	for _, n := range []int{0, 1, 99, 100} {
		r := validRequest()
		r.Items = make([]xbezahldienste.PaymentItem, n)
		for i := range r.Items {
			r.Items[i] = item
		}
		r.GrosAmount = xbezahldienste.Decimal(100 * n)
		err := r.Validate()
		if ok := n >= 1 && n <= 99; (err == nil) != ok {
			t.Errorf("%d items: err = %v, want ok %v", n, err, ok)
		}
		var fe *payment.FieldError
		if err != nil && (!errors.As(err, &fe) || fe.Field != "items") {
			t.Errorf("%d items: err = %v, want a FieldError for items", n, err)
		}
	}
}

func TestAPurposeMayContainAnUnderscore(t *testing.T) {
	e := newEnv(t, nil, nil)
	r := request()
	r.Purpose = "AZ_2026_0042 Gebuehr"
	tx, err := e.client.Create(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	held, _ := e.platform.Transaction(tx.ID)
	if held.PaymentRequest.Purpose != "AZ_2026_0042 Gebuehr" {
		t.Errorf("purpose at the platform = %q", held.PaymentRequest.Purpose)
	}
}

func TestTheErrorsFunctionalTextIsRead(t *testing.T) {
	t.Run("from the local platform", func(t *testing.T) {
		e := newEnv(t, &paymenttest.ServerOptions{RequiredBookingData: []string{"haushaltsstelle"}}, nil)
		_, err := e.client.Create(context.Background(), request())
		var xe *xbezahldienste.Error
		if !errors.As(err, &xe) || !strings.Contains(xe.FunctionalText, "haushaltsstelle") || !strings.Contains(err.Error(), xe.FunctionalText) {
			t.Errorf("err = %v (functionalText %q), want the missing booking data named", err, xe.FunctionalText)
		}
		if verr := xbezahldienste.CheckDescription("functionalText", xe.FunctionalText); verr != nil {
			t.Errorf("the platform's functionalText breaks the published pattern: %v", verr)
		}
	})
	t.Run("when it is the only text", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"status":400,"functionalCode":"BOOKING_DATA_MISSING","functionalText":"Objektnummer fehlt"}`))
		}))
		defer srv.Close()
		c, err := xbezahldienste.New(xbezahldienste.Config{BaseURL: srv.URL + "/", OriginatorID: "o", EndpointID: "e", HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Create(context.Background(), request())
		var xe *xbezahldienste.Error
		if !errors.As(err, &xe) || xe.FunctionalText != "Objektnummer fehlt" || !strings.Contains(err.Error(), "Objektnummer fehlt") {
			t.Errorf("err = %v, want functionalText read and shown", err)
		}
	})
}

func TestPingAsksForTheStatusOfTheConfiguration(t *testing.T) {
	t.Run("a ready platform", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		if err := e.client.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := e.platform.APICalls(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("a platform that is down", func(t *testing.T) {
		e := newEnv(t, nil, nil)
		e.platform.Unavailable(1)
		if err := e.client.Ping(context.Background()); !errors.Is(err, payment.ErrUnavailable) {
			t.Errorf("err = %v, want ErrUnavailable", err)
		}
	})
	t.Run("an originator the platform does not know", func(t *testing.T) {
		e := newEnv(t, nil, func(c *xbezahldienste.Config) { c.OriginatorID = "other" })
		err := e.client.Ping(context.Background())
		var xe *xbezahldienste.Error
		if !errors.As(err, &xe) || xe.StatusCode != http.StatusForbidden || xe.FunctionalCode != xbezahldienste.CodeNoValidOriginatorOrEndpoint ||
			!errors.Is(err, payment.ErrProvider) {
			t.Errorf("err = %v, want 403 NO_VALID_ORIGINATOR_OR_ENDPOINT", err)
		}
	})
	t.Run("a missing authorisation", func(t *testing.T) {
		e := newEnv(t, &paymenttest.ServerOptions{BearerToken: "s3cret"}, nil)
		if err := e.client.Ping(context.Background()); !errors.Is(err, payment.ErrProvider) {
			t.Errorf("err = %v, want ErrProvider (FORBIDDEN)", err)
		}
	})
}

func TestCheckAppliesThePlatformsRules(t *testing.T) {
	r := request()
	if err := xbezahldienste.Check(r); err != nil {
		t.Fatalf("a valid request: %v", err)
	}
	r.Description = "Parken (Zone A)"
	if err := xbezahldienste.Check(r); !errors.Is(err, payment.ErrInvalid) {
		t.Errorf("err = %v, want ErrInvalid", err)
	}
}
