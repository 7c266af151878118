package paymenttest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// A local XBezahldienste platform, mounted below /platform/ of an example app, paid through
// the real client.
func ExampleServer() {
	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	defer app.Close()
	mux.Handle("/platform/", http.StripPrefix("/platform", paymenttest.NewServer(&paymenttest.ServerOptions{
		BaseURL: app.URL + "/platform/",
	})))

	client, err := xbezahldienste.New(xbezahldienste.Config{
		BaseURL: app.URL + "/platform/", OriginatorID: "ozgkit", EndpointID: "test",
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	tx, err := client.Create(ctx, payment.CreateRequest{
		RequestID: "5b1d2c4e-0000-4000-8000-000000000001", Amount: 1200, Currency: "EUR",
		Purpose: "Gebühr Führungszeugnis", ReturnURL: "https://portal.example/back",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(tx.Status, strings.HasPrefix(tx.RedirectURL, app.URL+"/platform/pay/"))

	back, err := (&paymenttest.Citizen{}).Choose(ctx, tx.RedirectURL, paymenttest.ActionPay, payment.MethodPaydirect)
	if err != nil {
		panic(err)
	}
	fmt.Println(back)

	tx, err = client.Status(ctx, tx.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(tx.Status, payment.FormatEuro(tx.Amount), tx.Method)
	// Output:
	// pending true
	// https://portal.example/back
	// paid 12.00 PAYDIRECT
}
