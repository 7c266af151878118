package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

func benchStores(b *testing.B, fn func(b *testing.B, s ozg.ApplicationStore)) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(tc.name, func(b *testing.B) { fn(b, tc.open(b).Applications()) })
	}
}

func BenchmarkApplicationCreate(b *testing.B) {
	benchStores(b, func(b *testing.B, s ozg.ApplicationStore) {
		ctx := context.Background()
		t0 := time.Now()
		b.ReportAllocs()
		for b.Loop() {
			a := &ozg.Application{ID: uuid.NewString(), ServiceID: "wohngeld", Owner: "alice",
				Data: []byte(`{"name":"Erika"}`), State: ozg.StateDraft, CreatedAt: t0, UpdatedAt: t0}
			if err := s.Create(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkApplicationListByOwner(b *testing.B) {
	benchStores(b, func(b *testing.B, s ozg.ApplicationStore) {
		ctx := context.Background()
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 5000 {
			a := &ozg.Application{ID: uuid.NewString(), ServiceID: "wohngeld", Owner: fmt.Sprintf("owner-%d", i%100),
				Data: []byte(`{"name":"Erika"}`), State: ozg.StateDraft, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			if err := s.Create(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			if list, _, err := s.ListByOwner(ctx, "owner-7", ozg.Page{Limit: 20}); err != nil || len(list) != 20 {
				b.Fatal(len(list), err)
			}
		}
	})
}
