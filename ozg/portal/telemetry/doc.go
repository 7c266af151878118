// Package telemetry reports an ozgkit portal to OpenTelemetry (go.opentelemetry.io/otel): it
// implements portal.Telemetry, which a portal opts into with Config.Telemetry. The portal
// package itself does not import OpenTelemetry.
//
// # Traces
//
// Every request gets a server span named by its route pattern, e.g.
// "GET /api/applications/{application}" (otelhttp), with the attribute http.route and the
// portal's request id as ozgkit.request.id, so a log line (which carries the id as "request",
// see portal.LogRequestIDs) leads to its trace. The portal's calls to the OIDC provider get
// client spans; the clients of the payment provider and the delivery targets, which the
// application builds, get them when they are made with [Telemetry.Client]:
//
//	tel, _ := telemetry.New(nil) // the global providers; or Options with your own
//	pay, _ := xbezahldienste.New(xbezahldienste.Config{..., HTTPClient: tel.Client("payment", nil)})
//	hook, _ := delivery.NewWebhook(url, secret, &delivery.WebhookOptions{Client: tel.Client("fachverfahren", nil)})
//	p, _ := portal.New(ctx, portal.Config{..., Payments: pay, Telemetry: tel})
//
// Incoming trace context (traceparent) is not trusted by default: a citizen's browser must
// not decide the portal's trace ids. Behind a gateway that starts the traces, set
// Options.TrustIncomingTraces.
//
// # Metrics
//
// Requests (otelhttp's semantic conventions):
//
//	http.server.request.duration    histogram (s): http.route, http.request.method, http.response.status_code
//	http.client.request.duration    histogram (s): outbound calls, with peer.service
//
// The outbox, per delivery target (ozgkit.delivery.target) and work (ozgkit.outbox.work:
// delivery, receipt, withdrawal):
//
//	ozgkit.outbox.attempts          counter: attempts
//	ozgkit.outbox.failures          counter: failed attempts; ozgkit.outbox.gave_up=true when final
//	ozgkit.outbox.attempt.duration  histogram (s)
//
// Gauges, read from the stores (portal.Portal.Stats) when the metrics are collected, at most
// once per Options.StatsInterval:
//
//	ozgkit.outbox.entries           by ozgkit.outbox.state: pending, notifying, withdrawing, failed
//	ozgkit.outbox.due               work due now and not held by a worker
//	ozgkit.outbox.oldest_due.age    (s) how long the oldest due work has waited; 0 when none
//	ozgkit.evidence.scan.pending    the scan queue: evidence waiting for the virus scan
//	ozgkit.mailbox.notifications    by ozgkit.notification.state: pending, failed
//	ozgkit.payments.open            payments the citizen has not finished
//
// # Prometheus
//
// With go.opentelemetry.io/otel/exporters/prometheus, a MeterProvider whose reader is the
// exporter serves all of these at /metrics of promhttp.Handler() (ozgkit's example does so on
// a listener of its own with -metrics ADDR). The names become e.g.
// http_server_request_duration_seconds_count{http_route="GET /api/..."} and
// ozgkit_outbox_oldest_due_age_seconds.
package telemetry
