package mailbox_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/mailbox/mailboxtest"
)

func TestMemoryStoreConformance(t *testing.T) {
	mailboxtest.RunStoreConformance(t, func(testing.TB) mailbox.Store { return mailbox.NewMemoryStore() })
}
