package sqlstore_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

func TestSQLitePaymentStoreConformance(t *testing.T) {
	paymenttest.RunStoreConformance(t, func(t *testing.T) payment.Store { return openSQLite(t).Payments() })
}

func TestPostgresPaymentStoreConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	paymenttest.RunStoreConformance(t, func(t *testing.T) payment.Store { return openPostgres(t).Payments() })
}
