// Package evidence handles the evidence (Nachweise) a citizen uploads with an application
// (Antrag): requirements, the streaming upload pipeline, virus scanning, metadata and blob
// storage, and the HTTP handlers the portal mounts.
//
// # Requirements
//
// A service states what it needs as [Requirement] values: which document, how many files, which
// media types and how large. The service descriptor in package ozg carries them; this package never
// imports ozg (nor identity), so the requirement type lives here, and the handlers learn about
// the application and its owner through the small [Applications] interface.
//
// # Uploads
//
// [Manager.Upload] (or [Manager.UploadPart] for a multipart.Part) streams a file and never holds
// it whole in memory:
//
//   - the first 3 KiB are read, and before anything else searched for active content (HTML,
//     XHTML, SVG, XSLT, script URLs; UTF-16 too), which is refused whatever it looks like
//     otherwise. Then the media type is sniffed (github.com/gabriel-vasile/mimetype; the
//     declared Content-Type is ignored) and must be one the requirement accepts, with its
//     format's signature where the format puts it (a PDF starts with "%PDF-", a PNG with its
//     eight magic bytes...), and the file name's extension must fit it. All of this happens
//     before anything is stored;
//   - the rest streams through a SHA-512 hash (the hex form FIT-Connect metadata carries) into
//     the [BlobStore], stopping as soon as the requirement's MaxSize or the application's
//     remaining total ([Options].MaxTotalSizePerApplication) is passed;
//   - counts are bounded per requirement (MaxCount) and per application; a store that is a
//     [LimitedStore] (sqlstore's) checks them in the transaction that records the evidence, so
//     replicas sharing it cannot pass them together;
//   - the client's file name is kept only as metadata, after [SanitizeFileName]; blob keys are
//     random ("evidence/<uuid>").
//
// A refusal is a *[RefusedError] wrapping a sentinel (ErrTooLarge, ErrEmpty, ErrMediaType,
// ErrExtensionMismatch, ErrTooManyFiles, ErrInfected) with German and English messages. A
// refused, failed or interrupted upload leaves nothing behind.
//
// The [Handler]'s upload reads the request body under moving read deadlines on the
// connection: a body that pauses longer than HandlerOptions.UploadIdleTimeout, or arrives
// slower than UploadMinRate, is cut off (408), so a stalled client holds nothing for long.
// Failures are answered with plain messages; error chains and storage keys go to the log only.
//
// # Virus scanning
//
// Every file is scanned by a [Scanner] before it is usable ([ScanClean]): [Clamd] talks to a
// ClamAV daemon over INSTREAM (unix socket or TCP). Scanning is synchronous (the upload waits
// for the verdict; infected files are refused) or queued ([ScanQueued]: stored as
// [ScanPending], scanned by [Manager.RunScanner]); the state is stored either way. Running
// without scanning needs the explicit [NewNoScanner], which logs a warning, and the Manager
// logs it again at startup.
//
// # Storage
//
// Metadata lives in a [Store] ([MemoryStore] here; package ozg/sqlstore for SQL), bytes in a
// [BlobStore]: [FileBlobStore] (the default: temp file, fsync, rename, hashed fan-out) or
// [MemoryBlobStore] for one process; for several replicas sqlstore's DB.Blobs (the bytes in
// PostgreSQL, in chunks) or package ozg/evidence/s3blob (any S3-compatible object store).
// Package evidencetest has the conformance suites every implementation's test runs.
//
// Another blob service fits in a few lines. With gocloud.dev/blob (S3, GCS, Azure):
//
//	type bucketStore struct{ b *blob.Bucket }
//
//	func (s bucketStore) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
//		if err := evidence.CheckKey(key); err != nil {
//			return 0, err
//		}
//		wctx, cancel := context.WithCancel(ctx)
//		defer cancel()
//		w, err := s.b.NewWriter(wctx, key, nil) // the object appears only on a successful Close
//		if err != nil {
//			return 0, err
//		}
//		n, err := io.Copy(w, r)
//		if err != nil {
//			cancel() // a canceled writer aborts: nothing is left under key
//			_ = w.Close()
//			return 0, err
//		}
//		return n, w.Close()
//	}
//
//	func (s bucketStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
//		if err := evidence.CheckKey(key); err != nil {
//			return nil, err
//		}
//		r, err := s.b.NewReader(ctx, key, nil)
//		if gcerrors.Code(err) == gcerrors.NotFound {
//			return nil, fmt.Errorf("%s: %w", key, fs.ErrNotExist)
//		}
//		return r, err
//	}
//
// Stat maps to Bucket.Attributes (Size), Delete to Bucket.Delete ignoring NotFound; then run
// evidencetest.RunBlobStoreConformance against a test bucket (memblob or fileblob).
//
// # HTTP
//
// [Handler] serves upload (multipart/form-data: field "requirement" first, then "file"), list,
// download (owner only, Content-Disposition from the sanitised name, X-Content-Type-Options:
// nosniff, a sandboxing Content-Security-Policy) and delete. Errors are problem+json
// (internal/problem); another owner's application is 404; a submitted application refuses
// uploads and deletes with 409.
package evidence
