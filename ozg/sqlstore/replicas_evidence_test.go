package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

// Two replicas, each with its own evidence.Manager (whose in-process lock the other does not
// see), share one database for metadata and bytes: concurrent uploads to one application keep
// the requirement's MaxCount together, and the refused ones leave no bytes behind.
func testReplicasKeepMaxCountTogether(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	quietLog := slog.New(slog.NewTextHandler(io.Discard, nil))
	blobs, err := db.Blobs(nil)
	if err != nil {
		t.Fatal(err)
	}
	var managers []*evidence.Manager
	for range 2 {
		m, err := evidence.New(db.Evidence(), blobs, evidence.NewNoScanner(quietLog), &evidence.Options{Logger: quietLog})
		if err != nil {
			t.Fatal(err)
		}
		managers = append(managers, m)
	}
	req := evidence.Requirement{ID: "mietvertrag", Title: "Mietvertrag", MaxCount: 2, MaxSize: 1 << 20, MediaTypes: []string{"application/pdf"}}
	for round := range 3 {
		app := fmt.Sprintf("app-%d", round)
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			stored  int
			refused int
		)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				content := "%PDF-1.7\n" + strings.Repeat(fmt.Sprintf("Seite %d ", i), 500)
				_, err := managers[i%2].Upload(ctx, evidence.Upload{ApplicationID: app, Requirement: req, FileName: "mietvertrag.pdf"}, strings.NewReader(content))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					stored++
				case errors.Is(err, evidence.ErrTooManyFiles):
					refused++
				default:
					t.Errorf("Upload: %v", err)
				}
			}()
		}
		wg.Wait()
		list, err := db.Evidence().List(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		if stored != 2 || refused != 6 || len(list) != 2 {
			t.Fatalf("round %d: %d stored, %d refused, %d listed; want 2, 6, 2", round, stored, refused, len(list))
		}
	}
	var blobsLeft int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM blobs`).Scan(&blobsLeft); err != nil {
		t.Fatal(err)
	}
	if blobsLeft != 6 {
		t.Fatalf("%d blobs stored, want the 6 of the stored evidence", blobsLeft)
	}
}

func TestSQLiteReplicasKeepMaxCountTogether(t *testing.T) {
	testReplicasKeepMaxCountTogether(t, openSQLite(t))
}

func TestPostgresReplicasKeepMaxCountTogether(t *testing.T) {
	testReplicasKeepMaxCountTogether(t, openPostgres(t))
}
