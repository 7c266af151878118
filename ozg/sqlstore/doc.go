// Package sqlstore implements ozgkit's stores on database/sql: SQLite (modernc.org/sqlite, pure
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
// Open applies the schema migrations (embedded in the binary) before it returns. SQLite writes
// through one connection (one writer is its rule) and reads an application through a few
// read-only ones beside it (write-ahead logging lets readers run while the writer works);
// PostgreSQL's pool keeps its connections (Options.MaxOpenConns, MaxIdleConns).
//
// # Submitting
//
// A submit is one transaction: the reference number drawn from the sequences table, the
// application's update at its version, the submission and its outbox entry (ozg.NumberingStore;
// on PostgreSQL the first two and the last two are one statement each). A submit that is
// refused gives its number back, so numbers have no gaps. The idempotency key is checked by a
// unique index. Hot statements are prepared once on SQLite; pgx caches them per connection.
//
// # Migrations
//
// Migrations are the SQL files in migrations/, applied in name order, each in a transaction
// of its own, and recorded in schema_migrations with the SHA-256 of the file. An applied
// migration whose file has changed is refused by name (ErrMigrationChanged): a schema change
// goes into a new file. Replicas that start together migrate once: on PostgreSQL the whole
// run holds an advisory lock, on SQLite every migration takes the database's write lock and
// looks again whether it is still to do. For a database user without DDL rights, run
// [Migrate] (or cmd/ozgmigrate) as the schema's owner before the release starts and open with
// Options.SkipMigrations, which only checks that every migration is applied unchanged and
// otherwise refuses, naming the first missing one (ErrSchemaNotCurrent).
//
// # Stores
//
// One DB serves every store; each method returns a view of it, cheap to make:
//
//   - [DB.Applications]: ozg.Store — applications (Anträge), submissions and their outbox, so
//     that a submit is one transaction; also ozg.RetentionStore, which finds a service's
//     applications by the time of their last change and deletes a batch of them with their
//     submissions and outbox entries in one transaction.
//   - [DB.Evidence]: evidence.Store — the metadata of uploaded evidence (Nachweise); the bytes
//     stay in an evidence.BlobStore.
//   - [DB.Payments]: payment.Store — fee payments, with optimistic versions checked in the
//     writing statement, and the listing by state that the reconciler polls.
//   - [DB.Mailbox]: mailbox.Store — the citizens' mailboxes (Postfach), indexed so that a page
//     of one owner's newest messages is read straight from an index, whatever the number of
//     messages of others; also mailbox.Expirer, for retention.
//   - [DB.Sessions]: identity.SessionStore — the server-side record of every login session,
//     asked on every request, so that a session ended on one replica (logout, step-up, a new
//     login) is refused on all of them.
//   - [DB.Blobs]: evidence.BlobStore (and mailbox's blob store) — uploaded files in chunks,
//     streamed on Put and Open, so that every replica reads what any of them stored.
//   - [DB.Deduplicator]: delivery.Deduplicator — the record with which a back office's
//     delivery.Receiver takes each submission once, on any replica.
//
// # Storage rules
//
// Times are stored as microseconds since the epoch, so both databases keep them exactly and
// sort them alike; a zero time that means "not yet" (read, paid, done) is NULL. Nested
// structures (form data, history, attachments) are stored as JSON text. The ids of evidence, payments and
// messages are ordered bytewise, as Go orders strings, whatever the database's locale.
// Contract errors wrap each package's sentinels (ozg.ErrNotFound, evidence.ErrExists,
// payment.ErrConflict, mailbox.ErrAlreadyReplied, ...).
//
// Every store passes its package's conformance suite (ozgtest, evidencetest, paymenttest,
// mailboxtest, sessiontest) on both databases; the PostgreSQL tests run when OZGKIT_TEST_POSTGRES holds a
// DSN and skip otherwise.
package sqlstore
