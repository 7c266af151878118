package s3blob_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
)

// BenchmarkS3BlobStore measures Put and Open against the server of OZGKIT_TEST_S3_ENDPOINT,
// with contents of typical evidence sizes; 16 MiB goes up as a multipart upload of two parts.
func BenchmarkS3BlobStore(b *testing.B) {
	evidencetest.BenchmarkBlobStore(b, openS3(b, 0), 64<<10, 1<<20, 16<<20)
}
