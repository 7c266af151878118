package xbezahldienste_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

func ExampleTransliterate() {
	fmt.Println(xbezahldienste.Transliterate("Gebühr Straßenfest Köln"))
	// Output: Gebuehr Strassenfest Koeln
}

func ExampleClient_Check() {
	c, err := xbezahldienste.New(xbezahldienste.Config{
		BaseURL: "https://epay.example/xbezahldienste/api/v1.0.0/", OriginatorID: "99123456789012", EndpointID: "fees",
	})
	if err != nil {
		panic(err)
	}
	err = c.Check(payment.CreateRequest{
		RequestID: "r-1", Amount: 2550, Currency: "EUR", Purpose: "Gebühr für den Anwohnerparkausweis",
		ReturnURL: "https://portal.example/back",
	})
	var fe *payment.FieldError
	fmt.Println(errors.As(err, &fe), fe.Field)
	fmt.Println(fe.Reason)
	// Output:
	// true purpose
	// 36 characters after transliteration, at most 27 allowed
}

func ExampleTransliterateDescription() {
	d := xbezahldienste.TransliterateDescription("Gebühr: § 3 GebO, 25 € (Zone A)")
	fmt.Println(d)
	fmt.Println(xbezahldienste.CheckDescription("description", d))
	// Output:
	// Gebühr - Par. 3 GebO, 25 EUR (Zone A)
	// payment: invalid description: character '(' at position 30 is not allowed; only letters (A-Z, a-z, umlauts, ß, accented letters À to ſ), digits, space, '_', '-', ',' and '.'
}

// ExampleClient_Ping asks a local platform whether the configuration of an originator and
// endpoint is ready, as payment.Service.Reconcile does once per run.
func ExampleClient_Ping() {
	platform := httptest.NewServer(paymenttest.NewServer(&paymenttest.ServerOptions{OriginatorID: "kiel_parken", EndpointID: "fees"}))
	defer platform.Close()
	for _, originator := range []string{"kiel_parken", "luebeck"} {
		c, err := xbezahldienste.New(xbezahldienste.Config{
			BaseURL: platform.URL, OriginatorID: originator, EndpointID: "fees", HTTPClient: platform.Client(),
			Logger: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			panic(err)
		}
		err = c.Ping(context.Background())
		fmt.Println(originator, err == nil, errors.Is(err, payment.ErrProvider))
	}
	// Output:
	// kiel_parken true false
	// luebeck false true
}
