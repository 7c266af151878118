package ozg_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/ozg"
)

func BenchmarkServiceValidate(b *testing.B) {
	s := wohngeld(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCatalogRoute(b *testing.B) {
	c := ozg.NewCatalog(&ozg.CatalogOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for i := range 400 { // one service per Kreis-sized area
		s := wohngeld(b)
		s.ID = fmt.Sprintf("wohngeld-%d", i)
		s.Authority.Region = fmt.Sprintf("%02d%03d0000000", 1+i%16, i)
		if err := c.Register(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Route("99107004017000", "010020000000"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryStoreListByOwner(b *testing.B) {
	ctx := context.Background()
	s := ozg.NewMemoryStore()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100_000 {
		a := &ozg.Application{ID: uuid.NewString(), ServiceID: "wohngeld", Owner: fmt.Sprintf("owner-%d", i%1000),
			Data: []byte(`{"name":"x"}`), State: ozg.StateDraft, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
		if err := s.Create(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if list, _, err := s.ListByOwner(ctx, "owner-7", ozg.Page{Limit: 50}); err != nil || len(list) != 50 {
			b.Fatal(len(list), err)
		}
	}
}

func BenchmarkApplicationsSaveData(b *testing.B) {
	ctx := context.Background()
	c := ozg.NewCatalog(&ozg.CatalogOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := c.Register(wohngeld(b)); err != nil {
		b.Fatal(err)
	}
	apps := ozg.NewApplications(c, ozg.NewMemoryStore(), nil)
	a, err := apps.Create(ctx, "wohngeld", "alice", []byte(`{"name":"Erika"}`))
	if err != nil {
		b.Fatal(err)
	}
	docs := [][]byte{[]byte(`{"name":"Erika Mustermann","members":2}`), []byte(`{"name":"Erika","members":3}`)}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if a, err = apps.SaveData(ctx, "alice", a.ID, a.Version, docs[i%2]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
