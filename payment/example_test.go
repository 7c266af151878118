package payment_test

import (
	"context"
	"fmt"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

func ExampleService() {
	ctx := context.Background()
	provider := paymenttest.NewMemoryProvider()
	svc := payment.NewService(payment.NewMemoryStore(), provider, &payment.Options{
		OnPaid: func(_ context.Context, p *payment.Payment) {
			fmt.Println("paid:", payment.FormatEuro(p.Amount), p.Currency)
		},
	})

	// POST /applications/app-1/payment
	p, err := svc.Start(ctx, payment.StartRequest{
		Key: "app-1/fee", ApplicationID: "app-1", Owner: "citizen-1", Amount: 2550,
		Purpose: "Anwohnerparken", ReturnURL: "https://portal.example/applications/app-1/payment/return",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.State) // redirect the citizen to p.RedirectURL

	// The citizen pays on the pay page ...
	_ = provider.Act(p.TransactionID, paymenttest.ActionPay, payment.MethodGiropay)

	// ... and comes back: GET /applications/app-1/payment/return?payment=<id>
	p, err = svc.HandleReturn(ctx, payment.Return{PaymentID: p.ID, ApplicationID: "app-1", Owner: "citizen-1"})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.State, p.Method)
	// Output:
	// pending
	// paid: 25.50 EUR
	// paid GIROPAY
}
