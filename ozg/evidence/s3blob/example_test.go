package s3blob_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/ozgkit/ozgkit/ozg/evidence/s3blob"
)

// A store on an S3-compatible server. The example is compiled, not run: it needs a server.
func ExampleNew() {
	blobs, err := s3blob.New("https://s3.example.de", "ozg-evidence", &s3blob.Options{
		AccessKeyID:     os.Getenv("S3_ACCESS_KEY"),
		SecretAccessKey: os.Getenv("S3_SECRET_KEY"),
		Prefix:          "example/",
		PathStyle:       true,
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	n, err := blobs.Put(ctx, "evidence/9b2f", strings.NewReader("Mietvertrag"))
	if err != nil {
		log.Fatal(err)
	}
	defer blobs.Delete(ctx, "evidence/9b2f")
	fmt.Println(n, "bytes stored")
}
