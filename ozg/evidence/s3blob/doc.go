// Package s3blob is an evidence.BlobStore in an S3-compatible object store (AWS S3, Ceph RGW,
// MinIO, SeaweedFS, Versity S3 Gateway, the object stores of German cloud providers), so that
// every replica of a portal reads the Nachweise and attachments uploaded on any of them.
//
//	blobs, err := s3blob.New("https://s3.example.de", "ozg-evidence", &s3blob.Options{
//		AccessKeyID: os.Getenv("S3_ACCESS_KEY"), SecretAccessKey: os.Getenv("S3_SECRET_KEY"),
//		Prefix: "evidence/", PathStyle: true,
//	})
//	manager, err := evidence.New(db.Evidence(), blobs, scanner, nil)
//
// # Streaming and atomicity
//
// Put never holds more than one part (Options.PartSize, 8 MiB by default) in memory. A
// content up to one part goes up in a single PUT; a larger one as a multipart upload, which
// S3 makes visible only when it is completed, whole. A reader that fails (io.ErrUnexpectedEOF
// too) or a ctx that ends aborts the multipart upload, with a context of its own, so the
// server drops the parts; nothing appears under the key and an earlier content stays. Open
// streams the response body of one GET.
//
// # Object names
//
// An object's name is the prefix and the hex SHA-256 of its key, split after two characters.
// S3 servers that keep objects as files cannot hold both "a" and "a/b", nor names longer than
// 255 bytes; hashed names of one depth never run into either, whatever the keys. The key is in
// the object's metadata (x-amz-meta-ozgkit-key).
//
// # The client
//
// The package speaks S3 through minio-go (github.com/minio/minio-go/v7, Apache-2.0): one
// module with few dependencies that signs requests with AWS Signature Version 4 and talks to
// any S3-compatible server, and whose low-level Core API lets this package run the multipart
// upload itself, so that a failing reader is an error rather than the end of the content and
// the abort does not depend on the caller's ctx. gocloud.dev/blob with its s3blob driver
// would bring the AWS SDK and the portable layer's own dependencies for the same four calls.
// The dependency stays in this package; nothing else in ozgkit imports it.
//
// # Tests
//
// The conformance suite evidencetest.RunBlobStoreConformance runs against a real S3 server
// named by OZGKIT_TEST_S3_ENDPOINT, OZGKIT_TEST_S3_BUCKET, OZGKIT_TEST_S3_ACCESS_KEY and
// OZGKIT_TEST_S3_SECRET_KEY; the repository's CI starts one on loopback. Without them the
// tests skip with a message.
package s3blob
