package s3blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// Store is an evidence.BlobStore in a bucket of an S3-compatible object store. It is safe for
// concurrent use.
type Store struct {
	core     minio.Core
	bucket   string
	prefix   string
	partSize int
	buffers  sync.Pool
}

var _ evidence.BlobStore = (*Store)(nil)

// Options configure [New]. The credentials are required by every real S3 service; the rest
// has defaults.
type Options struct {
	// AccessKeyID, SecretAccessKey and (for temporary credentials) SessionToken sign the
	// requests (AWS Signature Version 4).
	AccessKeyID, SecretAccessKey, SessionToken string
	// Region of the bucket; default "us-east-1", which most S3-compatible servers accept.
	Region string
	// Prefix is put before every key to make the object name, so that one bucket can serve
	// several stores ("evidence/", "mailbox/"). Empty, or 1 to 200 characters of
	// [A-Za-z0-9/_.-] ending in "/".
	Prefix string
	// PartSize is the size of each part of a multipart upload and the most a Put holds in
	// memory; default 8 MiB, at least 5 MiB (S3's smallest part), at most 512 MiB. Contents up
	// to this size are uploaded in one request. S3 allows 10,000 parts, so the largest content
	// is 10,000 × PartSize.
	PartSize int
	// PathStyle addresses the bucket in the path (http://host/bucket/key) instead of the host
	// name (http://bucket.host/key). Most self-hosted servers need it; the default (false) lets
	// the client choose by the endpoint, as for AWS.
	PathStyle bool
	// Transport replaces the HTTP transport, e.g. to trust a municipality's own CA.
	Transport http.RoundTripper
}

const (
	defaultPartSize = 8 << 20
	minPartSize     = 5 << 20
	maxPartSize     = 512 << 20
	maxParts        = 10000
	maxPrefixLength = 200
)

// New returns a store for bucket at endpoint, a URL such as "https://s3.eu-central-1.amazonaws.com"
// or "http://127.0.0.1:7070". It sends no request; [Store.Check] asks whether the bucket is
// there.
func New(endpoint, bucket string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("s3blob: endpoint %q must be an http or https URL with a host and no path, query or credentials", endpoint)
	}
	if bucket == "" {
		return nil, errors.New("s3blob: no bucket named")
	}
	if opts.Prefix != "" {
		if len(opts.Prefix) > maxPrefixLength || !strings.HasSuffix(opts.Prefix, "/") || evidence.CheckKey(strings.TrimSuffix(opts.Prefix, "/")) != nil {
			return nil, fmt.Errorf("s3blob: prefix %q must be 1 to %d characters of [A-Za-z0-9/_.-] with no empty, \".\" or \"..\" segment, ending in \"/\"", opts.Prefix, maxPrefixLength)
		}
	}
	partSize := opts.PartSize
	if partSize == 0 {
		partSize = defaultPartSize
	}
	if partSize < minPartSize || partSize > maxPartSize {
		return nil, fmt.Errorf("s3blob: part size %d is not between %d and %d bytes", partSize, minPartSize, maxPartSize)
	}
	region := opts.Region
	if region == "" {
		region = "us-east-1"
	}
	mo := &minio.Options{
		Creds:     credentials.NewStaticV4(opts.AccessKeyID, opts.SecretAccessKey, opts.SessionToken),
		Secure:    u.Scheme == "https",
		Region:    region,
		Transport: opts.Transport,
	}
	if opts.PathStyle {
		mo.BucketLookup = minio.BucketLookupPath
	}
	core, err := minio.NewCore(u.Host, mo)
	if err != nil {
		return nil, fmt.Errorf("s3blob: client for %s: %w", u.Host, err)
	}
	s := &Store{core: *core, bucket: bucket, prefix: opts.Prefix, partSize: partSize}
	s.buffers.New = func() any { b := make([]byte, partSize); return &b }
	return s, nil
}

// Check reports whether the bucket can be reached, for a readiness probe.
func (s *Store) Check(ctx context.Context) error {
	ok, err := s.core.BucketExists(ctx, s.bucket)
	switch {
	case err != nil:
		return fmt.Errorf("s3blob: bucket %q: %w", s.bucket, err)
	case !ok:
		return fmt.Errorf("s3blob: bucket %q does not exist", s.bucket)
	}
	return nil
}

// Put implements evidence.BlobStore. A content that fits in one part is uploaded in one PUT;
// a larger one as a multipart upload, one part in memory at a time, which is aborted if the
// reader fails or ctx ends. The object appears only when the last request succeeds, whole.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := evidence.CheckKey(key); err != nil {
		return 0, fmt.Errorf("s3blob: put: %w", err)
	}
	bp := s.buffers.Get().(*[]byte)
	defer s.buffers.Put(bp)
	buf := *bp
	name := s.objectName(key)
	opts := s.putOptions(key)

	n, readErr := fill(ctx, r, buf)
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("s3blob: put %q: %w", key, err)
	}
	if readErr != nil && !errors.Is(readErr, io.EOF) {
		return 0, fmt.Errorf("s3blob: put %q: %w", key, readErr)
	}
	if readErr != nil { // the content fits in one request
		if _, err := s.core.PutObject(ctx, s.bucket, name, bytes.NewReader(buf[:n]), int64(n), "", "", opts); err != nil {
			return 0, fmt.Errorf("s3blob: put %q: %w", key, ctxErr(ctx, err))
		}
		return int64(n), nil
	}
	size, err := s.putMultipart(ctx, name, opts, r, buf, n)
	if err != nil {
		return 0, fmt.Errorf("s3blob: put %q: %w", key, err)
	}
	return size, nil
}

// objectName returns the object's name for key: the prefix, then the hex SHA-256 of the key
// split after two characters ("evidence/3f/9a0c…"). Names of one length and depth never
// collide as file and directory on S3 servers that keep objects as files (where "a" and "a/b"
// cannot both exist), stay within a file system's 255-byte names, and spread the objects
// over 256 directories. The key itself is kept in the object's metadata (x-amz-meta-ozgkit-key)
// for operators.
func (s *Store) objectName(key string) string {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:])
	return s.prefix + h[:2] + "/" + h[2:]
}

func (s *Store) putOptions(key string) minio.PutObjectOptions {
	return minio.PutObjectOptions{ContentType: "application/octet-stream", UserMetadata: map[string]string{"Ozgkit-Key": key}}
}

// putMultipart uploads buf[:n] as the first part and the rest of r as the following ones.
func (s *Store) putMultipart(ctx context.Context, name string, opts minio.PutObjectOptions, r io.Reader, buf []byte, n int) (size int64, err error) {
	uploadID, err := s.core.NewMultipartUpload(ctx, s.bucket, name, opts)
	if err != nil {
		return 0, fmt.Errorf("begin multipart upload: %w", ctxErr(ctx, err))
	}
	defer func() {
		if err != nil {
			// Abort even when ctx has ended, so the server drops the parts stored so far.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if aerr := s.core.AbortMultipartUpload(actx, s.bucket, name, uploadID); aerr != nil {
				err = fmt.Errorf("%w (aborting the multipart upload failed too: %v)", err, aerr)
			}
		}
	}()
	var parts []minio.CompletePart
	for {
		if len(parts) == maxParts {
			return 0, fmt.Errorf("content larger than %d parts of %d bytes", maxParts, s.partSize)
		}
		p, err := s.core.PutObjectPart(ctx, s.bucket, name, uploadID, len(parts)+1, bytes.NewReader(buf[:n]), int64(n), minio.PutObjectPartOptions{})
		if err != nil {
			return 0, fmt.Errorf("part %d: %w", len(parts)+1, ctxErr(ctx, err))
		}
		parts = append(parts, minio.CompletePart{PartNumber: p.PartNumber, ETag: p.ETag})
		size += int64(n)

		var readErr error
		n, readErr = fill(ctx, r, buf)
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return 0, readErr
		}
		if n == 0 {
			break
		}
		if readErr != nil { // the last part, smaller than the others
			p, err := s.core.PutObjectPart(ctx, s.bucket, name, uploadID, len(parts)+1, bytes.NewReader(buf[:n]), int64(n), minio.PutObjectPartOptions{})
			if err != nil {
				return 0, fmt.Errorf("part %d: %w", len(parts)+1, ctxErr(ctx, err))
			}
			parts = append(parts, minio.CompletePart{PartNumber: p.PartNumber, ETag: p.ETag})
			size += int64(n)
			break
		}
	}
	if _, err := s.core.CompleteMultipartUpload(ctx, s.bucket, name, uploadID, parts, opts); err != nil {
		return 0, fmt.Errorf("complete multipart upload: %w", ctxErr(ctx, err))
	}
	return size, nil
}

// readStep is the most fill asks of the reader at once, so that a canceled ctx stops a Put
// after at most this many more bytes.
const readStep = 64 << 10

// fill reads from r until buf is full, r returns an error or ctx ends, and returns the number
// of bytes read with the error. Only io.EOF ends a content cleanly: a reader's
// io.ErrUnexpectedEOF is a failure, not a short last part.
func fill(ctx context.Context, r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		m, err := r.Read(buf[n:min(n+readStep, len(buf))])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Open implements evidence.BlobStore. The object is requested at once, so a missing key is
// reported here; the reader streams the response body.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := evidence.CheckKey(key); err != nil {
		return nil, fmt.Errorf("s3blob: open: %w", err)
	}
	body, _, _, err := s.core.GetObject(ctx, s.bucket, s.objectName(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("s3blob: open %q: %w", key, mapErr(ctx, err))
	}
	return body, nil
}

// Stat implements evidence.BlobStore.
func (s *Store) Stat(ctx context.Context, key string) (int64, error) {
	if err := evidence.CheckKey(key); err != nil {
		return 0, fmt.Errorf("s3blob: stat: %w", err)
	}
	info, err := s.core.StatObject(ctx, s.bucket, s.objectName(key), minio.StatObjectOptions{})
	if err != nil {
		return 0, fmt.Errorf("s3blob: stat %q: %w", key, mapErr(ctx, err))
	}
	return info.Size, nil
}

// Delete implements evidence.BlobStore.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := evidence.CheckKey(key); err != nil {
		return fmt.Errorf("s3blob: delete: %w", err)
	}
	if err := s.core.RemoveObject(ctx, s.bucket, s.objectName(key), minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(mapErr(ctx, err), fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("s3blob: delete %q: %w", key, ctxErr(ctx, err))
	}
	return nil
}

// mapErr makes a missing object wrap fs.ErrNotExist. A missing bucket does not: it is a
// configuration error, not a missing key.
func mapErr(ctx context.Context, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || (resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket) {
		return fmt.Errorf("%w (%s)", fs.ErrNotExist, err)
	}
	return ctxErr(ctx, err)
}

// ctxErr makes sure an error caused by ctx's end wraps ctx.Err().
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	return err
}
