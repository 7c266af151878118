package xbezahldienste_test

import (
	"errors"
	"fmt"

	"github.com/ozgkit/ozgkit/payment"
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
