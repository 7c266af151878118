package telemetry_test

import (
	"context"
	"log"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/ozg/portal/telemetry"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// A portal whose metrics Prometheus scrapes on a port of their own; the clients of the
// payment provider and the back office's webhook are traced and measured as well.
func Example() {
	ctx := context.Background()
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		log.Fatal(err)
	}
	tel, err := telemetry.New(&telemetry.Options{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))})
	if err != nil {
		log.Fatal(err)
	}
	pay, err := xbezahldienste.New(xbezahldienste.Config{BaseURL: "https://epay.example/", OriginatorID: "kiel", EndpointID: "portal",
		HTTPClient: tel.Client("payment", nil)})
	if err != nil {
		log.Fatal(err)
	}
	hook, err := delivery.NewWebhook("https://fachverfahren.kiel.example/antraege", []byte("a secret of at least 32 bytes ..."),
		&delivery.WebhookOptions{Client: tel.Client("fachverfahren", nil)})
	if err != nil {
		log.Fatal(err)
	}
	go http.ListenAndServe("127.0.0.1:9464", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	err = portal.ListenAndServe(ctx, ":8080", portal.Config{
		BaseURL:    "https://service.kiel.example",
		Services:   []*ozg.Service{ /* the portal's services */ },
		OIDC:       portal.OIDC{Issuer: "https://id.bund.example", ClientID: "kiel"},
		Payments:   pay,
		Deliveries: map[string]ozg.Delivery{"fachverfahren": hook},
		Telemetry:  tel,
	})
	log.Fatal(err)
}
