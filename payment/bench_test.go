package payment_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// BenchmarkHandleReturn measures the return route's work with the memory store and the
// in-memory provider: read the payment, ask the provider, compare, leave it pending.
func BenchmarkHandleReturn(b *testing.B) {
	svc := payment.NewService(payment.NewMemoryStore(), paymenttest.NewMemoryProvider(), nil)
	p, err := svc.Start(context.Background(), startRequest())
	if err != nil {
		b.Fatal(err)
	}
	r := ret(p)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.HandleReturn(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartNew measures starting a new payment (store, provider transaction, store).
func BenchmarkStartNew(b *testing.B) {
	svc := payment.NewService(payment.NewMemoryStore(), paymenttest.NewMemoryProvider(), nil)
	ctx := context.Background()
	req := startRequest()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		req.Key = fmt.Sprint("key-", i)
		if _, err := svc.Start(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseEuro(f *testing.F) {
	for _, s := range []string{"25.50", "0", "999999.99", "1.5", "01", "1e3", "-1", "1.005", "1.500"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := payment.ParseEuro(s)
		if err != nil {
			return
		}
		if v < 0 || v > payment.MaxAmount {
			t.Fatalf("ParseEuro(%q) = %d out of range", s, v)
		}
		back, err := payment.ParseEuro(payment.FormatEuro(v))
		if err != nil || back != v {
			t.Fatalf("round trip of %q: %d → %q → %d, %v", s, v, payment.FormatEuro(v), back, err)
		}
	})
}
