// Command ozgmigrate brings the schema of an ozgkit database up to date, as a step of its own.
//
// Deployments whose application connects as a database user without DDL rights run it as a
// user that has them, before the new release starts, and open the database in the
// application with sqlstore.Options{SkipMigrations: true}:
//
//	OZGKIT_DSN=postgres://owner@db:5432/ozg ozgmigrate          # apply what is missing
//	OZGKIT_DSN=postgres://app@db:5432/ozg ozgmigrate -check     # only check; exit 1 if not current
//
// The DSN comes from the -dsn flag or, better (it keeps a password out of the process list),
// from the OZGKIT_DSN environment variable; "sqlite:PATH" and "postgres://..." work as in
// sqlstore.Open. Several ozgmigrate runs and starting replicas may migrate one database at
// once: each migration is applied once. A migration file that differs from the one the
// database applied is refused by name.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command with its surroundings passed in: 0 done, 1 refused or failed, 2 usage.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ozgmigrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("dsn", "", "database DSN (default $OZGKIT_DSN): sqlite:PATH or postgres://...")
	check := fs.Bool("check", false, "change nothing: exit 1 unless every migration is applied unchanged")
	timeout := fs.Duration("timeout", 10*time.Minute, "time for the whole run, waiting for another migration included")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: ozgmigrate [-check] [-dsn DSN]\n\n"+
			"Applies the schema migrations of this ozgkit release to the database (or with -check only\n"+
			"checks them). See `go doc github.com/ozgkit/ozgkit/cmd/ozgmigrate`.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ozgmigrate: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *dsn == "" {
		*dsn = getenv("OZGKIT_DSN")
	}
	if *dsn == "" {
		fmt.Fprintln(stderr, "ozgmigrate: no database: set OZGKIT_DSN or pass -dsn")
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	opts := &sqlstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if *check {
		opts.SkipMigrations = true
		db, err := sqlstore.Open(ctx, *dsn, opts)
		if err != nil {
			fmt.Fprintln(stderr, "ozgmigrate:", err)
			return 1
		}
		db.Close()
		fmt.Fprintln(stdout, "schema is current")
		return 0
	}
	applied, err := sqlstore.Migrate(ctx, *dsn, opts)
	for _, v := range applied {
		fmt.Fprintln(stdout, "applied", v)
	}
	if err != nil {
		fmt.Fprintln(stderr, "ozgmigrate:", err)
		if errors.Is(err, sqlstore.ErrMigrationChanged) {
			fmt.Fprintln(stderr, "ozgmigrate: a migration file was edited after the database applied it; nothing was applied")
		}
		return 1
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is current; nothing to apply")
	}
	return 0
}
