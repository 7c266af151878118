package mailbox_test

// These checks import identity and ozg/evidence in the test only; the mailbox package itself
// stays a leaf and imports neither.

import (
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
)

// One blob store implementation serves both packages: the method sets are identical.
var (
	_ evidence.BlobStore = mailbox.BlobStore(nil)
	_ mailbox.BlobStore  = evidence.BlobStore(nil)
)

func TestLevelConvertsFromIdentityLevel(t *testing.T) {
	for l := identity.LevelNone; l <= identity.LevelHigh; l++ {
		if got := mailbox.Level(l); got.String() != l.String() {
			t.Errorf("mailbox.Level(identity.%s) = %s", l, got)
		}
	}
	if mailbox.Level(identity.LevelHigh) != mailbox.LevelHigh || mailbox.Level(identity.LevelBasic) != mailbox.LevelBasic {
		t.Fatal("level values differ")
	}
}

// The mailbox's memory blob store keeps the same contract as every evidence blob store.
func TestMemoryBlobStoreConformance(t *testing.T) {
	evidencetest.RunBlobStoreConformance(t, func(t *testing.T) evidence.BlobStore { return mailbox.NewMemoryBlobStore() })
}
