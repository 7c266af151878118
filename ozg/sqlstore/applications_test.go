package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

var quiet = &sqlstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

// openSQLite opens a fresh SQLite file in the test's temporary directory.
func openSQLite(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "ozgkit.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var schemaSeq atomic.Int64

// openPostgres opens a fresh schema in the database named by OZGKIT_TEST_POSTGRES, or skips.
func openPostgres(t testing.TB) *sqlstore.DB {
	t.Helper()
	dsn := os.Getenv("OZGKIT_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("OZGKIT_TEST_POSTGRES is not set: set it to a PostgreSQL DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL store tests")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("ozgkit_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema (is PostgreSQL running at %s?): %v", dsn, err)
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
	db, err := sqlstore.Open(context.Background(), dsn+sep+"search_path="+schema, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLiteApplicationStoreConformance(t *testing.T) {
	ozgtest.RunStoreConformance(t, func(t *testing.T) ozg.ApplicationStore { return openSQLite(t).Applications() })
}

func TestPostgresApplicationStoreConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	ozgtest.RunStoreConformance(t, func(t *testing.T) ozg.ApplicationStore { return openPostgres(t).Applications() })
}

func TestOpenIsIdempotentAndKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "ozgkit.db")
	db, err := sqlstore.Open(ctx, "sqlite:"+path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.Applications().NextSequence(ctx, "x")
	if err != nil || n != 1 {
		t.Fatalf("NextSequence = %d, %v", n, err)
	}
	db.Close()
	db, err = sqlstore.Open(ctx, "sqlite:"+path, quiet)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if n, err := db.Applications().NextSequence(ctx, "x"); err != nil || n != 2 {
		t.Fatalf("after reopen NextSequence = %d, %v; want 2", n, err)
	}
}

func TestOpenRefusesUnknownDSNs(t *testing.T) {
	for _, dsn := range []string{"", "mysql://root@localhost/test", "sqlite:"} {
		if _, err := sqlstore.Open(context.Background(), dsn, quiet); err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

func TestSQLiteSubmissionStoreConformance(t *testing.T) {
	ozgtest.RunSubmissionStoreConformance(t, func(t *testing.T) ozg.Store { return openSQLite(t).Applications() })
}

func TestPostgresSubmissionStoreConformance(t *testing.T) {
	openPostgres(t)
	ozgtest.RunSubmissionStoreConformance(t, func(t *testing.T) ozg.Store { return openPostgres(t).Applications() })
}
