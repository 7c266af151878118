// Command wohngeld runs an example portal of a German municipality built with ozgkit: Wohngeld
// (housing benefit) and a residents' parking permit, fully online (OZG Reifegrad 3, with the
// digital notice of level 4) — nothing to install.
//
//	go run ./examples/wohngeld        # the portal on http://127.0.0.1:8080
//	go run ./examples/wohngeld -metrics 127.0.0.1:9464   # and its metrics for Prometheus
//
// It is configuration only: the services and their forms (services.go, *.schema.json), a
// local BundID-like identity provider (identity/identitytest) and a local XBezahldienste
// payment platform (payment/paymenttest) on their own loopback ports, and the back office.
// Everything else — citizen pages, JSON API, Postfach, outbox, stores — is ozg/portal.
// Data is kept in SQLite under -data (or PostgreSQL with -db postgres://...).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address (loopback: the example has test logins)")
	flag.StringVar(&cfg.DataDir, "data", "ozgkit-data", "directory for the SQLite database, uploaded files and keys")
	flag.StringVar(&cfg.DSN, "db", "", `database: "postgres://..." (default: SQLite in -data)`)
	flag.StringVar(&cfg.Login, "login", "oidc", `how citizens log in: "oidc" (OpenID Connect) or "saml" (SAML 2.0, as BundID speaks it)`)
	flag.StringVar(&cfg.Clamd, "clamd", "", `scan uploads with clamd at "unix:PATH" or "tcp:HOST:PORT" (default: no scanning)`)
	flag.StringVar(&cfg.Metrics, "metrics", "", `serve Prometheus metrics at http://ADDR/metrics on a listener of their own, e.g. "127.0.0.1:9464"`)
	verbose := flag.Bool("v", false, "log more")
	flag.Parse()
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wohngeld:", err)
		os.Exit(1)
	}
}
