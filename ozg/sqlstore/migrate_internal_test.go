package sqlstore

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestMigrateFilesOfTheirOwn runs migrate on migration files of the test's own: an edited
// applied file is refused by name, and a file numbered below those applied (branches merged
// in another order) is still applied.
func TestMigrateFilesOfTheirOwn(t *testing.T) {
	ctx := context.Background()
	d, err := connect(ctx, "sqlite:"+filepath.Join(t.TempDir(), "m.db"), &Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	v1 := fstest.MapFS{
		"migrations/0001_a.sql": file("CREATE TABLE a (x INTEGER);"),
		"migrations/0003_c.sql": file("CREATE TABLE c (x INTEGER); CREATE INDEX c_x ON c (x);"),
	}
	if applied, err := d.migrate(ctx, v1); err != nil || !slices.Equal(applied, []string{"0001_a", "0003_c"}) {
		t.Fatalf("first run applied %v, %v", applied, err)
	}
	v2 := fstest.MapFS{
		"migrations/0001_a.sql": v1["migrations/0001_a.sql"],
		"migrations/0002_b.sql": file("CREATE TABLE b (x INTEGER);"),
		"migrations/0003_c.sql": v1["migrations/0003_c.sql"],
	}
	if applied, err := d.migrate(ctx, v2); err != nil || !slices.Equal(applied, []string{"0002_b"}) {
		t.Fatalf("a migration numbered below the applied ones: applied %v, %v; want 0002_b", applied, err)
	}
	if err := d.checkSchema(ctx, v2); err != nil {
		t.Fatalf("checkSchema of the current schema: %v", err)
	}
	v3 := fstest.MapFS{
		"migrations/0001_a.sql": v1["migrations/0001_a.sql"],
		"migrations/0002_b.sql": file("CREATE TABLE b (x INTEGER, y TEXT);"),
		"migrations/0003_c.sql": v1["migrations/0003_c.sql"],
		"migrations/0004_d.sql": file("CREATE TABLE d (x INTEGER);"),
	}
	_, err = d.migrate(ctx, v3)
	if !errors.Is(err, ErrMigrationChanged) || !strings.Contains(err.Error(), "migration 0002_b was applied") {
		t.Fatalf("an edited migration = %v, want ErrMigrationChanged naming 0002_b", err)
	}
	var n int
	if err := d.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations WHERE version = '0004_d'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a run refused for an edited migration applied another (%d, %v)", n, err)
	}
	if err := d.checkSchema(ctx, v3); !errors.Is(err, ErrMigrationChanged) {
		t.Fatalf("checkSchema with an edited migration = %v, want ErrMigrationChanged", err)
	}
	v4 := fstest.MapFS{
		"migrations/0001_a.sql": v1["migrations/0001_a.sql"],
		"migrations/0002_b.sql": v2["migrations/0002_b.sql"],
		"migrations/0003_c.sql": v1["migrations/0003_c.sql"],
		"migrations/0004_d.sql": v3["migrations/0004_d.sql"],
	}
	if err := d.checkSchema(ctx, v4); !errors.Is(err, ErrSchemaNotCurrent) || !strings.Contains(err.Error(), "0004_d") {
		t.Fatalf("checkSchema with a new migration = %v, want ErrSchemaNotCurrent naming 0004_d", err)
	}
	// A broken migration leaves nothing behind and is not recorded.
	v5 := fstest.MapFS{
		"migrations/0001_a.sql": v1["migrations/0001_a.sql"],
		"migrations/0005_e.sql": file("CREATE TABLE e (x INTEGER); CREATE TABLE a (x INTEGER);"),
	}
	if _, err := d.migrate(ctx, v5); err == nil || !strings.Contains(err.Error(), "migration 0005_e") {
		t.Fatalf("a failing migration = %v, want an error naming 0005_e", err)
	}
	if err := d.db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'e'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the failed migration's first statement stayed (%d, %v)", n, err)
	}
}
