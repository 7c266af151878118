package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetricsAreServedForPrometheus runs the example with -metrics and scrapes it as
// Prometheus would.
func TestMetricsAreServedForPrometheus(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	e, err := start(ctx, config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Logger: quietLogger(), Metrics: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.portal.Serve(ctx, e.ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		e.close(nil)
	})
	if !strings.HasSuffix(e.metricsURL, "/metrics") || strings.HasPrefix(e.metricsURL, e.base) {
		t.Fatalf("metrics at %q, want /metrics on a listener of their own (the portal is at %s)", e.metricsURL, e.base)
	}
	for _, path := range []string{"/", "/leistungen/wohngeld", "/api/services"} {
		resp, err := http.Get(e.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(e.metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	for _, want := range []string{
		`http_server_request_duration_seconds_count{`,
		`http_route="/leistungen/{service}"`,
		`http_route="/api/services"`,
		`ozgkit_outbox_entries{`,
		`ozgkit_outbox_oldest_due_age_seconds`,
		`ozgkit_evidence_scan_pending`,
		`ozgkit_mailbox_notifications{`,
		`ozgkit_payments_open`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", body)
	}
	if resp, err := http.Get(e.base + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("the citizens' port serves the metrics")
		}
	}
}
