// Command ozgoutbox lets the people who run an ozgkit portal see and requeue the work its
// outbox gave up (failed deliveries): deliveries to a back office, receipts to citizens and
// withdrawals that failed for good, or more often than the outbox tries.
//
//	ozgoutbox list    [-db DSN] [-n 50] [-json]    the failed work, oldest first
//	ozgoutbox show    [-db DSN] [-json] ID          one submission's outbox work
//	ozgoutbox requeue [-db DSN] ID                  make failed work due again now
//
// ID is the submission id (a UUID) that list shows. The database is the portal's: -db, or
// the environment variable OZGKIT_DB when -db is not given, as "postgres://..." or
// "sqlite:PATH" (see ozg/sqlstore.Open; opening it brings its schema up to date, as the
// portal does when it starts). A requeued piece of work is done by the portal's running
// outbox at its next poll, with its attempts counted from zero, in the step that failed.
//
// What the command shows is the outbox's own record: the submission's reference number
// (Aktenzeichen), service, delivery target, the step that failed, attempts and the last error;
// never form data or a citizen's identity. Each requeue is written to standard error as an
// audit log record naming the operating-system user who ran it.
//
// Exit codes: 0 done; 1 the work was not found or is not failed (nothing was changed); 2 wrong
// usage or an error that kept the command from doing its work.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage:
  ozgoutbox list    [-db DSN] [-n 50] [-json]
  ozgoutbox show    [-db DSN] [-json] ID
  ozgoutbox requeue [-db DSN] ID
The database is -db or $OZGKIT_DB: "postgres://..." or "sqlite:PATH".
`

// errorInList is how much of a last error the list shows, in characters; show shows all.
const errorInList = 500

// run is the command without process globals; getenv reads the environment. It returns the
// exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	if cmd == "-h" || cmd == "-help" || cmd == "--help" || cmd == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if cmd != "list" && cmd != "show" && cmd != "requeue" {
		fmt.Fprintf(stderr, "ozgoutbox: unknown command %q\n%s", cmd, usage)
		return 2
	}
	fs := flag.NewFlagSet("ozgoutbox "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "", `the portal's database, "postgres://..." or "sqlite:PATH" (default $OZGKIT_DB)`)
	asJSON, n := new(bool), new(int)
	if cmd != "requeue" {
		fs.BoolVar(asJSON, "json", false, "print JSON instead of text")
	}
	if cmd == "list" {
		fs.IntVar(n, "n", 50, "list at most this many, 1 to 1000")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	want := 1
	if cmd == "list" {
		want = 0
	}
	if fs.NArg() != want {
		fmt.Fprintf(stderr, "ozgoutbox %s: wrong arguments %q\n%s", cmd, fs.Args(), usage)
		return 2
	}
	if cmd == "list" && (*n < 1 || *n > 1000) {
		fmt.Fprintf(stderr, "ozgoutbox list: -n %d is not between 1 and 1000\n", *n)
		return 2
	}
	if *dsn == "" {
		*dsn = getenv("OZGKIT_DB")
	}
	if *dsn == "" {
		fmt.Fprintf(stderr, "ozgoutbox %s: no database: give -db or set OZGKIT_DB\n", cmd)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := sqlstore.Open(ctx, *dsn, &sqlstore.Options{Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "ozgoutbox: %v\n", err)
		return 2
	}
	defer db.Close()
	// The outbox here only reads and requeues; the portal's own outbox does the work.
	outbox := ozg.NewOutbox(db.Applications(), nil, nil, &ozg.OutboxOptions{Logger: logger})
	switch cmd {
	case "list":
		return list(ctx, outbox, *n, *asJSON, stdout, stderr)
	case "show":
		return show(ctx, outbox, fs.Arg(0), *asJSON, stdout, stderr)
	default:
		return requeue(ctx, outbox, fs.Arg(0), stdout, stderr)
	}
}

func list(ctx context.Context, outbox *ozg.Outbox, n int, asJSON bool, stdout, stderr io.Writer) int {
	work, err := outbox.FailedWork(ctx, n)
	if err != nil {
		fmt.Fprintf(stderr, "ozgoutbox list: %v\n", err)
		return 2
	}
	if asJSON {
		if work == nil {
			work = []ozg.OutboxWork{}
		}
		return printJSON(work, stdout, stderr)
	}
	if len(work) == 0 {
		fmt.Fprintln(stdout, "no failed deliveries")
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBMISSION\tREFERENCE\tSERVICE\tTARGET\tFAILED STEP\tATTEMPTS\tLAST DUE\tLAST ERROR")
	for _, w := range work {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", w.SubmissionID, w.Reference, w.ServiceID, w.Delivery, w.FailedStep(),
			w.Attempts, w.NextAttempt.UTC().Format(time.RFC3339), oneLine(w.LastError, errorInList))
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "ozgoutbox list: %v\n", err)
		return 2
	}
	return 0
}

func show(ctx context.Context, outbox *ozg.Outbox, id string, asJSON bool, stdout, stderr io.Writer) int {
	w, code := entry(ctx, outbox, "show", id, stderr)
	if code != 0 {
		return code
	}
	if asJSON {
		return printJSON(w, stdout, stderr)
	}
	step := "step"
	if w.State == ozg.DeliveryFailed {
		step = "failed step"
	}
	lines := [][2]string{
		{"submission", w.SubmissionID}, {"reference", w.Reference}, {"service", w.ServiceID}, {"target", w.Delivery},
		{"state", string(w.State)}, {step, string(w.FailedStep())}, {"attempts", fmt.Sprint(w.Attempts)},
		{"last due", w.NextAttempt.UTC().Format(time.RFC3339)}, {"submitted", w.SubmittedAt.UTC().Format(time.RFC3339)},
	}
	if w.Receipt != nil {
		lines = append(lines, [2]string{"receipt", w.Receipt.ID})
	}
	lines = append(lines, [2]string{"last error", w.LastError})
	for _, l := range lines {
		fmt.Fprintf(stdout, "%-12s %s\n", l[0]+":", l[1])
	}
	return 0
}

func requeue(ctx context.Context, outbox *ozg.Outbox, id string, stdout, stderr io.Writer) int {
	w, code := entry(ctx, outbox, "requeue", id, stderr)
	if code != 0 {
		return code
	}
	if w.State != ozg.DeliveryFailed {
		fmt.Fprintf(stderr, "ozgoutbox requeue: %s (%s) is %s, not failed: nothing to requeue\n", w.SubmissionID, w.Reference, w.State)
		return 1
	}
	if err := outbox.Requeue(ctx, id); err != nil {
		if errors.Is(err, ozg.ErrInvalidTransition) || errors.Is(err, ozg.ErrNotFound) {
			fmt.Fprintf(stderr, "ozgoutbox requeue: %s is no longer failed (requeued meanwhile?): %v\n", id, err)
			return 1
		}
		fmt.Fprintf(stderr, "ozgoutbox requeue: %v\n", err)
		return 2
	}
	operator := "unknown"
	if u, err := user.Current(); err == nil {
		operator = u.Username
	}
	slog.New(slog.NewTextHandler(stderr, nil)).LogAttrs(ctx, slog.LevelInfo, "ozgoutbox: audit",
		slog.String("action", "requeued"), slog.String("operator", operator), slog.String("submission", w.SubmissionID),
		slog.String("reference", w.Reference), slog.String("service", w.ServiceID), slog.String("delivery", w.Delivery),
		slog.String("step", string(w.FailedStep())))
	fmt.Fprintf(stdout, "requeued %s (%s): %s to %s is due now\n", w.SubmissionID, w.Reference, w.FailedStep(), w.Delivery)
	return 0
}

// entry loads the outbox work of id, or says why not and returns the exit code.
func entry(ctx context.Context, outbox *ozg.Outbox, cmd, id string, stderr io.Writer) (ozg.OutboxWork, int) {
	w, err := outbox.Entry(ctx, id)
	switch {
	case errors.Is(err, ozg.ErrNotFound):
		fmt.Fprintf(stderr, "ozgoutbox %s: no outbox work for submission %.64q\n", cmd, id)
		return w, 1
	case err != nil:
		fmt.Fprintf(stderr, "ozgoutbox %s: %v\n", cmd, err)
		return w, 2
	}
	return w, 0
}

func printJSON(v any, stdout, stderr io.Writer) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "ozgoutbox: %v\n", err)
		return 2
	}
	return 0
}

// oneLine puts s on one line and cuts it to n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
