package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

// benchClients is how many clients submit at once in the submit benchmarks.
const benchClients = 8

const benchSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["name", "birthDate", "street", "postalCode", "city", "members", "rent"],
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "birthDate": {"type": "string", "format": "date"},
    "street": {"type": "string", "maxLength": 200},
    "postalCode": {"type": "string", "pattern": "^[0-9]{5}$"},
    "city": {"type": "string", "maxLength": 100},
    "members": {"type": "integer", "minimum": 1, "maximum": 20},
    "rent": {"type": "number", "minimum": 0},
    "iban": {"type": "string", "maxLength": 34}
  }
}`

const benchData = `{"name":"Erika Mustermann","birthDate":"1964-08-12","street":"Heidestraße 17","postalCode":"51147","city":"Köln","members":3,"rent":742.5,"iban":"DE02120300000000202051"}`

// benchSubmitter sets up a database for one submit benchmark and returns the submit of the
// i-th prepared draft.
type benchSubmitter func(b *testing.B, db *sqlstore.DB, n int) func(ctx context.Context, i int) error

// BenchmarkSubmit compares, on each database and in the same run, ozg.Applications.Submit
// with a raw database/sql transaction doing the same writes (the reference number, the
// application's update at its version, the submission, the outbox entry) on the same pool,
// with benchClients clients submitting at once. Each submit is of a draft of its own,
// prepared before the clock starts.
//
//	go test ./ozg/sqlstore -run '^$' -bench BenchmarkSubmit -benchtime 3s -count 3
func BenchmarkSubmit(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		for _, v := range []struct {
			name string
			prep benchSubmitter
		}{{"raw", rawSubmitter}, {"applications", applicationsSubmitter}} {
			b.Run(db.name+"/"+v.name, func(b *testing.B) { runSubmits(b, db.open(b), v.prep) })
		}
	}
}

// runSubmits runs b.N submits, prepared by prep, on benchClients goroutines.
func runSubmits(b *testing.B, db *sqlstore.DB, prep benchSubmitter) {
	submit := prep(b, db, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	runClients(b, b.N, submit)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
}

// benchDrafts creates n drafts of the benchmark's service through apps.
func benchDrafts(b *testing.B, apps *ozg.Applications, n int) []*ozg.Application {
	drafts := make([]*ozg.Application, n)
	for i := range drafts {
		a, err := apps.Create(context.Background(), "wohngeld", fmt.Sprintf("citizen-%d", i%500), json.RawMessage(benchData))
		if err != nil {
			b.Fatal(err)
		}
		drafts[i] = a
	}
	return drafts
}

func benchApplications(b *testing.B, db *sqlstore.DB) *ozg.Applications {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	form, err := forms.Load("antrag.json", []byte(benchSchema))
	if err != nil {
		b.Fatal(err)
	}
	c := ozg.NewCatalog(&ozg.CatalogOptions{Logger: quiet})
	err = c.Register(&ozg.Service{
		ID: "wohngeld", Name: "Wohngeld beantragen", Description: "Zuschuss zur Miete.",
		LeikaKey: "99107004017000", Topic: ozg.TopicBauenWohnen,
		Authority: ozg.Authority{Name: "Landeshauptstadt Kiel", Region: "010020000000",
			Contact: ozg.Contact{Email: "wohngeld@kiel.example"},
			Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}},
		Level: identity.LevelSubstantial, Form: form, LegalBasis: "§ 22 WoGG", Delivery: "fachverfahren",
	})
	if err != nil {
		b.Fatal(err)
	}
	return ozg.NewApplications(c, db.Applications(), &ozg.ApplicationsOptions{Logger: quiet})
}

func applicationsSubmitter(b *testing.B, db *sqlstore.DB, n int) func(ctx context.Context, i int) error {
	apps := benchApplications(b, db)
	drafts := benchDrafts(b, apps, n)
	return func(ctx context.Context, i int) error {
		a := drafts[i]
		_, _, err := apps.Submit(ctx, a.Owner, a.ID, ozg.SubmitRequest{IdempotencyKey: "key-" + a.ID,
			Identity: ozg.IdentityFacts{Subject: a.Owner, Level: identity.LevelSubstantial, Method: "eID"}})
		return err
	}
}

// rawSubmitter writes what a submit writes with plain database/sql, the documents encoded
// before the clock starts.
func rawSubmitter(b *testing.B, db *sqlstore.DB, n int) func(ctx context.Context, i int) error {
	drafts := benchDrafts(b, benchApplications(b, db), n)
	type prepared struct {
		id, owner, subID, key, history, body string
		version                              int64
	}
	now := time.Now().UTC()
	ps := make([]prepared, n)
	for i, a := range drafts {
		if err := a.Transition(ozg.StateSubmitted, now, ""); err != nil {
			b.Fatal(err)
		}
		h, _ := json.Marshal(a.History)
		sub := &ozg.Submission{ID: uuid.NewString(), ApplicationID: a.ID, ServiceID: a.ServiceID, LeikaKey: "99107004017000",
			Reference: "WOHNGELD-2026-000000", Delivery: "fachverfahren", Owner: a.Owner, IdempotencyKey: "key-" + a.ID,
			Identity: ozg.IdentityFacts{Subject: a.Owner, Level: identity.LevelSubstantial, Method: "eID"},
			Data:     a.Data, SubmittedAt: now}
		body, _ := json.Marshal(sub)
		ps[i] = prepared{a.ID, a.Owner, sub.ID, sub.IdempotencyKey, string(h), string(body), a.Version}
	}
	sqlDB := db.SQL()
	q := func(s string) string { return s }
	if fmt.Sprintf("%T", sqlDB.Driver()) == "*stdlib.Driver" { // pgx
		q = dollars
	}
	var (
		seq    = q(`INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value`)
		update = q(`UPDATE applications SET data = ?, state = ?, history = ?, reference = ?, version = ?, updated_at = ?, provenance = ?
			WHERE id = ? AND version = ? AND owner = ? AND service_id = ? AND created_at = ?`)
		insSub = q(`INSERT INTO submissions (id, application_id, owner, idempotency_key, body, submitted_at) VALUES (?, ?, ?, ?, ?, ?)`)
		insOut = q(`INSERT INTO outbox (submission_id, delivery, state, attempts, next_attempt, lease_until, last_error) VALUES (?, ?, ?, 0, ?, 0, '')`)
	)
	return func(ctx context.Context, i int) error {
		p, a := ps[i], drafts[i]
		tx, err := sqlDB.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		var n int64
		if err := tx.QueryRowContext(ctx, seq, "reference:WOHNGELD:2026").Scan(&n); err != nil {
			return err
		}
		ref := fmt.Sprintf("WOHNGELD-2026-%06d", n)
		res, err := tx.ExecContext(ctx, update, benchData, "submitted", p.history, ref, p.version+1, now.UnixMicro(), "{}",
			p.id, p.version, p.owner, "wohngeld", a.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return fmt.Errorf("raw update of %s changed %d rows", p.id, k)
		}
		if _, err := tx.ExecContext(ctx, insSub, p.subID, p.id, p.owner, p.key, p.body, now.UnixMicro()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, insOut, p.subID, "fachverfahren", "pending", now.UnixMicro()); err != nil {
			return err
		}
		return tx.Commit()
	}
}

// dollars numbers ? placeholders as PostgreSQL's $1, $2, ….
func dollars(s string) string {
	out, n := make([]byte, 0, len(s)+16), 0
	for i := range len(s) {
		if s[i] == '?' {
			n++
			out = fmt.Appendf(out, "$%d", n)
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

// BenchmarkSubmitPaired measures the same two submit paths as BenchmarkSubmit, but in
// alternating rounds of submitRound submits each on one database, so that the load of other
// processes on the machine falls on both alike. It reports both rates over all rounds and
// applications-of-raw-%, the median over the pairs of rounds of the rate of
// ozg.Applications.Submit as a percentage of the raw transaction's (a burst of load elsewhere
// spoils one pair, not the figure). One op is one pair of rounds.
//
//	go test ./ozg/sqlstore -run '^$' -bench BenchmarkSubmitPaired -benchtime 40x
func BenchmarkSubmitPaired(b *testing.B) {
	const submitRound = 100
	for _, db := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(db.name, func(b *testing.B) {
			d := db.open(b)
			var (
				spent  [2]time.Duration
				ratios []float64
			)
			round := 0
			for b.Loop() {
				var took [2]time.Duration
				for k := range 2 {
					which := (round + k) % 2 // alternate which path goes first
					prep := []benchSubmitter{rawSubmitter, applicationsSubmitter}[which]
					b.StopTimer()
					submit := prep(b, d, submitRound)
					b.StartTimer()
					start := time.Now()
					runClients(b, submitRound, submit)
					took[which] = time.Since(start)
				}
				spent[0], spent[1] = spent[0]+took[0], spent[1]+took[1]
				ratios = append(ratios, 100*took[0].Seconds()/took[1].Seconds())
				round++
			}
			slices.Sort(ratios)
			b.ReportMetric(float64(round*submitRound)/spent[0].Seconds(), "raw-submits/s")
			b.ReportMetric(float64(round*submitRound)/spent[1].Seconds(), "applications-submits/s")
			b.ReportMetric(ratios[len(ratios)/2], "applications-of-raw-%")
		})
	}
}

// runClients runs submits 0..n-1 on benchClients goroutines.
func runClients(b *testing.B, n int, submit func(ctx context.Context, i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchClients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := submit(context.Background(), i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
