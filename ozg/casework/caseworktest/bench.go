package caseworktest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/casework"
)

// BenchmarkStore measures a store's hot paths with 500 cases in it: listing the first inbox
// page of one service, and appending an event.
func BenchmarkStore(b *testing.B, newStore NewStore) {
	ctx := context.Background()
	s := newStore(b)
	for i := range 500 {
		svc := "wohngeld"
		if i%4 == 0 {
			svc = "parkausweis"
		}
		id := fmt.Sprintf("s%04d", i)
		if _, _, err := s.Receive(ctx, NewCase(id, svc, fmt.Sprintf("R-2026-%06d", i), i), received(id)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("list a page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cases, _, err := s.List(ctx, casework.Query{Services: []string{"wohngeld", "parkausweis"}, Service: "wohngeld", Limit: 20})
			if err != nil || len(cases) != 20 {
				b.Fatal(len(cases), err)
			}
		}
	})
	b.Run("append an event", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e := casework.Event{CaseID: "s0001", At: time.Now(), Actor: casework.Actor{Kind: "staff", Subject: "kc-sabine"}, Action: casework.ActionEvidenceOpened}
			if _, err := s.Append(ctx, e, "", ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
