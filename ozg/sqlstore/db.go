package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	// reads is, on SQLite, a pool of read-only connections beside the one writing
	// connection: in WAL mode readers do not wait for the writer, so a read on the hot path
	// (an application's Get before its submit) does not queue behind other submits'
	// transactions. nil on PostgreSQL.
	reads *sql.DB

	mu      sync.Mutex
	queries map[string]string    // a query as written → as PostgreSQL spells it
	stmts   map[string]*sql.Stmt // a hot query → its prepared statement (SQLite)
	rstmts  map[string]*sql.Stmt // the same on the read-only pool
}

// sqliteReaders is the size of SQLite's pool of read-only connections.
const sqliteReaders = 4

// maxCachedQueries bounds the cache of rewritten queries; queries built with a variable
// number of placeholders could otherwise grow it without end.
const maxCachedQueries = 256

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
	// SkipMigrations makes Open change no schema: it only checks that every migration of this
	// release has been applied, with the checksum of its file, and refuses to open otherwise
	// (ErrSchemaNotCurrent, naming the first missing migration). For deployments whose
	// database user has no DDL rights: run Migrate or cmd/ozgmigrate as a user that has them
	// before the release starts. (The zero value migrates, so that existing callers keep
	// their schema current.)
	SkipMigrations bool
}

// Open connects to the database named by dsn and brings its schema up to date (see Migrate;
// Options.SkipMigrations only checks it).
//
//   - "sqlite:PATH" or a PATH ending in .db/.sqlite opens (and creates) an SQLite file, with
//     its directory. Write-ahead logging and a busy timeout are set.
//   - "postgres://..." or "postgresql://..." connects to PostgreSQL through pgx.
func Open(ctx context.Context, dsn string, opts *Options) (*DB, error) {
	d, err := connect(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	if opts != nil && opts.SkipMigrations {
		err = d.checkSchema(ctx, migrations)
	} else {
		_, err = d.migrate(ctx, migrations)
	}
	if err == nil {
		err = d.prepareHot(ctx)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// connect opens the database named by dsn with its pool settings and checks that it answers.
func connect(ctx context.Context, dsn string, opts *Options) (*DB, error) {
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
			d.reads, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
		}
		if err == nil {
			d.reads.SetMaxOpenConns(sqliteReaders)
			d.reads.SetMaxIdleConns(sqliteReaders)
		}
	default:
		return nil, fmt.Errorf("sqlstore: DSN must start with sqlite: or postgres:// (got %q)", redact(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	if err := d.db.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("sqlstore: connect to %s: %w", redact(dsn), err)
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
func (d *DB) Close() error {
	d.mu.Lock()
	for _, st := range d.stmts {
		st.Close()
	}
	for _, st := range d.rstmts {
		st.Close()
	}
	d.stmts, d.rstmts = nil, nil
	d.mu.Unlock()
	if d.reads != nil {
		d.reads.Close()
	}
	return d.db.Close()
}

// SQL returns the underlying *sql.DB, for health checks and metrics.
func (d *DB) SQL() *sql.DB { return d.db }

// q rewrites a query written with ? placeholders for the dialect. Rewritten queries are
// remembered, so the hot paths do not rebuild them.
func (d *DB) q(query string) string {
	if d.dialect != dialectPostgres {
		return query
	}
	d.mu.Lock()
	out, ok := d.queries[query]
	d.mu.Unlock()
	if ok {
		return out
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
	out = b.String()
	d.mu.Lock()
	if d.queries == nil {
		d.queries = map[string]string{}
	}
	if len(d.queries) < maxCachedQueries {
		d.queries[query] = out
	}
	d.mu.Unlock()
	return out
}

// prepareHot prepares the queries of the hot paths once on SQLite, where parsing a statement
// costs as much as running a small one (a quarter of a submit's time in the profile). pgx
// keeps a cache of prepared statements per connection by itself, so PostgreSQL needs none.
// It runs in Open, before anyone holds the one connection: preparing later, inside a
// transaction, would wait for that connection for ever.
func (d *DB) prepareHot(ctx context.Context) error {
	if d.dialect != dialectSQLite {
		return nil
	}
	d.stmts, d.rstmts = map[string]*sql.Stmt{}, map[string]*sql.Stmt{}
	for _, query := range hotQueries {
		st, err := d.db.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("sqlstore: prepare %.40q: %w", query, err)
		}
		d.stmts[query] = st
	}
	for _, query := range hotReads {
		st, err := d.reads.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("sqlstore: prepare %.40q: %w", query, err)
		}
		d.rstmts[query] = st
	}
	return nil
}

// read runs query (written with ? placeholders), which only reads, on SQLite's read-only
// pool, or on the database on PostgreSQL.
func (d *DB) read(ctx context.Context, query string, args ...any) *sql.Row {
	if d.reads == nil {
		return d.queryRow(ctx, d.db, query, args...)
	}
	d.mu.Lock()
	st := d.rstmts[query]
	d.mu.Unlock()
	if st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.reads.QueryRowContext(ctx, query, args...)
}

// prepared returns the prepared statement of a hot query, or nil.
func (d *DB) prepared(query string) *sql.Stmt {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stmts[query]
}

// exec runs query (written with ? placeholders) through ex, prepared where that helps.
func (d *DB) exec(ctx context.Context, ex execer, query string, args ...any) (sql.Result, error) {
	if st := d.prepared(query); st != nil {
		switch ex := ex.(type) {
		case *sql.Tx:
			return ex.StmtContext(ctx, st).ExecContext(ctx, args...)
		case *sql.DB:
			return st.ExecContext(ctx, args...)
		}
	}
	return ex.ExecContext(ctx, d.q(query), args...)
}

// queryRow runs query (written with ? placeholders) through ex, prepared where that helps.
func (d *DB) queryRow(ctx context.Context, ex execer, query string, args ...any) *sql.Row {
	if st := d.prepared(query); st != nil {
		switch ex := ex.(type) {
		case *sql.Tx:
			return ex.StmtContext(ctx, st).QueryRowContext(ctx, args...)
		case *sql.DB:
			return st.QueryRowContext(ctx, args...)
		}
	}
	return ex.QueryRowContext(ctx, d.q(query), args...)
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
