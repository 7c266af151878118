// Command wohngeld runs an example portal of a German municipality built with ozgkit: Wohngeld
// (housing benefit) and a residents' parking permit, fully online (OZG Reifegrad 3, with the
// digital notice of level 4), with a local BundID-like login, a local XBezahldienste payment
// platform and a case worker's inbox — nothing to install.
//
//	go run ./examples/wohngeld            # serve on http://127.0.0.1:8080 (citizens' HTML pages at /)
//	go run ./examples/wohngeld -demo      # walk the whole journey over HTTP, print it, exit
//
// Everything is kept in SQLite under -data (or in PostgreSQL with -db postgres://...), the
// uploaded files on disk beside it, so the portal picks up where it stopped.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address (loopback; the example has test logins)")
	data := flag.String("data", "ozgkit-data", "directory for the SQLite database and uploaded files")
	db := flag.String("db", "", `application store DSN: "sqlite:PATH" or "postgres://..." (default: SQLite in -data)`)
	clamd := flag.String("clamd", "", `scan uploads with clamd at "unix:PATH" or "tcp:HOST:PORT" (default: no scanning)`)
	demo := flag.Bool("demo", false, "walk the whole journey once over HTTP, print it and exit")
	verbose := flag.Bool("v", false, "log more")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, config{DSN: *db, DataDir: *data, Clamd: *clamd}, *demo, *verbose, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wohngeld:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, cfg config, demo, verbose bool, out io.Writer) error {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if demo && addr == "127.0.0.1:8080" {
		addr = "127.0.0.1:0" // any free port
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	a, err := newApp(ctx, base, mux, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go a.run(ctx)

	if demo {
		return runDemo(ctx, a, out)
	}
	fmt.Fprintf(out, "Beispielportal: %s/\n", base)
	fmt.Fprintf(out, "Anmelden:        %s/auth/login?level=high&return=/ (Testpersonen zur Auswahl)\n", base)
	fmt.Fprintf(out, "Sachbearbeitung: %s/sachbearbeitung (Benutzer sachbearbeitung, Passwort %s)\n", base, a.caseWorkerPassword)
	fmt.Fprintf(out, "API:             %s/api/openapi.json — beenden mit Strg+C\n", base)
	<-ctx.Done()
	shutdown, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	return srv.Shutdown(shutdown)
}
