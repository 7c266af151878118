package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/ozg/portal/telemetry"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// parking is a paid service with evidence at level basic, delivered by webhook.
func parking(t testing.TB) *ozg.Service {
	t.Helper()
	form, err := forms.Load("antrag.json", []byte(`{"type": "object", "required": ["kennzeichen"],
	  "properties": {"kennzeichen": {"type": "string", "minLength": 1, "x-ui": {"label": "Kennzeichen"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	return &ozg.Service{
		ID: "bewohnerparkausweis", Name: "Bewohnerparkausweis beantragen", Description: "Parken im Bewohnerparkgebiet.",
		LeikaKey: "99058009000000", Topic: ozg.TopicMobilitaetReisen, Level: identity.LevelBasic, Form: form,
		Authority: ozg.Authority{Name: "Stadt Kiel", Region: "010020000000", Contact: ozg.Contact{Email: "parken@kiel.example"},
			Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}},
		Evidence: []evidence.Requirement{{ID: "zulassung", Title: "Zulassungsbescheinigung", Required: true,
			MaxCount: 1, MediaTypes: []string{"application/pdf"}, MaxSize: 5 << 20}},
		Fee:        &ozg.Fee{Amount: 3060, LegalBasis: "GebOSt Nr. 265", DueBeforeSubmission: true},
		LegalBasis: "§ 45 StVO", Delivery: "fachverfahren",
	}
}

// observed is a portal served on loopback (without its background loops: the test runs the
// outbox) whose telemetry goes to an in-memory span exporter and a manual metric reader.
type observed struct {
	*portal.Portal
	base    string
	spans   *tracetest.InMemoryExporter
	metrics *sdkmetric.ManualReader
	login   *ozgtest.BrowserLogin
	// webhook counts the deliveries the back office received; the first is refused.
	webhook atomic.Int32
}

func startObserved(t testing.TB) *observed {
	t.Helper()
	o := &observed{spans: tracetest.NewInMemoryExporter(), metrics: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(o.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(o.metrics))
	t.Cleanup(func() { tp.Shutdown(context.Background()); mp.Shutdown(context.Background()) })
	tel, err := telemetry.New(&telemetry.Options{TracerProvider: tp, MeterProvider: mp,
		Propagators: propagation.TraceContext{}, StatsInterval: time.Nanosecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	startPortal(t, o, tel)
	return o
}

// startPortal builds o's portal with tel (nil: without telemetry) and serves it.
func startPortal(t testing.TB, o *observed, tel *telemetry.Telemetry) {
	t.Helper()
	client := func(peer string) *http.Client {
		if tel == nil {
			return nil
		}
		return tel.Client(peer, nil)
	}
	var pt portal.Telemetry
	if tel != nil {
		pt = tel
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.base = "http://" + ln.Addr().String()
	idpMux := http.NewServeMux()
	idpSrv := httptest.NewServer(idpMux)
	t.Cleanup(idpSrv.Close)
	idp, err := identitytest.New(idpSrv.URL, &identitytest.Options{Clients: []identitytest.Client{{
		ID: "portal", Secret: "s3cret", RedirectURIs: []string{o.base + "/auth/callback"}, PostLogoutRedirectURIs: []string{o.base + "/"}}}})
	if err != nil {
		t.Fatal(err)
	}
	idpMux.Handle("/", idp)
	payMux := http.NewServeMux()
	paySrv := httptest.NewServer(payMux)
	t.Cleanup(paySrv.Close)
	payMux.Handle("/", paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: paySrv.URL + "/", Logger: quiet}))
	pay, err := xbezahldienste.New(xbezahldienste.Config{BaseURL: paySrv.URL + "/", OriginatorID: "ozgkit", EndpointID: "test",
		HTTPClient: client("payment")})
	if err != nil {
		t.Fatal(err)
	}
	backOffice := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if o.webhook.Add(1) == 1 {
			http.Error(w, "schema rejected", http.StatusUnprocessableEntity) // permanent: given up
			return
		}
		fmt.Fprint(w, `{"id":"fv-1"}`)
	}))
	t.Cleanup(backOffice.Close)
	hook, err := delivery.NewWebhook(backOffice.URL, bytes.Repeat([]byte("k"), 32), &delivery.WebhookOptions{Client: client("fachverfahren")})
	if err != nil {
		t.Fatal(err)
	}
	o.Portal, err = portal.New(context.Background(), portal.Config{
		BaseURL: o.base, DataDir: t.TempDir(), Logger: quiet, Payments: pay, Telemetry: pt,
		OIDC:       portal.OIDC{Issuer: idpSrv.URL, ClientID: "portal", ClientSecret: "s3cret"},
		Services:   []*ozg.Service{parking(t)},
		Deliveries: map[string]ozg.Delivery{"fachverfahren": hook},
		Theme: portal.Theme{Name: "Serviceportal Kiel", ImprintURL: "https://www.kiel.example/impressum",
			PrivacyURL: "https://www.kiel.example/datenschutz", AccessibilityURL: "https://www.kiel.example/barrierefreiheit"},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := o.Server(ln.Addr().String())
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); o.Close() })
	o.login = &ozgtest.BrowserLogin{LoginURL: o.base + "/auth/login?level={level}&return=/api/session", Origin: o.base}
}

// call sends a request with c and returns the answer's status, request id and JSON body.
func call(t testing.TB, c *http.Client, method, url string, body io.Reader, header map[string]string) (int, string, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, resp.Header.Get(portal.RequestIDHeader), m
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// collect reads the metrics now.
func (o *observed) collect(t testing.TB) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := o.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

// value sums the data points of the metric name whose attributes include want: the value of
// a sum or gauge, the count of a histogram. found is false when no data point matches.
func value(rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) (v float64, found bool) {
	match := func(set attribute.Set) bool {
		for _, kv := range want {
			if got, ok := set.Value(kv.Key); !ok || got != kv.Value {
				return false
			}
		}
		return true
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						v, found = v+float64(p.Value), true
					}
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						v, found = v+p.Value, true
					}
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						v, found = v+float64(p.Count), true
					}
				}
			}
		}
	}
	return v, found
}

func TestAJourneyLeavesSpansAndMetrics(t *testing.T) {
	o := startObserved(t)
	ctx := t.Context()
	c, err := o.login.Login(ctx, "erika", identity.LevelBasic)
	if err != nil {
		t.Fatal(err)
	}
	api := o.base + "/api"
	status, _, draft := call(t, c, "POST", api+"/services/bewohnerparkausweis/applications", strings.NewReader(`{"data":{"kennzeichen":"KI-AB 123"}}`), nil)
	if status != 201 {
		t.Fatalf("create: %d %v", status, draft)
	}
	id := draft["id"].(string)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("requirement", "zulassung")
	fw, _ := mw.CreateFormFile("file", "zulassung.pdf")
	fw.Write(pdf)
	mw.Close()
	if status, _, m := call(t, c, "POST", api+"/applications/"+id+"/evidence", &buf, map[string]string{"Content-Type": mw.FormDataContentType()}); status != 201 {
		t.Fatalf("upload: %d %v", status, m)
	}
	status, _, start := call(t, c, "POST", api+"/applications/"+id+"/payment", nil, nil)
	if status != 200 {
		t.Fatalf("payment: %d %v", status, start)
	}
	if v, _ := value(o.collect(t), "ozgkit.payments.open"); v != 1 {
		t.Errorf("ozgkit.payments.open while the citizen pays = %v, want 1", v)
	}
	back, err := (&paymenttest.Citizen{Client: c}).Choose(ctx, start["redirectUrl"].(string), paymenttest.ActionPay, "")
	if err != nil {
		t.Fatal(err)
	}
	if status, _, m := call(t, c, "GET", back, nil, nil); status != 200 || m["state"] != "paid" {
		t.Fatalf("payment return: %d %v", status, m)
	}
	status, getID, _ := call(t, c, "GET", api+"/applications/"+id, nil, nil)
	if status != 200 || getID == "" {
		t.Fatalf("get: %d, request id %q", status, getID)
	}
	if status, _, m := call(t, c, "POST", api+"/applications/"+id+"/submit", nil, map[string]string{"Idempotency-Key": "k1"}); status != 202 {
		t.Fatalf("submit: %d %v", status, m)
	}
	if status, _, _ := call(t, c, "GET", api+"/nope", nil, nil); status != 404 {
		t.Fatalf("unknown route: %d", status)
	}
	rm := o.collect(t)
	if v, _ := value(rm, "ozgkit.outbox.entries", attribute.String("ozgkit.outbox.state", "pending")); v != 1 {
		t.Errorf("ozgkit.outbox.entries{pending} after the submit = %v, want 1", v)
	}
	if v, _ := value(rm, "ozgkit.outbox.due"); v != 1 {
		t.Errorf("ozgkit.outbox.due after the submit = %v, want 1", v)
	}
	if v, found := value(rm, "ozgkit.outbox.oldest_due.age"); !found || v < 0 || v > 600 {
		t.Errorf("ozgkit.outbox.oldest_due.age = %v (%v), want the seconds since the submit", v, found)
	}

	// The back office refuses the first delivery for good; requeued, it takes it; then the
	// receipt goes to the Postfach.
	if _, err := o.Outbox().RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	rm = o.collect(t)
	if v, _ := value(rm, "ozgkit.outbox.entries", attribute.String("ozgkit.outbox.state", "failed")); v != 1 {
		t.Errorf("ozgkit.outbox.entries{failed} after a refused delivery = %v, want 1", v)
	}
	failed, err := o.Outbox().Failed(ctx, 10)
	if err != nil || len(failed) != 1 {
		t.Fatalf("failed = %v, %v", failed, err)
	}
	if err := o.Outbox().Requeue(ctx, failed[0].SubmissionID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := o.Outbox().RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}

	rm = o.collect(t)
	target := attribute.String("ozgkit.delivery.target", "fachverfahren")
	metrics := []struct {
		name  string
		attrs []attribute.KeyValue
		want  float64
	}{
		{"http.server.request.duration", []attribute.KeyValue{attribute.String("http.route", "/api/applications/{application}"),
			attribute.String("http.request.method", "GET"), attribute.Int("http.response.status_code", 200)}, 1},
		{"http.server.request.duration", []attribute.KeyValue{attribute.String("http.route", "/api/applications/{application}/submit"),
			attribute.Int("http.response.status_code", 202)}, 1},
		{"http.server.request.duration", []attribute.KeyValue{attribute.String("http.route", "/api/services/{service}/applications"),
			attribute.Int("http.response.status_code", 201)}, 1},
		{"ozgkit.outbox.attempts", []attribute.KeyValue{target, attribute.String("ozgkit.outbox.work", "delivery")}, 2},
		{"ozgkit.outbox.attempts", []attribute.KeyValue{target, attribute.String("ozgkit.outbox.work", "receipt")}, 1},
		{"ozgkit.outbox.failures", []attribute.KeyValue{target, attribute.String("ozgkit.outbox.work", "delivery"), attribute.Bool("ozgkit.outbox.gave_up", true)}, 1},
		{"ozgkit.outbox.failures", []attribute.KeyValue{target, attribute.String("ozgkit.outbox.work", "receipt")}, 0},
		{"ozgkit.outbox.attempt.duration", []attribute.KeyValue{target}, 3},
		{"ozgkit.outbox.entries", []attribute.KeyValue{attribute.String("ozgkit.outbox.state", "failed")}, 0},
		{"ozgkit.outbox.entries", []attribute.KeyValue{attribute.String("ozgkit.outbox.state", "pending")}, 0},
		{"ozgkit.outbox.entries", []attribute.KeyValue{attribute.String("ozgkit.outbox.state", "notifying")}, 0},
		{"ozgkit.outbox.due", nil, 0},
		{"ozgkit.outbox.oldest_due.age", nil, 0},
		{"ozgkit.payments.open", nil, 0},
		{"ozgkit.evidence.scan.pending", nil, 0},
	}
	for _, m := range metrics {
		v, found := value(rm, m.name, m.attrs...)
		if v != m.want || (!found && m.want != 0) {
			t.Errorf("%s%v = %v (found %v), want %v", m.name, m.attrs, v, found, m.want)
		}
	}
	for _, state := range []string{"pending", "failed"} {
		if _, found := value(rm, "ozgkit.mailbox.notifications", attribute.String("ozgkit.notification.state", state)); !found {
			t.Errorf("ozgkit.mailbox.notifications{%s} is not reported", state)
		}
	}
	for _, peer := range []string{"identity", "payment", "fachverfahren"} {
		if v, _ := value(rm, "http.client.request.duration", attribute.String("peer.service", peer)); v < 1 {
			t.Errorf("no outbound request to %s measured", peer)
		}
	}

	spans := o.spans.GetSpans()
	byName := map[string][]tracetest.SpanStub{}
	for _, s := range spans {
		byName[s.Name] = append(byName[s.Name], s)
	}
	get := byName["GET /api/applications/{application}"]
	if len(get) != 1 {
		t.Fatalf("spans named by the route: %d, want 1; names: %v", len(get), names(spans))
	}
	attrs := attribute.NewSet(get[0].Attributes...)
	if v, _ := attrs.Value("http.route"); v.AsString() != "/api/applications/{application}" || get[0].SpanKind != trace.SpanKindServer {
		t.Errorf("the route's span has http.route %q, kind %v", v.AsString(), get[0].SpanKind)
	}
	if v, _ := attrs.Value("ozgkit.request.id"); v.AsString() != getID {
		t.Errorf("the route's span has request id %q, the answer %q", v.AsString(), getID)
	}
	if v, _ := attrs.Value("http.response.status_code"); v.AsInt64() != 200 {
		t.Errorf("the route's span has status %v", v.AsInt64())
	}
	for _, name := range []string{"POST /api/services/{service}/applications", "POST /api/applications/{application}/evidence",
		"POST /api/applications/{application}/payment", "GET /api/applications/{application}/payment/return",
		"POST /api/applications/{application}/submit", "GET /auth/login", "GET /auth/callback", "GET /api/session"} {
		if len(byName[name]) == 0 {
			t.Errorf("no span %q; names: %v", name, names(spans))
		}
	}
	if len(byName["GET"]) == 0 {
		t.Errorf("the unknown route has no span named by its method alone; names: %v", names(spans))
	}
	peers := map[string]int{}
	for _, s := range spans {
		if s.SpanKind != trace.SpanKindClient {
			continue
		}
		set := attribute.NewSet(s.Attributes...)
		if v, ok := set.Value("peer.service"); ok {
			peers[v.AsString()]++
		}
	}
	if peers["identity"] == 0 || peers["payment"] == 0 || peers["fachverfahren"] != 2 {
		t.Errorf("client spans by peer = %v, want identity and payment calls and 2 deliveries", peers)
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

func TestAnIncomingTraceIsLinkedNotContinued(t *testing.T) {
	o := startObserved(t)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	req, _ := http.NewRequest("GET", o.base+"/healthz", nil)
	req.Header.Set("traceparent", parent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var got *tracetest.SpanStub
	for _, s := range o.spans.GetSpans() {
		if s.Name == "GET /healthz" {
			got = &s
		}
	}
	if got == nil {
		t.Fatalf("no span GET /healthz; names: %v", names(o.spans.GetSpans()))
	}
	if got.Parent.IsValid() || got.SpanContext.TraceID().String() == "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("a citizen's traceparent was continued: parent %v", got.Parent)
	}
	if len(got.Links) != 1 || got.Links[0].SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("links %+v, want the incoming trace", got.Links)
	}
}
