package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrMigrationChanged: a migration that the database has applied differs from the file of the
// same name in this binary. Schema changes go into new migrations; an applied one is never
// edited.
var ErrMigrationChanged = errors.New("sqlstore: applied migration was changed")

// ErrSchemaNotCurrent: Open was told not to migrate (Options.SkipMigrations) and the database
// lacks a migration this binary needs. Run Migrate, or cmd/ozgmigrate, first.
var ErrSchemaNotCurrent = errors.New("sqlstore: database schema is not current")

// migrationLock is the PostgreSQL advisory lock key that serialises migrations. Releases
// before checksums took it per transaction (pg_advisory_xact_lock); the same key keeps them
// and this release from migrating at the same time during a rolling update.
const migrationLock = 7280233

// migration is one embedded schema change.
type migration struct {
	version  string // the file name without .sql, e.g. "0004_evidence"
	body     string
	checksum string // SHA-256 of the file, hex
}

// loadMigrations reads the migrations of fsys (files migrations/*.sql), in name order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]migration, 0, len(names))
	for _, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read %s: %w", name, err)
		}
		sum := sha256.Sum256(body)
		out = append(out, migration{version: strings.TrimSuffix(path.Base(name), ".sql"), body: string(body), checksum: hex.EncodeToString(sum[:])})
	}
	return out, nil
}

// Migrate brings the schema of the database named by dsn up to date and returns the versions
// it applied (none when the schema was current). It is the separate migrate step for
// deployments whose application user may not change the schema: run it (or cmd/ozgmigrate)
// as a user with DDL rights before the new release starts, and open the database with
// Options.SkipMigrations. opts may be nil; only its Logger is used.
func Migrate(ctx context.Context, dsn string, opts *Options) ([]string, error) {
	d, err := connect(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.migrate(ctx, migrations)
}

// migrate applies the migrations of fsys that the database has not seen, each in its own
// transaction, after checking the checksums of those it has.
//
// Several processes may migrate one database at once and each migration is applied once: on
// PostgreSQL the whole run holds a session advisory lock, on SQLite every transaction takes
// the database's write lock (BEGIN IMMEDIATE) and looks again whether the migration is still
// to do. Migrations are applied in name order; one added with a lower number than those
// already applied (branches merged in another order) is applied too.
//
// Databases migrated by releases before checksums have no checksum recorded; the first run
// records the checksums of the files it finds (it cannot know what was applied then).
func (d *DB) migrate(ctx context.Context, fsys fs.FS) ([]string, error) {
	all, err := loadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer conn.Close()
	if d.dialect == dialectPostgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
			return nil, fmt.Errorf("sqlstore: migrate: take the migration lock: %w", err)
		}
		defer func() {
			unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if _, err := conn.ExecContext(unlockCtx, `SELECT pg_advisory_unlock($1)`, migrationLock); err != nil {
				// Never hand a connection that may still hold the lock back to the pool.
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	if err := d.bootstrapMigrations(ctx, conn); err != nil {
		var pg *pgconn.PgError
		if errors.As(err, &pg) && pg.Code == "42501" { // insufficient_privilege
			return nil, fmt.Errorf("%w (the database user may not change the schema: run sqlstore.Migrate or ozgmigrate as the schema's owner and open with Options.SkipMigrations)", err)
		}
		return nil, err
	}
	recorded, err := d.recordedMigrations(ctx, conn)
	if err != nil {
		return nil, err
	}
	if err := d.backfillChecksums(ctx, conn, all, recorded); err != nil {
		return nil, err
	}
	if err := checkChecksums(all, recorded); err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range all {
		if _, ok := recorded[m.version]; ok {
			continue
		}
		done, err := d.apply(ctx, conn, m)
		if err != nil {
			return applied, fmt.Errorf("sqlstore: migration %s: %w", m.version, err)
		}
		if done {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

// bootstrapMigrations creates the table of applied migrations, or adds the columns that
// releases before checksums lacked.
func (d *DB) bootstrapMigrations(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: migrations table: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, checksum TEXT NOT NULL DEFAULT '', applied_at BIGINT NOT NULL DEFAULT 0)`); err != nil {
		return fmt.Errorf("sqlstore: migrations table: %w", err)
	}
	cols, err := d.migrationColumns(ctx, tx)
	if err != nil {
		return err
	}
	for _, c := range []struct{ name, def string }{
		{"checksum", `TEXT NOT NULL DEFAULT ''`}, {"applied_at", `BIGINT NOT NULL DEFAULT 0`},
	} {
		if !cols[c.name] {
			if _, err := tx.ExecContext(ctx, `ALTER TABLE schema_migrations ADD COLUMN `+c.name+` `+c.def); err != nil {
				return fmt.Errorf("sqlstore: migrations table: add %s: %w", c.name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: migrations table: %w", err)
	}
	return nil
}

// querier is what *sql.Conn, *sql.Tx and *sql.DB share for reading.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// migrationColumns returns the columns of schema_migrations; none when it does not exist.
func (d *DB) migrationColumns(ctx context.Context, q querier) (map[string]bool, error) {
	query := `SELECT name FROM pragma_table_info('schema_migrations')`
	if d.dialect == dialectPostgres {
		query = `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations table: %w", err)
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("sqlstore: migrations table: %w", err)
		}
		cols[c] = true
	}
	return cols, rows.Err()
}

// recordedMigrations returns the applied versions with their recorded checksums ("" when
// applied before checksums).
func (d *DB) recordedMigrations(ctx context.Context, q querier) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, checksum FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read applied migrations: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var v, sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return nil, fmt.Errorf("sqlstore: read applied migrations: %w", err)
		}
		out[v] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read applied migrations: %w", err)
	}
	return out, nil
}

// backfillChecksums records the checksums of migrations applied before checksums were kept.
func (d *DB) backfillChecksums(ctx context.Context, conn *sql.Conn, all []migration, recorded map[string]string) error {
	for _, m := range all {
		if sum, ok := recorded[m.version]; !ok || sum != "" {
			continue
		}
		if _, err := conn.ExecContext(ctx, d.q(`UPDATE schema_migrations SET checksum = ? WHERE version = ? AND checksum = ''`), m.checksum, m.version); err != nil {
			return fmt.Errorf("sqlstore: record checksum of migration %s: %w", m.version, err)
		}
		recorded[m.version] = m.checksum
		d.logger.Info("sqlstore: checksum of an earlier migration recorded", "version", m.version)
	}
	return nil
}

// checkChecksums refuses a migration whose file differs from what the database applied.
// Versions the database has and the binary does not (a newer release migrated it) pass.
func checkChecksums(all []migration, recorded map[string]string) error {
	for _, m := range all {
		if sum, ok := recorded[m.version]; ok && sum != "" && sum != m.checksum {
			return fmt.Errorf("%w: migration %s was applied with checksum %.12s…, the file in this binary has %.12s…; restore the file and put the change in a new migration",
				ErrMigrationChanged, m.version, sum, m.checksum)
		}
	}
	return nil
}

// apply runs one migration in a transaction, unless another process applied it meanwhile.
// It reports whether it applied it.
func (d *DB) apply(ctx context.Context, conn *sql.Conn, m migration) (bool, error) {
	tx, err := conn.BeginTx(ctx, nil) // BEGIN IMMEDIATE on SQLite: the write lock
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var seen int
	if err := tx.QueryRowContext(ctx, d.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&seen); err != nil {
		return false, err
	}
	if seen > 0 {
		return false, nil
	}
	for _, stmt := range strings.Split(m.body, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if d.dialect == dialectSQLite {
			// Migrations write COLLATE "C" where ids are ordered or compared, so PostgreSQL
			// orders bytewise like Go whatever the database's locale; SQLite's default
			// collation (BINARY) is bytewise already and knows no "C".
			stmt = strings.ReplaceAll(stmt, ` COLLATE "C"`, "")
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO schema_migrations (version, checksum, applied_at) VALUES (?, ?, ?)`),
		m.version, m.checksum, micros(time.Now())); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	d.logger.Info("sqlstore: migration applied", "version", m.version)
	return true, nil
}

// checkSchema is Open's check when it may not migrate: every migration of fsys applied, with
// the checksum of its file. It changes nothing.
func (d *DB) checkSchema(ctx context.Context, fsys fs.FS) error {
	all, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	cols, err := d.migrationColumns(ctx, d.db)
	if err != nil {
		return err
	}
	switch {
	case len(cols) == 0:
		return fmt.Errorf("%w: no migration has been applied (there is no schema_migrations table); run sqlstore.Migrate or ozgmigrate first", ErrSchemaNotCurrent)
	case !cols["checksum"]:
		return fmt.Errorf("%w: the migrations were applied by a release that kept no checksums; run sqlstore.Migrate or ozgmigrate once", ErrSchemaNotCurrent)
	}
	recorded, err := d.recordedMigrations(ctx, d.db)
	if err != nil {
		return err
	}
	var missing []string
	for _, m := range all {
		switch sum, ok := recorded[m.version]; {
		case !ok:
			missing = append(missing, m.version)
		case sum == "":
			return fmt.Errorf("%w: migration %s has no checksum recorded; run sqlstore.Migrate or ozgmigrate once", ErrSchemaNotCurrent, m.version)
		}
	}
	if err := checkChecksums(all, recorded); err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: migration %s is not applied (%d missing: %s); run sqlstore.Migrate or ozgmigrate first",
			ErrSchemaNotCurrent, missing[0], len(missing), strings.Join(missing, ", "))
	}
	return nil
}
