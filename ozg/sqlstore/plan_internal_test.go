package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMailboxListingWalksTheOwnerIndex checks with the databases' own query plans that a page
// of one owner's messages is read from the listing index in order, never sorted after a scan.
func TestMailboxListingWalksTheOwnerIndex(t *testing.T) {
	ctx := context.Background()
	quiet := &Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct {
		name, dsn, explain string
		want               []string
		unwanted           []string
	}{
		{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "plan.db"), "EXPLAIN QUERY PLAN ",
			[]string{"USING INDEX mailbox_owner_created (owner=? AND (created_at,id)<(?,?))"}, []string{"TEMP B-TREE", "SCAN"}},
		{"postgres", os.Getenv("OZGKIT_TEST_POSTGRES"), "EXPLAIN ",
			[]string{"Index Scan using mailbox_owner_created", "ROW(created_at, id) < ROW("}, []string{"Sort", "Seq Scan"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.dsn == "" {
				t.Skip("OZGKIT_TEST_POSTGRES is not set")
			}
			if tc.name == "postgres" {
				// A table of its own: the plan is read on an empty, private schema.
				tc.dsn = postgresSchemaDSN(t, tc.dsn)
			}
			d, err := Open(ctx, tc.dsn, quiet)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			conn, err := d.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if d.dialect == dialectPostgres {
				// The table is empty; without this PostgreSQL would rightly prefer a scan.
				if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
					t.Fatal(err)
				}
			}
			query := tc.explain + messageListSelect + `WHERE owner = 'alice' AND (created_at, id) < (5, 'm1')
				ORDER BY created_at DESC, id DESC LIMIT 50`
			rows, err := conn.QueryContext(ctx, query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			var plan strings.Builder
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				if s, ok := vals[len(vals)-1].(string); ok {
					plan.WriteString(s + "\n")
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(plan.String(), w) {
					t.Errorf("plan lacks %q:\n%s", w, plan.String())
				}
			}
			for _, u := range tc.unwanted {
				if strings.Contains(plan.String(), u) {
					t.Errorf("plan has %q:\n%s", u, plan.String())
				}
			}
		})
	}
}

// postgresSchemaDSN creates a schema of the test's own in the database at dsn, drops it when
// the test ends, and returns dsn with that schema as its search path.
func postgresSchemaDSN(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("ozgkit_plan_%d", os.Getpid())
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}
