package s3blob_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
	"github.com/ozgkit/ozgkit/ozg/evidence/s3blob"
)

var prefixSeq atomic.Int64

// openS3 returns a store on the S3-compatible server named by the OZGKIT_TEST_S3_* variables
// (which .ci/setup.d/s3.sh exports), under a prefix of its own, or skips.
func openS3(t testing.TB, partSize int) *s3blob.Store {
	t.Helper()
	endpoint, bucket := os.Getenv("OZGKIT_TEST_S3_ENDPOINT"), os.Getenv("OZGKIT_TEST_S3_BUCKET")
	if endpoint == "" || bucket == "" {
		t.Skip("OZGKIT_TEST_S3_ENDPOINT and OZGKIT_TEST_S3_BUCKET are not set: run .ci/setup.d/s3.sh (source it) to start an S3-compatible server on loopback, or point them, with OZGKIT_TEST_S3_ACCESS_KEY and OZGKIT_TEST_S3_SECRET_KEY, at a test bucket")
	}
	s, err := s3blob.New(endpoint, bucket, &s3blob.Options{
		AccessKeyID:     os.Getenv("OZGKIT_TEST_S3_ACCESS_KEY"),
		SecretAccessKey: os.Getenv("OZGKIT_TEST_S3_SECRET_KEY"),
		Prefix:          fmt.Sprintf("test-%d-%d-%d/", time.Now().Unix(), os.Getpid(), prefixSeq.Add(1)),
		PartSize:        partSize,
		PathStyle:       true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Check(ctx); err != nil {
		t.Fatalf("S3 server at %s: %v", endpoint, err)
	}
	return s
}

func TestS3BlobStoreConformance(t *testing.T) {
	openS3(t, 0) // skips without a server
	evidencetest.RunBlobStoreConformance(t, func(t *testing.T) evidence.BlobStore { return openS3(t, 0) })
}

func TestS3BlobStoreConformanceWithMultipartUploads(t *testing.T) {
	// With the smallest part size the suite's 8 MiB content goes up in two parts, and its
	// failing and canceled Puts abort a multipart upload.
	openS3(t, 5<<20)
	evidencetest.RunBlobStoreConformance(t, func(t *testing.T) evidence.BlobStore { return openS3(t, 5<<20) })
}
