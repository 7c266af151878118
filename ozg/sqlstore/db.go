package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// dialect is the database behind a DB.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

// DB is an open database with ozgkit's schema. It is safe for concurrent use.
type DB struct {
	db      *sql.DB
	dialect dialect
	logger  *slog.Logger
}

// Options configures Open. The zero value is ready to use.
type Options struct {
	// Logger receives a line per applied migration; nil means slog.Default().
	Logger *slog.Logger
	// MaxOpenConns and MaxIdleConns bound PostgreSQL's connection pool; defaults 32 and 16.
	// database/sql's own default keeps only 2 idle connections, so a server under mixed load
	// opens and closes PostgreSQL sessions all the time. SQLite always uses one connection.
	MaxOpenConns, MaxIdleConns int
	// ConnMaxLifetime retires PostgreSQL connections after this long (default 30 minutes), so
	// a failover or a changed password is picked up.
	ConnMaxLifetime time.Duration
}

// Open connects to the database named by dsn and brings its schema up to date.
//
//   - "sqlite:PATH" or a PATH ending in .db/.sqlite opens (and creates) an SQLite file, with
//     its directory. Write-ahead logging and a busy timeout are set.
//   - "postgres://..." or "postgresql://..." connects to PostgreSQL through pgx.
func Open(ctx context.Context, dsn string, opts *Options) (*DB, error) {
	if opts == nil {
		opts = &Options{}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	d := &DB{logger: logger}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d.dialect = dialectPostgres
		d.db, err = sql.Open("pgx", dsn)
		if err == nil {
			maxOpen, maxIdle, life := opts.MaxOpenConns, opts.MaxIdleConns, opts.ConnMaxLifetime
			if maxOpen <= 0 {
				maxOpen = 32
			}
			if maxIdle <= 0 {
				maxIdle = 16
			}
			if life <= 0 {
				life = 30 * time.Minute
			}
			d.db.SetMaxOpenConns(maxOpen)
			d.db.SetMaxIdleConns(min(maxIdle, maxOpen))
			d.db.SetConnMaxLifetime(life)
		}
	case strings.HasPrefix(dsn, "sqlite:"), strings.HasSuffix(dsn, ".db"), strings.HasSuffix(dsn, ".sqlite"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("sqlstore: sqlite DSN names no file")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("sqlstore: create %s: %w", dir, err)
			}
		}
		d.dialect = dialectSQLite
		d.db, err = sql.Open("sqlite", "file:"+path+
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
		if err == nil {
			// One writer at a time is SQLite's rule; one connection keeps it without
			// "database is locked" surprises.
			d.db.SetMaxOpenConns(1)
		}
	default:
		return nil, fmt.Errorf("sqlstore: DSN must start with sqlite: or postgres:// (got %q)", redact(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	if err := d.db.PingContext(ctx); err != nil {
		d.db.Close()
		return nil, fmt.Errorf("sqlstore: connect to %s: %w", redact(dsn), err)
	}
	if err := d.migrate(ctx); err != nil {
		d.db.Close()
		return nil, err
	}
	return d, nil
}

// redact drops a password from a DSN for error messages.
func redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at > 0 {
		if scheme := strings.Index(dsn, "://"); scheme > 0 && scheme < at {
			return dsn[:scheme+3] + "…" + dsn[at:]
		}
	}
	return dsn
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// SQL returns the underlying *sql.DB, for health checks and metrics.
func (d *DB) SQL() *sql.DB { return d.db }

// q rewrites a query written with ? placeholders for the dialect.
func (d *DB) q(query string) string {
	if d.dialect != dialectPostgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// migrate applies the embedded migrations that the database has not seen, each in its own
// transaction.
func (d *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	if err := d.createMigrationsTable(ctx); err != nil {
		return fmt.Errorf("sqlstore: migrations table: %w", err)
	}
	for _, name := range names {
		version := strings.TrimSuffix(filepath.Base(name), ".sql")
		if err := d.apply(ctx, version, name); err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", version, err)
		}
	}
	return nil
}

// migrationLock is the advisory lock under which replicas starting at once take turns.
const migrationLock = `SELECT pg_advisory_xact_lock(7280233)`

// createMigrationsTable creates the table of applied migrations if it is missing. On
// PostgreSQL it does so under the migration lock: CREATE TABLE IF NOT EXISTS is not safe
// against a twin running at the same moment (both find no table, and the second fails with a
// unique violation in pg_type), which is what replicas starting together on an empty database
// do.
func (d *DB) createMigrationsTable(ctx context.Context) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)`
	if d.dialect != dialectPostgres {
		_, err := d.db.ExecContext(ctx, create)
		return err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, migrationLock); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, create); err != nil {
		return err
	}
	return tx.Commit()
}

func (d *DB) apply(ctx context.Context, version, name string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.dialect == dialectPostgres {
		// Replicas starting at once take turns; the lock ends with the transaction.
		if _, err := tx.ExecContext(ctx, migrationLock); err != nil {
			return err
		}
	}
	var seen int
	if err := tx.QueryRowContext(ctx, d.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&seen); err != nil {
		return err
	}
	if seen > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	for _, stmt := range strings.Split(string(body), ";") {
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
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO schema_migrations (version) VALUES (?)`), version); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	d.logger.Info("sqlstore: migration applied", "version", version)
	return nil
}

// isUniqueViolation reports whether err is a primary key or unique constraint violation.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	}
	return false
}

// Postgres reports whether the database is PostgreSQL (several replicas may share it), as
// opposed to an SQLite file.
func (d *DB) Postgres() bool { return d.dialect == dialectPostgres }
