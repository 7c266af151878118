package xbezahldienste_test

import (
	"context"
	"testing"

	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

func BenchmarkParseTransaction(b *testing.B) {
	in := []byte(paidAnswer)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := xbezahldienste.ParseTransaction(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientStatus is one status request over loopback HTTP to the local platform.
func BenchmarkClientStatus(b *testing.B) {
	e := newEnv(b, nil, nil)
	tx, err := e.client.Create(context.Background(), request())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.client.Status(ctx, tx.ID); err != nil {
			b.Fatal(err)
		}
	}
}
