package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

var retentionNow = time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

// retentionMix says how many of each kind of item seedRetention writes; each count is split
// between items that are due and as many that are not.
type retentionMix struct {
	drafts, delivered, pending, messages int
}

func (m retentionMix) total() int { return 2 * (m.drafts + m.delivered + m.pending + m.messages) }

// seedRetention writes the mix in one transaction, straight into the tables (a benchmark's
// setup of 10,000 items through the stores, one commit each, would take longer than the sweep).
// Due drafts are 40 days old, due submissions 200 days, due messages 400 days; the others a day.
func seedRetention(tb testing.TB, db *sqlstore.DB, m retentionMix) {
	tb.Helper()
	ctx := context.Background()
	ph := placeholders(db) // before the transaction: SQLite has one connection
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	exec := func(query string, args ...any) {
		tb.Helper()
		if _, err := tx.ExecContext(ctx, ph(query), args...); err != nil {
			tb.Fatalf("%s: %v", query, err)
		}
	}
	us := func(t time.Time) int64 { return t.UnixMicro() }
	app := func(state string, updated time.Time) string {
		id := uuid.NewString()
		exec(`INSERT INTO applications (id, service_id, owner, data, state, history, reference, version, created_at, updated_at, provenance)
			VALUES (?, 'wohngeld', ?, '{"name":"Erika Mustermann"}', ?, '[]', NULL, 3, ?, ?, 'null')`,
			id, "owner-"+id[:8], state, us(updated.Add(-time.Hour)), us(updated))
		return id
	}
	sub := func(appID, state string, at time.Time) {
		sid := uuid.NewString()
		exec(`INSERT INTO submissions (id, application_id, owner, idempotency_key, body, submitted_at) VALUES (?, ?, ?, ?, '{}', ?)`,
			sid, appID, "owner-"+appID[:8], "k-"+sid, us(at))
		exec(`INSERT INTO outbox (submission_id, delivery, state, attempts, next_attempt, lease_until, last_error, failed_in)
			VALUES (?, 'fachverfahren', ?, 0, ?, 0, '', '')`, sid, state, us(at))
	}
	msg := func(created time.Time) {
		id := uuid.NewString()
		exec(`INSERT INTO mailbox_messages (id, owner, kind, status, subject, body, sender_name, sender_reference, application,
			service, min_level, attachments, created_at, read_at, reply_allowed, due_at, in_reply_to, reply_id,
			notify_attempts, notify_next, notify_done, notify_gave_up)
			VALUES (?, ?, 'status', 'processing', 'Ihr Antrag', 'Guten Tag', 'Stadt Musterstadt', 'R-1', 'A-1',
			'wohngeld', 2, '[]', ?, NULL, 0, NULL, '', '', 0, ?, ?, 0)`, id, "owner-"+id[:8], us(created), us(created), us(created))
	}
	for _, old := range []bool{true, false} {
		age := func(d time.Duration) time.Time {
			if old {
				return retentionNow.Add(-d)
			}
			return retentionNow.Add(-24 * time.Hour)
		}
		for range m.drafts {
			app("draft", age(40*24*time.Hour))
		}
		for range m.delivered {
			at := age(200 * 24 * time.Hour)
			sub(app("delivered", at), "delivered", at)
		}
		for range m.pending {
			at := age(400 * 24 * time.Hour)
			sub(app("submitted", at), "pending", at)
		}
		for range m.messages {
			msg(age(400 * 24 * time.Hour))
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// placeholders rewrites ? to $n for PostgreSQL, found out by asking the database (SQLite has
// no version() function).
func placeholders(db *sqlstore.DB) func(string) string {
	var v string
	if err := db.SQL().QueryRow(`SELECT version()`).Scan(&v); err != nil {
		return func(s string) string { return s }
	}
	return func(s string) string {
		out, n := make([]byte, 0, len(s)+16), 0
		for i := 0; i < len(s); i++ {
			if s[i] == '?' {
				n++
				out = fmt.Appendf(out, "$%d", n)
				continue
			}
			out = append(out, s[i])
		}
		return string(out)
	}
}

func newSQLSweeper(tb testing.TB, db *sqlstore.DB, batch int) *ozg.Sweeper {
	tb.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ev, err := evidence.New(db.Evidence(), evidence.NewMemoryBlobStore(), evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	mb, err := mailbox.New(db.Mailbox(), mailbox.NewMemoryBlobStore(), &mailbox.Options{Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	svc := &ozg.Service{ID: "wohngeld", Retention: ozg.DefaultRetention()}
	s, err := ozg.NewSweeper([]*ozg.Service{svc}, db.Applications(), &ozg.SweeperOptions{
		Evidence: ev, Messages: mb, BatchSize: batch, MaxPerSweep: 1_000_000, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func count(tb testing.TB, db *sql.DB, table string) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func testSQLSweep(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	mix := retentionMix{drafts: 30, delivered: 20, pending: 10, messages: 25}
	seedRetention(t, db, mix)
	s := newSQLSweeper(t, db, 7)
	want := []ozg.RetentionCount{
		{Service: "wohngeld", Kind: ozg.RetentionKindDrafts, Count: 30},
		{Service: "wohngeld", Kind: ozg.RetentionKindMessages, Count: 25},
		{Service: "wohngeld", Kind: ozg.RetentionKindSubmissions, Count: 20},
	}
	dry, err := s.Sweep(ctx, retentionNow, true)
	if err != nil || !reflect.DeepEqual(dry.Counts, want) {
		t.Fatalf("dry run = %+v, %v; want %+v", dry, err, want)
	}
	if n := count(t, db.SQL(), "applications"); n != 2*(30+20+10) {
		t.Fatalf("the dry run deleted applications: %d left", n)
	}
	got, err := s.Sweep(ctx, retentionNow, false)
	if err != nil || !reflect.DeepEqual(got.Counts, dry.Counts) {
		t.Fatalf("sweep = %+v, %v; want the dry run's %+v", got, err, dry.Counts)
	}
	for table, want := range map[string]int{
		"applications": 30 + 20 + 2*10, "submissions": 20 + 2*10, "outbox": 20 + 2*10, "mailbox_messages": 25,
	} {
		if n := count(t, db.SQL(), table); n != want {
			t.Errorf("%s: %d rows left, want %d", table, n, want)
		}
	}
	var pending int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE state = 'pending'`).Scan(&pending); err != nil || pending != 2*10 {
		t.Errorf("pending outbox entries left = %d, %v; want all 20", pending, err)
	}
	if again, err := s.Sweep(ctx, retentionNow, false); err != nil || again.Total() != 0 {
		t.Errorf("a second sweep = %+v, %v", again, err)
	}
}

func TestSQLiteSweepDeletesWhatItsDryRunListed(t *testing.T) { testSQLSweep(t, openSQLite(t)) }

func TestPostgresSweepDeletesWhatItsDryRunListed(t *testing.T) { testSQLSweep(t, openPostgres(t)) }

// BenchmarkRetentionSweep sweeps 10,000 items (half of them due: drafts, delivered
// submissions and Postfach messages; pending submissions that must stay), reseeded before
// every sweep.
func BenchmarkRetentionSweep(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(tc.name, func(b *testing.B) {
			db := tc.open(b)
			mix := retentionMix{drafts: 2000, delivered: 1500, pending: 500, messages: 1000}
			s := newSQLSweeper(b, db, 100)
			ctx := context.Background()
			b.ReportAllocs()
			deleted := 0
			for b.Loop() {
				b.StopTimer()
				for _, table := range []string{"outbox", "submissions", "applications", "mailbox_messages"} {
					if _, err := db.SQL().Exec(`DELETE FROM ` + table); err != nil {
						b.Fatal(err)
					}
				}
				seedRetention(b, db, mix)
				b.StartTimer()
				r, err := s.Sweep(ctx, retentionNow, false)
				if err != nil {
					b.Fatal(err)
				}
				if r.Total() != mix.drafts+mix.delivered+mix.messages {
					b.Fatalf("deleted %d, want %d", r.Total(), mix.drafts+mix.delivered+mix.messages)
				}
				deleted += r.Total()
			}
			b.ReportMetric(float64(mix.total()), "items/sweep")
			b.ReportMetric(float64(deleted)/b.Elapsed().Seconds(), "deleted/s")
		})
	}
}
