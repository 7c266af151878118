package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make a schema per test

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// sqliteDSN names a fresh SQLite file.
func sqliteDSN(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "ozgkit.db")
}

var schemaSeq atomic.Int64

// postgresDSN names a fresh schema in the database of OZGKIT_TEST_POSTGRES, or skips.
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("OZGKIT_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("OZGKIT_TEST_POSTGRES is not set: set it to a PostgreSQL DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the command against PostgreSQL")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("ozgoutbox_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema (is PostgreSQL running at %s?): %v", dsn, err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", dsn); err == nil {
			_, _ = a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// backOffice is a back office's webhook endpoint: it refuses submissions with 422 (a
// permanent failure) while refuse is set, and otherwise takes them through delivery.Receiver.
type backOffice struct {
	refuse   atomic.Bool
	received atomic.Int64
	hook     *delivery.Webhook
}

func newBackOffice(t *testing.T) *backOffice {
	t.Helper()
	secret := bytes.Repeat([]byte{5}, 32)
	b := &backOffice{}
	b.refuse.Store(true)
	recv := delivery.NewReceiver(secret, func(_ context.Context, s *ozg.Submission, files *delivery.ReceivedFiles) (string, error) {
		for {
			_, rc, err := files.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return "", err
			}
			_, _ = io.Copy(io.Discard, rc)
		}
		b.received.Add(1)
		return "fv-" + s.Reference, nil
	}, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b.refuse.Load() {
			_, _ = io.Copy(io.Discard, r.Body)
			http.Error(w, "Leistungsschlüssel 99107004017000 ist hier nicht eingerichtet", http.StatusUnprocessableEntity)
			return
		}
		recv.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	var err error
	if b.hook, err = delivery.NewWebhook(srv.URL, secret, nil); err != nil {
		t.Fatal(err)
	}
	return b
}

// portalSide is what a portal does with the database: it takes a submission and runs its
// outbox, which delivers to the back office.
type portalSide struct {
	db     *sqlstore.DB
	apps   *ozg.Applications
	outbox *ozg.Outbox
}

func newPortalSide(t *testing.T, dsn string, target ozg.Delivery) *portalSide {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, &sqlstore.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	form, err := forms.Load("wohngeld.schema.json", []byte(`{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	catalog := ozg.NewCatalog(&ozg.CatalogOptions{Logger: quiet})
	err = catalog.Register(&ozg.Service{
		ID: "wohngeld", Name: "Wohngeld beantragen", Description: "Zuschuss zur Miete.", LeikaKey: "99107004017000",
		Topic: ozg.TopicBauenWohnen, Level: identity.LevelSubstantial, Form: form, Delivery: "fachverfahren", LegalBasis: "§ 22 WoGG",
		Authority: ozg.Authority{Name: "Wohngeldbehörde", Region: "010020000000", Contact: ozg.Contact{Email: "wohngeld@behoerde.example"},
			Address: ozg.Address{Street: "Rathausplatz 1", PostalCode: "24103", City: "Kiel"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &portalSide{db: db}
	p.apps = ozg.NewApplications(catalog, db.Applications(), &ozg.ApplicationsOptions{Logger: quiet})
	p.outbox = ozg.NewOutbox(db.Applications(), map[string]ozg.Delivery{"fachverfahren": target}, nil, &ozg.OutboxOptions{Logger: quiet})
	return p
}

func (p *portalSide) submit(t *testing.T, key string) *ozg.Submission {
	t.Helper()
	ctx := context.Background()
	a, err := p.apps.Create(ctx, "wohngeld", "bPK2-ERIKA", json.RawMessage(`{"name":"Erika Weiß-Özdemir"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, sub, err := p.apps.Submit(ctx, "bPK2-ERIKA", a.ID, ozg.SubmitRequest{IdempotencyKey: key,
		Identity: ozg.IdentityFacts{Subject: "bPK2-ERIKA", Level: identity.LevelHigh, Method: "eid"}})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// ozgoutbox runs the command with the database in $OZGKIT_DB.
func ozgoutbox(t *testing.T, dsn string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	env := func(k string) string {
		if k == "OZGKIT_DB" {
			return dsn
		}
		return ""
	}
	code = run(t.Context(), args, env, &out, &errs)
	return code, out.String(), errs.String()
}

func TestAFailedDeliveryIsListedRequeuedAndDelivered(t *testing.T) {
	for _, db := range []struct {
		name string
		dsn  func(*testing.T) string
	}{{"SQLite", sqliteDSN}, {"PostgreSQL", postgresDSN}} {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := db.dsn(t)
			office := newBackOffice(t)
			p := newPortalSide(t, dsn, office.hook)
			sub := p.submit(t, "k1")
			if n, err := p.outbox.RunOnce(ctx); n != 1 || err != nil {
				t.Fatalf("outbox: %d, %v", n, err)
			}

			code, out, errs := ozgoutbox(t, dsn, "list")
			for _, want := range []string{"SUBMISSION", sub.ID, sub.Reference, "wohngeld", "fachverfahren", "pending", "422 Unprocessable Entity", "nicht eingerichtet"} {
				if code != 0 || !strings.Contains(out, want) {
					t.Fatalf("list (exit %d) lacks %q:\n%s%s", code, want, out, errs)
				}
			}
			code, out, errs = ozgoutbox(t, dsn, "show", sub.ID)
			for _, want := range []string{"state:       failed", "failed step: pending", "attempts:    1", "target:      fachverfahren", "reference:   " + sub.Reference, "Leistungsschlüssel 99107004017000 ist hier nicht eingerichtet"} {
				if code != 0 || !strings.Contains(out, want) {
					t.Fatalf("show (exit %d) lacks %q:\n%s%s", code, want, out, errs)
				}
			}
			code, out, _ = ozgoutbox(t, dsn, "show", "-json", sub.ID)
			var w ozg.OutboxWork
			if err := json.Unmarshal([]byte(out), &w); code != 0 || err != nil || w.SubmissionID != sub.ID || w.State != ozg.DeliveryFailed || w.FailedIn != ozg.DeliveryPending || w.Reference != sub.Reference {
				t.Fatalf("show -json (exit %d, %v): %s", code, err, out)
			}
			for _, what := range []string{"Erika", "Weiß", "bPK2"} {
				if _, all, _ := ozgoutbox(t, dsn, "list", "-json"); strings.Contains(all+out, what) {
					t.Fatalf("the command shows personal data %q:\n%s%s", what, all, out)
				}
			}

			code, out, errs = ozgoutbox(t, dsn, "requeue", sub.ID)
			if code != 0 || !strings.Contains(out, "requeued "+sub.ID) || !strings.Contains(errs, `msg="ozgoutbox: audit"`) || !strings.Contains(errs, "action=requeued") {
				t.Fatalf("requeue (exit %d):\n%s%s", code, out, errs)
			}
			if code, out, errs = ozgoutbox(t, dsn, "requeue", sub.ID); code != 1 || !strings.Contains(errs, "is pending, not failed") {
				t.Fatalf("a second requeue (exit %d):\n%s%s", code, out, errs)
			}
			if code, out, _ = ozgoutbox(t, dsn, "list"); code != 0 || strings.TrimSpace(out) != "no failed deliveries" {
				t.Fatalf("list after the requeue (exit %d):\n%s", code, out)
			}

			// The back office is set up now: the portal's outbox delivers at its next round.
			office.refuse.Store(false)
			if n, err := p.outbox.RunOnce(ctx); n != 1 || err != nil {
				t.Fatalf("outbox after the requeue: %d, %v", n, err)
			}
			if office.received.Load() != 1 {
				t.Fatalf("the back office received %d submissions", office.received.Load())
			}
			code, out, _ = ozgoutbox(t, dsn, "show", sub.ID)
			if code != 0 || !strings.Contains(out, "state:       notifying") || !strings.Contains(out, "receipt:     fv-"+sub.Reference) {
				t.Fatalf("show after the delivery (exit %d):\n%s", code, out)
			}
		})
	}
}

func TestWrongUsageIsRefusedWithTheReason(t *testing.T) {
	dsn := sqliteDSN(t)
	tests := []struct {
		name string
		dsn  string
		args []string
		code int
		want string
	}{
		{"no command", dsn, nil, 2, "usage:"},
		{"an unknown command", dsn, []string{"delete"}, 2, `unknown command "delete"`},
		{"no database", "", []string{"list"}, 2, "give -db or set OZGKIT_DB"},
		{"a database that is not one", "mysql://x", []string{"list"}, 2, "DSN must start with sqlite: or postgres://"},
		{"show without an id", dsn, []string{"show"}, 2, "wrong arguments"},
		{"requeue with two ids", dsn, []string{"requeue", "a", "b"}, 2, "wrong arguments"},
		{"too many to list", dsn, []string{"list", "-n", "5000"}, 2, "-n 5000 is not between 1 and 1000"},
		{"an unknown flag", dsn, []string{"requeue", "-json", "x"}, 2, "flag provided but not defined: -json"},
		{"an id that is not a submission id", dsn, []string{"show", "'; DROP TABLE outbox; --"}, 1, "no outbox work for submission"},
		{"an unknown submission", dsn, []string{"requeue", "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}, 1, "no outbox work for submission"},
		{"help", dsn, []string{"help"}, 0, "ozgoutbox requeue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := ozgoutbox(t, tt.dsn, tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.want) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.want, out, errs)
			}
		})
	}
	// -db wins over $OZGKIT_DB
	if code, out, errs := ozgoutbox(t, "mysql://x", "list", "-db", dsn); code != 0 || out != "no failed deliveries\n" {
		t.Fatalf("list -db (exit %d):\n%s%s", code, out, errs)
	}
}
