package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/ozgkit/ozgkit/ozg/portal/telemetry"
)

// discardSpans is a span exporter that drops what it gets, so the benchmark measures making
// and batching the spans, not a backend.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }

// BenchmarkPortalRequest serves requests through a whole portal (in process, without the
// network) with and without telemetry: every span sampled and batched, metrics aggregated.
// The difference is the telemetry's cost per request.
func BenchmarkPortalRequest(b *testing.B) {
	for _, route := range []struct{ name, path string }{
		{"health", "/healthz"},
		{"api service", "/api/services/bewohnerparkausweis"},
	} {
		for _, mode := range []string{"without telemetry", "with telemetry"} {
			b.Run(route.name+"/"+mode, func(b *testing.B) {
				o := &observed{}
				var tel *telemetry.Telemetry
				if mode == "with telemetry" {
					tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithBatcher(discardSpans{}))
					mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
					b.Cleanup(func() { tp.Shutdown(context.Background()); mp.Shutdown(context.Background()) })
					var err error
					if tel, err = telemetry.New(&telemetry.Options{TracerProvider: tp, MeterProvider: mp, Logger: quiet}); err != nil {
						b.Fatal(err)
					}
				}
				startPortal(b, o, tel)
				req := httptest.NewRequest("GET", route.path, nil)
				req.Header.Set("Accept", "application/json")
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					o.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d", route.path, w.Code)
					}
				}
			})
		}
	}
}
