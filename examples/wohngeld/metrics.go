package main

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/ozgkit/ozgkit/ozg/portal/telemetry"
)

// metrics serves the portal's metrics for Prometheus at http://addr/metrics, on a listener of
// its own so the operators' scrape never shares the citizens' port, and returns the portal's
// Telemetry. The setup, for a deployment of your own:
//
//  1. an OpenTelemetry Prometheus exporter (go.opentelemetry.io/otel/exporters/prometheus)
//     registering with a prometheus.Registry;
//  2. a MeterProvider (go.opentelemetry.io/otel/sdk/metric) reading through the exporter;
//  3. telemetry.New with that MeterProvider, set as portal.Config.Telemetry; clients of the
//     payment provider and the delivery targets made with Telemetry.Client;
//  4. promhttp.HandlerFor(registry) at /metrics on an address only the monitoring reaches.
//
// Traces need a TracerProvider with an exporter to the operations team's backend (e.g.
// go.opentelemetry.io/otel/exporters/otlp/otlptrace), set in telemetry.Options; the example
// has none, so its spans are not recorded.
func (e *example) metrics(addr string) (*telemetry.Telemetry, error) {
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	tel, err := telemetry.New(&telemetry.Options{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	e.servers = append(e.servers, srv)
	e.metricsURL = "http://" + ln.Addr().String() + "/metrics"
	go srv.Serve(ln)
	return tel, nil
}
