// Package sqlstore implements ozg's stores on database/sql: SQLite (modernc.org/sqlite, pure
// Go, no cgo) as the embedded default — one file, no server — and PostgreSQL (pgx) for
// production and several replicas.
//
// # Opening
//
//	db, err := sqlstore.Open(ctx, "sqlite:ozgkit-data/ozgkit.db", nil)   // embedded
//	db, err := sqlstore.Open(ctx, "postgres://ozg@db:5432/ozg", nil)     // production
//	defer db.Close()
//	apps := ozg.NewApplications(catalog, db.Applications(), nil)
//
// Open applies the schema migrations (embedded in the binary) before it returns; replicas that
// start together take turns through an advisory lock on PostgreSQL.
//
// # Storage rules
//
// Times are stored as microseconds since the epoch, so both databases keep them exactly and
// sort them alike. Form data and history are stored as the JSON text the caller gave. Every
// store passes the conformance suite of ozg/ozgtest; the PostgreSQL tests run when
// OZGKIT_TEST_POSTGRES holds a DSN and skip otherwise.
package sqlstore
