package paymenttest_test

import (
	"context"
	"testing"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

func TestMemoryProviderConformance(t *testing.T) {
	paymenttest.RunProviderConformance(t, func(t *testing.T) paymenttest.ProviderHarness {
		p := paymenttest.NewMemoryProvider()
		return paymenttest.ProviderHarness{
			Provider:  p,
			ReturnURL: "https://portal.example/applications/app-1/payment/return",
			Act: func(_ context.Context, tx payment.Transaction, a paymenttest.Action) error {
				return p.Act(tx.ID, a, "")
			},
		}
	})
}
