package identity_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/sessiontest"
)

func TestMemorySessionStoreConformance(t *testing.T) {
	sessiontest.RunSessionStoreConformance(t, func(*testing.T) identity.SessionStore { return identity.NewMemorySessionStore() })
}
