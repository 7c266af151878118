package mailbox_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/mailbox/mailboxtest"
)

func TestMemoryStoreConformance(t *testing.T) {
	mailboxtest.RunStoreConformance(t, func(testing.TB) mailbox.Store { return mailbox.NewMemoryStore() })
}

func BenchmarkMemoryStore(b *testing.B) {
	mailboxtest.BenchmarkStore(b, func(testing.TB) mailbox.Store { return mailbox.NewMemoryStore() }, nil)
}

// BenchmarkMemoryStoreOneOwner lists the newest 50 of 100,000 messages that all belong to one
// owner: the per-owner index keeps it independent of the owner's message count.
func BenchmarkMemoryStoreOneOwner(b *testing.B) {
	mailboxtest.BenchmarkStore(b, func(testing.TB) mailbox.Store { return mailbox.NewMemoryStore() },
		&mailboxtest.BenchOptions{Messages: 100_000, Owners: 1})
}
