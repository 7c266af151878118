package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

// Replicas deployed together start at once on an empty database: each must come up, whichever
// of them migrates. (Found by the two-replica test: CREATE TABLE IF NOT EXISTS is not safe
// against a concurrent twin on PostgreSQL, and the second replica failed with a unique
// violation in pg_type before it reached the migration lock.)
func TestReplicasStartingAtOnceOnAnEmptyPostgreSQLDatabaseAllComeUp(t *testing.T) {
	dsn := os.Getenv("OZGKIT_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("OZGKIT_TEST_POSTGRES is not set: set it to a PostgreSQL DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL store tests")
	}
	const rounds, replicas = 3, 3
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the schemas are dropped
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for round := range rounds {

		schema := fmt.Sprintf("ozgkit_startup_%d_%d", os.Getpid(), schemaSeq.Add(1))
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
		errs := make([]error, replicas)
		var wg sync.WaitGroup
		for i := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := sqlstore.Open(context.Background(), dsn+sep+"search_path="+schema, quiet)
				if err == nil {
					err = db.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d: replica %d of %d starting at once: %v", round+1, i+1, replicas, err)
			}
		}
	}
}
