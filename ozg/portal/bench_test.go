package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

// benchForm is the forms package's test application (about 50 fields), so the benchmark
// measures the portal around a realistic document.
func benchForm(b *testing.B) (*forms.Form, []byte) {
	b.Helper()
	schema, err := os.ReadFile("../../forms/testdata/antrag.schema.json")
	if err != nil {
		b.Fatal(err)
	}
	doc, err := os.ReadFile("../../forms/testdata/antrag.valid.json")
	if err != nil {
		b.Fatal(err)
	}
	f, err := forms.Load("antrag.schema.json", schema)
	if err != nil {
		b.Fatal(err)
	}
	return f, doc
}

// BenchmarkSubmitThroughAPI measures one whole submission through the API's handler, in
// process. Compare with BenchmarkSubmitBareHandler, which decodes and validates the same
// document and does nothing else: submissions/s = 1e9 / ns/op; the goal is at least 60 % of
// the bare handler's rate.
func BenchmarkSubmitThroughAPI(b *testing.B) {
	form, doc := benchForm(b)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &ozg.Service{
		ID: "antrag", Name: "Antrag", Description: "Benchmark.", LeikaKey: "99107004017000", Topic: ozg.TopicBauenWohnen,
		Authority: ozg.Authority{Name: "Stadt Kiel", Region: "010020000000", Contact: ozg.Contact{Email: "a@kiel.example"},
			Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}},
		Level: identity.LevelBasic, Form: form, LegalBasis: "§ 1", Delivery: "fachverfahren",
	}
	catalog := ozg.NewCatalog(&ozg.CatalogOptions{Logger: quiet})
	if err := catalog.Register(svc); err != nil {
		b.Fatal(err)
	}
	apps := ozg.NewApplications(catalog, ozg.NewMemoryStore(), &ozg.ApplicationsOptions{Logger: quiet})
	api, err := portal.NewAPI(portal.APIConfig{Catalog: catalog, Applications: apps, Prefix: "/api", Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	pr := &identity.Principal{Subject: "bpk2-bench", Issuer: "https://idp.example", Level: identity.LevelHigh}
	ctx := identity.WithPrincipal(context.Background(), pr)
	body := []byte(`{"data": ` + string(doc) + `}`)
	// The drafts are made first: the measured operation is the submission (the document
	// validated in full, the reference assigned, submission and outbox entry stored, the
	// receipt answered), as the bare handler's is one decode and validation.
	ids := make([]string, b.N)
	for i := range ids {
		req := httptest.NewRequestWithContext(ctx, "POST", "/api/services/antrag/applications", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		var created struct{ ID string }
		json.Unmarshal(rec.Body.Bytes(), &created)
		ids[i] = created.ID
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	runtime.GC() // the drafts' garbage is not the submissions' cost
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequestWithContext(ctx, "POST", "/api/applications/"+ids[i]+"/submit", nil)
		req.Header.Set(portal.IdempotencyKeyHeader, "k"+strconv.Itoa(i))
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("submit: %d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkSubmitBareHandler is the baseline: a handler that decodes the same document and
// validates it against the form, and answers.
func BenchmarkSubmitBareHandler(b *testing.B) {
	form, doc := benchForm(b)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := form.Validate(body.Data); err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{"ok":true}`)
	})
	body := []byte(`{"data": ` + string(doc) + `}`)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/submit", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkSubmitThroughAPIOnSQLite is BenchmarkSubmitThroughAPI with 8 concurrent clients on
// the SQLite store: submissions/s through the HTTP handler, to compare with the store's own
// submit rate (ozg/sqlstore's BenchmarkSubmitPaired, beside a raw transaction).
func BenchmarkSubmitThroughAPIOnSQLite(b *testing.B) {
	form, doc := benchForm(b)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &ozg.Service{
		ID: "antrag", Name: "Antrag", Description: "Benchmark.", LeikaKey: "99107004017000", Topic: ozg.TopicBauenWohnen,
		Authority: ozg.Authority{Name: "Stadt Kiel", Region: "010020000000", Contact: ozg.Contact{Email: "a@kiel.example"},
			Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}},
		Level: identity.LevelBasic, Form: form, LegalBasis: "§ 1", Delivery: "fachverfahren",
	}
	catalog := ozg.NewCatalog(&ozg.CatalogOptions{Logger: quiet})
	if err := catalog.Register(svc); err != nil {
		b.Fatal(err)
	}
	db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"), &sqlstore.Options{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	apps := ozg.NewApplications(catalog, db.Applications(), &ozg.ApplicationsOptions{Logger: quiet})
	api, err := portal.NewAPI(portal.APIConfig{Catalog: catalog, Applications: apps, Prefix: "/api", Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	ctx := identity.WithPrincipal(context.Background(), &identity.Principal{Subject: "bpk2-bench", Issuer: "https://idp.example", Level: identity.LevelHigh})
	ids := make(chan string, b.N)
	for range b.N {
		a, err := apps.Create(context.Background(), "antrag", "bpk2-bench", doc)
		if err != nil {
			b.Fatal(err)
		}
		ids <- a.ID
	}
	close(ids)
	var n atomic.Int64
	b.ReportAllocs()
	runtime.GC()
	b.ResetTimer()
	b.SetParallelism(4) // 8 clients on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := <-ids
			req := httptest.NewRequestWithContext(ctx, "POST", "/api/applications/"+id+"/submit", nil)
			req.Header.Set(portal.IdempotencyKeyHeader, "k"+strconv.FormatInt(n.Add(1), 10))
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != http.StatusAccepted {
				b.Errorf("submit: %d %s", rec.Code, rec.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submissions/s")
}
