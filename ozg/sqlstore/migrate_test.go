package sqlstore_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

// freshDSN returns the DSN of an empty database of kind "sqlite" or "postgres" (a schema of
// its own), or skips when PostgreSQL is not configured.
func freshDSN(t *testing.T, kind string) string {
	t.Helper()
	if kind == "sqlite" {
		return "sqlite:" + filepath.Join(t.TempDir(), "ozgkit.db")
	}
	dsn := os.Getenv("OZGKIT_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("OZGKIT_TEST_POSTGRES is not set: set it to a PostgreSQL DSN to run the PostgreSQL migration tests")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("ozgkit_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", dsn); err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// embeddedMigrations lists the versions in migrations/, as Migrate names them.
func embeddedMigrations(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".sql"))
	}
	slices.Sort(out)
	return out
}

// rawExec runs statements on the database of dsn outside the store.
func rawExec(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.SQL().Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestMigrateHelperProcess is not a test: it is the child process of
// TestConcurrentMigrationsApplyEachMigrationOnce. It waits for a line on stdin, migrates the
// database named by OZGKIT_MIGRATE_HELPER_DSN and prints what it applied.
func TestMigrateHelperProcess(t *testing.T) {
	dsn := os.Getenv("OZGKIT_MIGRATE_HELPER_DSN")
	if dsn == "" {
		return
	}
	bufio.NewReader(os.Stdin).ReadString('\n')
	applied, err := sqlstore.Migrate(context.Background(), dsn, quiet)
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(2)
	}
	for _, v := range applied {
		fmt.Println("applied", v)
	}
	os.Exit(0)
}

func TestConcurrentMigrationsApplyEachMigrationOnce(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			dsn := freshDSN(t, kind)
			const processes = 3
			var (
				cmds  []*exec.Cmd
				outs  []*bytes.Buffer
				gates []io.WriteCloser
			)
			for range processes {
				cmd := exec.Command(os.Args[0], "-test.run=^TestMigrateHelperProcess$")
				cmd.Env = append(os.Environ(), "OZGKIT_MIGRATE_HELPER_DSN="+dsn)
				out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
				cmd.Stdout, cmd.Stderr = out, errOut
				gate, err := cmd.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds, outs, gates = append(cmds, cmd), append(outs, out), append(gates, gate)
				t.Cleanup(func() {
					if t.Failed() {
						t.Logf("child stderr: %s", errOut)
					}
				})
			}
			for _, g := range gates { // all start migrating at once
				io.WriteString(g, "go\n")
				g.Close()
			}
			count := map[string]int{}
			for i, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					t.Fatalf("process %d: %v", i, err)
				}
				for line := range strings.Lines(outs[i].String()) {
					if v, ok := strings.CutPrefix(strings.TrimSpace(line), "applied "); ok {
						count[v]++
					}
				}
			}
			for _, v := range embeddedMigrations(t) {
				if count[v] != 1 {
					t.Errorf("migration %s was applied %d times by %d processes starting at once, want once", v, count[v], processes)
				}
			}
			if len(count) != len(embeddedMigrations(t)) {
				t.Errorf("the processes applied %d migrations, want %d", len(count), len(embeddedMigrations(t)))
			}
			// The schema works, and a further run has nothing to do.
			if applied, err := sqlstore.Migrate(context.Background(), dsn, quiet); err != nil || len(applied) != 0 {
				t.Fatalf("a later Migrate applied %v, %v; want nothing", applied, err)
			}
			db, err := sqlstore.Open(context.Background(), dsn, &sqlstore.Options{Logger: quiet.Logger, SkipMigrations: true})
			if err != nil {
				t.Fatalf("Open after the concurrent migration: %v", err)
			}
			defer db.Close()
			if _, err := db.Applications().NextSequence(context.Background(), "x"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAChangedMigrationIsRefusedByName(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			dsn := freshDSN(t, kind)
			rawExec(t, dsn, `UPDATE schema_migrations SET checksum = '`+strings.Repeat("0", 64)+`' WHERE version = '0004_evidence'`)
			for _, opts := range []*sqlstore.Options{quiet, {Logger: quiet.Logger, SkipMigrations: true}} {
				_, err := sqlstore.Open(context.Background(), dsn, opts)
				if !errors.Is(err, sqlstore.ErrMigrationChanged) || !strings.Contains(err.Error(), "0004_evidence") {
					t.Fatalf("Open (SkipMigrations %v) with a changed migration = %v, want ErrMigrationChanged naming 0004_evidence", opts.SkipMigrations, err)
				}
			}
			if _, err := sqlstore.Migrate(context.Background(), dsn, quiet); !errors.Is(err, sqlstore.ErrMigrationChanged) {
				t.Fatalf("Migrate with a changed migration = %v, want ErrMigrationChanged", err)
			}
		})
	}
}

func TestSkipMigrationsRefusesASchemaThatIsNotCurrent(t *testing.T) {
	skip := &sqlstore.Options{Logger: quiet.Logger, SkipMigrations: true}
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			dsn := freshDSN(t, kind)
			_, err := sqlstore.Open(ctx, dsn, skip)
			if !errors.Is(err, sqlstore.ErrSchemaNotCurrent) || !strings.Contains(err.Error(), "no migration has been applied") {
				t.Fatalf("Open of an empty database without migrating = %v, want ErrSchemaNotCurrent", err)
			}
			all := embeddedMigrations(t)
			last := all[len(all)-1]
			rawExec(t, dsn, `DELETE FROM schema_migrations WHERE version = '`+last+`'`)
			_, err = sqlstore.Open(ctx, dsn, skip)
			if !errors.Is(err, sqlstore.ErrSchemaNotCurrent) || !strings.Contains(err.Error(), "migration "+last+" is not applied") {
				t.Fatalf("Open of a schema without %s = %v, want ErrSchemaNotCurrent naming it", last, err)
			}
			t.Log(err)
		})
	}
}

func TestTheChecksumsOfAnEarlierReleaseAreRecorded(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			dsn := freshDSN(t, kind)
			// The table as releases before checksums made it.
			rawExec(t, dsn,
				`CREATE TABLE old_migrations (version TEXT PRIMARY KEY)`,
				`INSERT INTO old_migrations SELECT version FROM schema_migrations`,
				`DROP TABLE schema_migrations`,
				`ALTER TABLE old_migrations RENAME TO schema_migrations`)
			skip := &sqlstore.Options{Logger: quiet.Logger, SkipMigrations: true}
			if _, err := sqlstore.Open(ctx, dsn, skip); !errors.Is(err, sqlstore.ErrSchemaNotCurrent) || !strings.Contains(err.Error(), "no checksums") {
				t.Fatalf("Open without migrating a schema without checksums = %v, want ErrSchemaNotCurrent", err)
			}
			applied, err := sqlstore.Migrate(ctx, dsn, quiet)
			if err != nil || len(applied) != 0 {
				t.Fatalf("Migrate of a current schema without checksums = %v, %v; want nothing applied", applied, err)
			}
			db, err := sqlstore.Open(ctx, dsn, skip)
			if err != nil {
				t.Fatalf("Open after the checksums were recorded: %v", err)
			}
			defer db.Close()
			var blank int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM schema_migrations WHERE checksum = ''`).Scan(&blank); err != nil || blank != 0 {
				t.Fatalf("%d migrations without checksum, %v", blank, err)
			}
		})
	}
}

// TestAUserWithoutDDLRightsOpensAMigratedSchema runs the deployment the separate migrate step
// is for: the schema migrated by its owner, the application connecting as a PostgreSQL role
// that may only read and write rows.
func TestAUserWithoutDDLRightsOpensAMigratedSchema(t *testing.T) {
	ctx := context.Background()
	dsn := freshDSN(t, "postgres")
	if _, err := sqlstore.Migrate(ctx, dsn, quiet); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	role := fmt.Sprintf("ozgkit_app_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	admin, err := sql.Open("pgx", os.Getenv("OZGKIT_TEST_POSTGRES"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, s := range []string{
		`CREATE ROLE ` + role + ` LOGIN`,
		`GRANT USAGE ON SCHEMA ` + schema + ` TO ` + role,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ` + schema + ` TO ` + role,
	} {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", os.Getenv("OZGKIT_TEST_POSTGRES")); err == nil {
			a.Exec(`DROP OWNED BY ` + role)
			a.Exec(`DROP ROLE ` + role)
			a.Close()
		}
	})
	u.User = url.User(role)
	appDSN := u.String()
	if _, err := sqlstore.Open(ctx, appDSN, quiet); err == nil || !strings.Contains(err.Error(), "SkipMigrations") {
		t.Fatalf("Open with migrations as a role without DDL rights = %v, want an error that points to SkipMigrations", err)
	}
	db, err := sqlstore.Open(ctx, appDSN, &sqlstore.Options{Logger: quiet.Logger, SkipMigrations: true})
	if err != nil {
		t.Fatalf("Open without migrating as a role without DDL rights: %v", err)
	}
	defer db.Close()
	a := &ozg.Application{ID: uuid.NewString(), ServiceID: "wohngeld", Owner: "alice", Data: []byte(`{}`), State: ozg.StateDraft, CreatedAt: time.Now()}
	if err := db.Applications().Create(ctx, a); err != nil {
		t.Fatalf("Create as the application's role: %v", err)
	}
	if _, err := db.SQL().Exec(`CREATE TABLE forbidden (x INT)`); err == nil {
		t.Fatal("the role without DDL rights could create a table; the test proves nothing")
	}
}
