package payment_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

func TestMemoryStoreConformance(t *testing.T) {
	paymenttest.RunStoreConformance(t, func(*testing.T) payment.Store { return payment.NewMemoryStore() })
}
