package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func TestFailedMultipartPutLeavesNoPartsOnTheServer(t *testing.T) {
	endpoint, bucket := os.Getenv("OZGKIT_TEST_S3_ENDPOINT"), os.Getenv("OZGKIT_TEST_S3_BUCKET")
	if endpoint == "" || bucket == "" {
		t.Skip("OZGKIT_TEST_S3_ENDPOINT and OZGKIT_TEST_S3_BUCKET are not set: source .ci/setup.d/s3.sh to start an S3-compatible server on loopback")
	}
	prefix := fmt.Sprintf("cleanup-%d-%d/", time.Now().UnixNano(), os.Getpid())
	s, err := New(endpoint, bucket, &Options{
		AccessKeyID: os.Getenv("OZGKIT_TEST_S3_ACCESS_KEY"), SecretAccessKey: os.Getenv("OZGKIT_TEST_S3_SECRET_KEY"),
		Prefix: prefix, PartSize: minPartSize, PathStyle: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	boom := errors.New("client went away")
	// Two whole parts, then the reader fails: the upload was begun and must be aborted.
	r := io.MultiReader(strings.NewReader(strings.Repeat("p", 2*minPartSize+10)), failing{boom})
	if _, err := s.Put(ctx, "evidence/broken", r); !errors.Is(err, boom) {
		t.Fatalf("Put err = %v, want the reader's error", err)
	}
	uploads, err := s.core.ListMultipartUploads(ctx, bucket, prefix, "", "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(uploads.Uploads) != 0 {
		t.Fatalf("%d multipart uploads left under %s after a failed Put", len(uploads.Uploads), prefix)
	}
	objects, err := s.core.ListObjectsV2(bucket, prefix, "", "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(objects.Contents) != 0 {
		t.Fatalf("%d objects left under %s after a failed Put", len(objects.Contents), prefix)
	}
}

type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }
