package sqlstore_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/mailbox/mailboxtest"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

func TestSQLiteMailboxStoreConformance(t *testing.T) {
	mailboxtest.RunStoreConformance(t, func(tb testing.TB) mailbox.Store { return openSQLite(tb).Mailbox() })
}

func TestPostgresMailboxStoreConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	mailboxtest.RunStoreConformance(t, func(tb testing.TB) mailbox.Store { return openPostgres(tb).Mailbox() })
}

func BenchmarkMailboxStore(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(tc.name, func(b *testing.B) {
			mailboxtest.BenchmarkStore(b, func(tb testing.TB) mailbox.Store { return tc.open(tb).Mailbox() }, nil)
		})
	}
}
