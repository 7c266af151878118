package sqlstore_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/sessiontest"
)

func TestSQLiteSessionStoreConformance(t *testing.T) {
	sessiontest.RunSessionStoreConformance(t, func(t *testing.T) identity.SessionStore { return openSQLite(t).Sessions() })
}

func TestPostgresSessionStoreConformance(t *testing.T) {
	openPostgres(t) // skips without a DSN
	sessiontest.RunSessionStoreConformance(t, func(t *testing.T) identity.SessionStore { return openPostgres(t).Sessions() })
}
