package sqlstore_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
)

func BenchmarkPostgresBlobStore(b *testing.B) {
	evidencetest.BenchmarkBlobStore(b, blobStore(b, openPostgres(b), 0), 64<<10, 1<<20, 8<<20)
}

func BenchmarkSQLiteBlobStore(b *testing.B) {
	evidencetest.BenchmarkBlobStore(b, blobStore(b, openSQLite(b), 0), 64<<10, 1<<20, 8<<20)
}
