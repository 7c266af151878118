package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/portal"
)

// scope names the instrumentation scope of the tracer and meter.
const scope = "github.com/ozgkit/ozgkit/ozg/portal/telemetry"

// Options configures Telemetry. The zero value uses OpenTelemetry's global providers.
type Options struct {
	// TracerProvider, MeterProvider and Propagators; nil means otel's global ones.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	Propagators    propagation.TextMapPropagator
	// TrustIncomingTraces continues the trace of an incoming traceparent header. Off, a
	// request starts a new trace and links the incoming one: set it only behind a gateway
	// that starts the traces, never when citizens' requests arrive directly.
	TrustIncomingTraces bool
	// StatsInterval is the shortest time between two reads of the portal's Stats; a
	// collection within it reports the last values. Default 10s.
	StatsInterval time.Duration
	// Logger receives failures to read the Stats; nil means slog.Default().
	Logger *slog.Logger
}

// Telemetry reports a portal to OpenTelemetry; it implements portal.Telemetry. One Telemetry
// serves one portal at a time (its Observe).
type Telemetry struct {
	opts     Options
	logger   *slog.Logger
	meter    metric.Meter
	server   []otelhttp.Option
	attempts metric.Int64Counter
	failures metric.Int64Counter
	duration metric.Float64Histogram
}

var _ portal.Telemetry = (*Telemetry)(nil)

// New returns a Telemetry; opts may be nil.
func New(opts *Options) (*Telemetry, error) {
	t := &Telemetry{}
	if opts != nil {
		t.opts = *opts
	}
	if t.opts.TracerProvider == nil {
		t.opts.TracerProvider = otel.GetTracerProvider()
	}
	if t.opts.MeterProvider == nil {
		t.opts.MeterProvider = otel.GetMeterProvider()
	}
	if t.opts.Propagators == nil {
		t.opts.Propagators = otel.GetTextMapPropagator()
	}
	if t.opts.StatsInterval <= 0 {
		t.opts.StatsInterval = 10 * time.Second
	}
	t.logger = t.opts.Logger
	if t.logger == nil {
		t.logger = slog.Default()
	}
	t.meter = t.opts.MeterProvider.Meter(scope)
	t.server = []otelhttp.Option{
		otelhttp.WithTracerProvider(t.opts.TracerProvider), otelhttp.WithMeterProvider(t.opts.MeterProvider),
		otelhttp.WithPropagators(t.opts.Propagators),
	}
	if !t.opts.TrustIncomingTraces {
		t.server = append(t.server, otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true }))
	}
	var err error
	if t.attempts, err = t.meter.Int64Counter("ozgkit.outbox.attempts", metric.WithUnit("{attempt}"),
		metric.WithDescription("Attempts of the outbox's work (deliveries, receipts, withdrawals) per delivery target.")); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	if t.failures, err = t.meter.Int64Counter("ozgkit.outbox.failures", metric.WithUnit("{attempt}"),
		metric.WithDescription("Failed attempts of the outbox's work per delivery target; gave_up when the work is given up.")); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	if t.duration, err = t.meter.Float64Histogram("ozgkit.outbox.attempt.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of the outbox's attempts per delivery target.")); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	return t, nil
}

// Handler implements portal.Telemetry: a server span and the request metrics of otelhttp,
// named by the portal's route pattern.
func (t *Telemetry) Handler(next http.Handler, route func(*http.Request) string) http.Handler {
	// inner runs inside otelhttp's span: it names the span's request id, and keeps the route
	// on otelhttp's request, which the ServeMux behind would overwrite with its own pattern.
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := portal.RequestID(r.Context()); id != "" {
			trace.SpanFromContext(r.Context()).SetAttributes(attribute.String("ozgkit.request.id", id))
		}
		pattern := r.Pattern
		defer func() { r.Pattern = pattern }()
		next.ServeHTTP(w, r)
	})
	h := otelhttp.NewHandler(inner, "portal", t.server...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if route != nil {
			if pattern := route(r); pattern != "" {
				r = r.WithContext(r.Context())
				r.Pattern = pattern
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Transport implements portal.Telemetry: client spans and metrics for calls to peer, with
// the trace context sent along. base nil means http.DefaultTransport.
func (t *Telemetry) Transport(peer string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	attr := attribute.String("peer.service", peer)
	return peerLabel{attr: attr, next: otelhttp.NewTransport(base,
		otelhttp.WithTracerProvider(t.opts.TracerProvider), otelhttp.WithMeterProvider(t.opts.MeterProvider),
		otelhttp.WithPropagators(t.opts.Propagators), otelhttp.WithSpanOptions(trace.WithAttributes(attr)))}
}

// Client returns a copy of base (nil: a client with a 30 s timeout) whose calls to peer are
// traced and measured: for the payment provider's and the delivery targets' clients, which
// the application builds (xbezahldienste.Config.HTTPClient, delivery.WebhookOptions.Client,
// fitconnect's Options.HTTPClient).
func (t *Telemetry) Client(peer string, base *http.Client) *http.Client {
	c := &http.Client{Timeout: 30 * time.Second}
	if base != nil {
		*c = *base
	}
	c.Transport = t.Transport(peer, c.Transport)
	return c
}

// peerLabel adds peer.service to the client metrics of otelhttp's transport.
type peerLabel struct {
	attr attribute.KeyValue
	next http.RoundTripper
}

func (p peerLabel) RoundTrip(r *http.Request) (*http.Response, error) {
	l := &otelhttp.Labeler{}
	l.Add(p.attr)
	return p.next.RoundTrip(r.WithContext(otelhttp.ContextWithClientLabeler(r.Context(), l)))
}

// work names the outbox's work in a state.
func work(s ozg.DeliveryState) string {
	switch s {
	case ozg.DeliveryPending:
		return "delivery"
	case ozg.DeliveryNotifying:
		return "receipt"
	case ozg.DeliveryWithdrawing:
		return "withdrawal"
	}
	return string(s)
}

// OutboxAttempt implements portal.Telemetry: it counts the attempt, and its failure, per
// delivery target and work.
func (t *Telemetry) OutboxAttempt(ctx context.Context, a ozg.OutboxAttempt) {
	attrs := metric.WithAttributes(attribute.String("ozgkit.delivery.target", a.Delivery), attribute.String("ozgkit.outbox.work", work(a.State)))
	t.attempts.Add(ctx, 1, attrs)
	t.duration.Record(ctx, a.Duration.Seconds(), attrs)
	if a.Err != nil {
		t.failures.Add(ctx, 1, metric.WithAttributes(attribute.String("ozgkit.delivery.target", a.Delivery),
			attribute.String("ozgkit.outbox.work", work(a.State)), attribute.Bool("ozgkit.outbox.gave_up", a.GaveUp)))
	}
}

// Observe implements portal.Telemetry: it registers the gauges, read from stats when the
// metrics are collected (at most once per Options.StatsInterval). stop unregisters them.
func (t *Telemetry) Observe(stats func(context.Context) (portal.Stats, error)) (stop func(), err error) {
	if stats == nil {
		return nil, errors.New("telemetry: Observe needs a stats function")
	}
	m := t.meter
	entries, err1 := m.Int64ObservableUpDownCounter("ozgkit.outbox.entries", metric.WithUnit("{entry}"),
		metric.WithDescription("The outbox's entries by state: work to do (pending, notifying, withdrawing) and work given up (failed)."))
	due, err2 := m.Int64ObservableUpDownCounter("ozgkit.outbox.due", metric.WithUnit("{entry}"),
		metric.WithDescription("The outbox's work due now and not held by a worker."))
	age, err3 := m.Float64ObservableGauge("ozgkit.outbox.oldest_due.age", metric.WithUnit("s"),
		metric.WithDescription("How long the outbox's oldest due work has waited; 0 when nothing is due."))
	scans, err4 := m.Int64ObservableUpDownCounter("ozgkit.evidence.scan.pending", metric.WithUnit("{evidence}"),
		metric.WithDescription("Evidence waiting for the virus scan."))
	notes, err5 := m.Int64ObservableUpDownCounter("ozgkit.mailbox.notifications", metric.WithUnit("{notification}"),
		metric.WithDescription("Postfach notifications by state: pending (still to send) and failed (given up)."))
	open, err6 := m.Int64ObservableUpDownCounter("ozgkit.payments.open", metric.WithUnit("{payment}"),
		metric.WithDescription("Payments the citizen has not finished (created or pending)."))
	if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	c := &statsCache{read: stats, interval: t.opts.StatsInterval}
	state := func(s string) metric.ObserveOption {
		return metric.WithAttributes(attribute.String("ozgkit.outbox.state", s))
	}
	reg, err := m.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		s, err := c.get(ctx)
		if err != nil {
			t.logger.WarnContext(ctx, "telemetry: reading the portal's stats failed", "err", err)
			return nil // the other metrics are still collected
		}
		ob := s.Outbox
		o.ObserveInt64(entries, int64(ob.Pending), state("pending"))
		o.ObserveInt64(entries, int64(ob.Notifying), state("notifying"))
		o.ObserveInt64(entries, int64(ob.Withdrawing), state("withdrawing"))
		o.ObserveInt64(entries, int64(ob.Failed), state("failed"))
		o.ObserveInt64(due, int64(ob.Due))
		waited := 0.0
		if !ob.OldestDue.IsZero() {
			waited = max(time.Since(ob.OldestDue).Seconds(), 0)
		}
		o.ObserveFloat64(age, waited)
		q := s.Queues
		o.ObserveInt64(scans, int64(q.ScanPending))
		o.ObserveInt64(notes, int64(q.NotificationsPending), metric.WithAttributes(attribute.String("ozgkit.notification.state", "pending")))
		o.ObserveInt64(notes, int64(q.NotificationsFailed), metric.WithAttributes(attribute.String("ozgkit.notification.state", "failed")))
		o.ObserveInt64(open, int64(q.PaymentsOpen))
		return nil
	}, entries, due, age, scans, notes, open)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	return func() { reg.Unregister() }, nil
}

// statsTimeout bounds one read of the Stats, so a slow database cannot hold up a scrape.
const statsTimeout = 5 * time.Second

// statsCache reads the portal's Stats at most once per interval.
type statsCache struct {
	read     func(context.Context) (portal.Stats, error)
	interval time.Duration

	mu    sync.Mutex
	stats portal.Stats
	at    time.Time
}

// get returns the Stats read last, or reads them when that was an interval ago.
func (c *statsCache) get(ctx context.Context) (portal.Stats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.interval {
		return c.stats, nil
	}
	ctx, cancel := context.WithTimeout(ctx, statsTimeout)
	defer cancel()
	s, err := c.read(ctx)
	if err != nil {
		return portal.Stats{}, err
	}
	c.stats, c.at = s, time.Now()
	return s, nil
}
