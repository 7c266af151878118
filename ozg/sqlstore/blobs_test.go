package sqlstore_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

func blobStore(t testing.TB, db *sqlstore.DB, chunk int) *sqlstore.BlobStore {
	t.Helper()
	s, err := db.Blobs(&sqlstore.BlobOptions{ChunkSize: chunk})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPostgresBlobStoreConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	evidencetest.RunBlobStoreConformance(t, func(t *testing.T) evidence.BlobStore { return blobStore(t, openPostgres(t), 0) })
}

func TestSQLiteBlobStoreConformance(t *testing.T) {
	evidencetest.RunBlobStoreConformance(t, func(t *testing.T) evidence.BlobStore { return blobStore(t, openSQLite(t), 0) })
}

func TestBlobStoreWithSmallChunks(t *testing.T) {
	// Small chunks make the conformance contents span many chunks, and the reader cross
	// chunk boundaries at odd offsets.
	evidencetest.RunBlobStoreConformance(t, func(t *testing.T) evidence.BlobStore { return blobStore(t, openSQLite(t), 4<<10) })
}

func TestBlobStoreRefusesChunkSizesOutOfRange(t *testing.T) {
	db := openSQLite(t)
	for _, size := range []int{1, 4<<10 - 1, 16<<20 + 1, -5} {
		if _, err := db.Blobs(&sqlstore.BlobOptions{ChunkSize: size}); err == nil {
			t.Errorf("chunk size %d was accepted", size)
		}
	}
}

// clock is a settable clock for stores under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func countRows(t *testing.T, db *sqlstore.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBlobStoreDeletesTheChunksOfFailedPutsAtOnceAndOfDeletedContentsAfterTheGrace(t *testing.T) {
	db := openSQLite(t)
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s, err := db.Blobs(&sqlstore.BlobOptions{ChunkSize: 4 << 10, ReadGrace: time.Minute, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := io.MultiReader(strings.NewReader(strings.Repeat("x", 20<<10)), iotestErr{})
	if _, err := s.Put(ctx, "failed", r); err == nil {
		t.Fatal("Put with a failing reader succeeded")
	}
	if n := countRows(t, db, "blob_chunks"); n != 0 {
		t.Fatalf("%d chunks left by a failed Put", n)
	}
	if _, err := s.Put(ctx, "kept", strings.NewReader(strings.Repeat("y", 9<<10))); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "kept"); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db, "blob_chunks"); n != 3 {
		t.Fatalf("%d chunks right after Delete, want the 3 kept for the read grace", n)
	}
	c.Add(time.Minute + time.Second)
	if n, err := s.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1", n, err)
	}
	for _, table := range []string{"blobs", "blob_chunks", "blob_uploads", "blob_released"} {
		if n := countRows(t, db, table); n != 0 {
			t.Errorf("table %s has %d rows after the grace, want 0", table, n)
		}
	}
}

func TestBlobStorePurgesUploadsAbandonedForADay(t *testing.T) {
	db := openSQLite(t)
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s, err := db.Blobs(&sqlstore.BlobOptions{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A process that died mid-upload leaves an upload record and its chunks.
	started := c.Now().UnixMicro()
	if _, err := db.SQL().Exec(`INSERT INTO blob_uploads (content_id, blob_key, started_at) VALUES ('dead', 'k', ?)`, started); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`INSERT INTO blob_chunks (content_id, seq, data) VALUES ('dead', 0, x'0102')`); err != nil {
		t.Fatal(err)
	}
	c.Add(23 * time.Hour)
	if n, err := s.Purge(ctx); err != nil || n != 0 {
		t.Fatalf("Purge after 23 hours = %d, %v; want 0 (the upload may still run)", n, err)
	}
	c.Add(2 * time.Hour)
	if n, err := s.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("Purge after 25 hours = %d, %v; want 1", n, err)
	}
	if n := countRows(t, db, "blob_chunks"); n != 0 {
		t.Fatalf("%d chunks left", n)
	}
	if _, err := s.Stat(ctx, "k"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat = %v", err)
	}
}

func TestBlobReaderReadsItsContentWholeWhenItIsReplacedMidway(t *testing.T) {
	db := openSQLite(t)
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s, err := db.Blobs(&sqlstore.BlobOptions{ChunkSize: 4 << 10, ReadGrace: time.Minute, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	open := func() io.ReadCloser {
		t.Helper()
		if _, err := s.Put(ctx, "k", strings.NewReader(strings.Repeat("a", 12<<10))); err != nil {
			t.Fatal(err)
		}
		rc, err := s.Open(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(rc, make([]byte, 4<<10)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, "k", strings.NewReader(strings.Repeat("b", 12<<10))); err != nil {
			t.Fatal(err)
		}
		return rc
	}

	rc := open()
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != strings.Repeat("a", 8<<10) {
		t.Fatalf("read on within the grace: %d bytes, err %v; want the rest of the old content", len(b), err)
	}

	rc = open()
	defer rc.Close()
	c.Add(2 * time.Minute)
	if _, err := s.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	b, err = io.ReadAll(rc)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read on after the grace: %d bytes, err %v; want fs.ErrNotExist", len(b), err)
	}
	if strings.Contains(string(b), "b") {
		t.Fatal("the reader mixed the new content into the old")
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("client went away") }
