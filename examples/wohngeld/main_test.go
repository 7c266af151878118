package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemoJourney runs the example as `go run ./examples/wohngeld -demo` does: the real portal,
// identity provider, payment platform, SQLite store and outbox on loopback, driven over HTTP.
func TestDemoJourney(t *testing.T) {
	var out bytes.Buffer
	cfg := config{DataDir: t.TempDir()}
	if err := run(context.Background(), "127.0.0.1:0", cfg, true, false, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"Reifegrad 4",
		"vorausgefüllt (Once-Only)",
		"Eingereicht: Ihr Antrag „Wohngeld beantragen“",
		"Postfach: [receipt] Eingangsbestätigung: Wohngeld beantragen",
		"Postfach: [notice] Bescheid: Wohngeld beantragen",
		"der Bezahldienst bestätigt: paid",
		"Zugestellt, mit Zahlungsnachweis",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}
