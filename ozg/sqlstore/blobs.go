package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// BlobStore is an evidence.BlobStore (and a mailbox blob store) in the database, so that every
// replica sharing the database reads the files uploaded on any of them.
//
// The content is kept in chunks (table blob_chunks, 256 KiB each by default) under a content
// id of its own; table blobs maps a key to the content it currently has. Put streams the
// reader chunk by chunk, each chunk in its own short statement, so neither the content nor a
// long transaction is held while a slow client uploads; when the reader ends, one
// transaction points the key at the new content. Until then nothing of the new content is
// visible, and a Put that fails deletes its chunks. A process that dies in the middle of a
// Put leaves chunks that no key points to; they are listed in blob_uploads and deleted after
// a day by [BlobStore.Purge].
//
// Open reads one chunk at a time (the first together with the key, in one statement), so a
// reader holds neither a connection nor a transaction between reads. A content that a Put
// replaces or a Delete removes is gone for Open and Stat at once, but its chunks stay for
// [BlobOptions.ReadGrace] (table blob_released), so a reader that opened it before reads it
// whole and never a mix of the old and the new content. Purge, which every Delete and every
// 16th Put runs, deletes them after that.
//
// A content that fits in one chunk is written with its key in one transaction; a larger one
// chunk by chunk, each chunk in its own statement, so that a slow client holds neither a
// transaction nor a connection between its chunks.
type BlobStore struct {
	d         *DB
	chunkSize int
	grace     time.Duration
	now       func() time.Time
	buffers   sync.Pool
	puts      atomic.Uint64
}

var _ evidence.BlobStore = (*BlobStore)(nil)

// BlobOptions tune [DB.Blobs]; nil or zero fields mean the defaults.
type BlobOptions struct {
	// ChunkSize is the number of bytes per stored chunk: 256 KiB by default, at least 4 KiB
	// and at most 16 MiB. Put and Open each hold one chunk in memory.
	ChunkSize int
	// ReadGrace is how long the chunks of a replaced or deleted content stay for readers that
	// opened it before; default 15 minutes. A reader slower than that fails with an error
	// wrapping fs.ErrNotExist.
	ReadGrace time.Duration
	// Now replaces the clock, for tests.
	Now func() time.Time
}

const (
	defaultChunkSize = 256 << 10
	minChunkSize     = 4 << 10
	maxChunkSize     = 16 << 20
	defaultReadGrace = 15 * time.Minute
	// abandonedAfter is how old an unfinished upload must be before Purge deletes it; no
	// upload of evidence runs that long.
	abandonedAfter = 24 * time.Hour
)

// Blobs returns the blob store of the database. It fails only for a chunk size out of range.
func (d *DB) Blobs(opts *BlobOptions) (*BlobStore, error) {
	s := &BlobStore{d: d, chunkSize: defaultChunkSize, grace: defaultReadGrace, now: time.Now}
	if opts != nil {
		if opts.ChunkSize != 0 {
			s.chunkSize = opts.ChunkSize
		}
		if opts.ReadGrace > 0 {
			s.grace = opts.ReadGrace
		}
		if opts.Now != nil {
			s.now = opts.Now
		}
	}
	if s.chunkSize < minChunkSize || s.chunkSize > maxChunkSize {
		return nil, fmt.Errorf("sqlstore: blob chunk size %d is not between %d and %d bytes", s.chunkSize, minChunkSize, maxChunkSize)
	}
	s.buffers.New = func() any { b := make([]byte, s.chunkSize); return &b }
	return s, nil
}

// Put implements evidence.BlobStore.
func (s *BlobStore) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := evidence.CheckKey(key); err != nil {
		return 0, fmt.Errorf("sqlstore: put blob: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sqlstore: put blob %q: %w", key, err)
	}
	id, err := newContentID()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: put blob %q: %w", key, err)
	}
	bp := s.buffers.Get().(*[]byte)
	defer s.buffers.Put(bp)
	buf := *bp

	n, readErr := fill(ctx, r, buf)
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sqlstore: put blob %q: %w", key, err)
	}
	if readErr != nil && !errors.Is(readErr, io.EOF) {
		return 0, fmt.Errorf("sqlstore: put blob %q: %w", key, readErr)
	}
	if readErr != nil {
		// The content fits in one chunk: it and the key go in one transaction.
		if err := s.commit(ctx, key, id, int64(n), buf[:n]); err != nil {
			return 0, fmt.Errorf("sqlstore: put blob %q: %w", key, err)
		}
		s.purgeNowAndThen(ctx)
		return int64(n), nil
	}
	if _, err := s.d.db.ExecContext(ctx, s.d.q(`INSERT INTO blob_uploads (content_id, blob_key, started_at) VALUES (?, ?, ?)`),
		id, key, micros(s.now())); err != nil {
		return 0, fmt.Errorf("sqlstore: put blob %q: begin upload: %w", key, ctxErr(ctx, err))
	}
	size, err := s.writeChunks(ctx, id, r, buf, n)
	if err == nil {
		err = s.commit(ctx, key, id, size, nil)
	}
	if err != nil {
		s.discard(ctx, id)
		return 0, fmt.Errorf("sqlstore: put blob %q: %w", key, err)
	}
	s.purgeNowAndThen(ctx)
	return size, nil
}

// writeChunks stores buf[:n] and the rest of r as the chunks of content id and returns the
// content's size. Only a clean io.EOF from r ends the content; any other error of r
// (io.ErrUnexpectedEOF too) fails the Put.
func (s *BlobStore) writeChunks(ctx context.Context, id string, r io.Reader, buf []byte, n int) (int64, error) {
	var size int64
	for seq := 0; ; seq++ {
		if n > 0 {
			if _, err := s.d.db.ExecContext(ctx, s.d.q(`INSERT INTO blob_chunks (content_id, seq, data) VALUES (?, ?, ?)`),
				id, seq, buf[:n]); err != nil {
				return 0, fmt.Errorf("write chunk %d: %w", seq, ctxErr(ctx, err))
			}
			size += int64(n)
		}
		var readErr error
		n, readErr = fill(ctx, r, buf)
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		switch {
		case errors.Is(readErr, io.EOF) && n == 0:
			return size, nil
		case errors.Is(readErr, io.EOF):
			if _, err := s.d.db.ExecContext(ctx, s.d.q(`INSERT INTO blob_chunks (content_id, seq, data) VALUES (?, ?, ?)`),
				id, seq+1, buf[:n]); err != nil {
				return 0, fmt.Errorf("write chunk %d: %w", seq+1, ctxErr(ctx, err))
			}
			return size + int64(n), nil
		case readErr != nil:
			return 0, readErr
		}
	}
}

// commit points key at the finished content id in one transaction and releases the content
// it replaces. With single set, the content is that one chunk, written in the same
// transaction; otherwise its chunks were written already, under an upload record.
func (s *BlobStore) commit(ctx context.Context, key, id string, size int64, single []byte) error {
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		return ctxErr(ctx, err)
	}
	defer tx.Rollback()
	if err := s.lockKey(ctx, tx, key); err != nil {
		return err
	}
	chunks := (size + int64(s.chunkSize) - 1) / int64(s.chunkSize)
	if single != nil {
		if len(single) > 0 {
			if _, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO blob_chunks (content_id, seq, data) VALUES (?, 0, ?)`), id, single); err != nil {
				return ctxErr(ctx, err)
			}
		}
	} else {
		n, err := affected(tx.ExecContext(ctx, s.d.q(`DELETE FROM blob_uploads WHERE content_id = ?`), id))
		if err != nil {
			return ctxErr(ctx, err)
		}
		if n == 0 {
			return errors.New("the unfinished upload was purged as abandoned before it ended")
		}
	}
	old, err := s.contentOf(ctx, tx, key)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO blobs (blob_key, content_id, size, chunks, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (blob_key) DO UPDATE SET content_id = excluded.content_id, size = excluded.size,
			chunks = excluded.chunks, created_at = excluded.created_at`),
		key, id, size, chunks, micros(s.now())); err != nil {
		return ctxErr(ctx, err)
	}
	if err := s.release(ctx, tx, old); err != nil {
		return err
	}
	return ctxErr(ctx, tx.Commit())
}

// release records that content id (if any) is no longer any key's, for Purge to delete after
// the read grace.
func (s *BlobStore) release(ctx context.Context, tx *sql.Tx, id string) error {
	if id == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO blob_released (content_id, released_at) VALUES (?, ?)`), id, micros(s.now()))
	return ctxErr(ctx, err)
}

// lockKey serializes the writers of one key on PostgreSQL until the transaction ends, so
// that a replaced content is always found and deleted. SQLite transactions are serialized
// already (they begin IMMEDIATE).
func (s *BlobStore) lockKey(ctx context.Context, tx *sql.Tx, key string) error {
	if s.d.dialect != dialectPostgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7280234))`, key)
	return ctxErr(ctx, err)
}

// contentOf returns the content id key points to, or "" if none.
func (s *BlobStore) contentOf(ctx context.Context, tx *sql.Tx, key string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, s.d.q(`SELECT content_id FROM blobs WHERE blob_key = ?`), key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, ctxErr(ctx, err)
}

// discard deletes the chunks of a failed upload, even when ctx was canceled. What it cannot
// delete, PurgeAbandoned will.
func (s *BlobStore) discard(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.deleteUpload(ctx, id); err != nil {
		s.d.logger.LogAttrs(ctx, slog.LevelWarn, "sqlstore: deleting a failed blob upload failed; PurgeAbandoned will retry",
			slog.String("content", id), slog.String("error", err.Error()))
	}
}

func (s *BlobStore) deleteUpload(ctx context.Context, id string) error {
	if _, err := s.d.db.ExecContext(ctx, s.d.q(`DELETE FROM blob_chunks WHERE content_id = ?`), id); err != nil {
		return err
	}
	_, err := s.d.db.ExecContext(ctx, s.d.q(`DELETE FROM blob_uploads WHERE content_id = ?`), id)
	return err
}

// Purge deletes the chunks of contents replaced or deleted more than the read grace ago, and
// of uploads that began more than a day ago and never ended (their process died), and returns
// how many contents it deleted. Every Delete and every 16th Put runs it; a deployment whose
// blobs are rarely written may also run it from a loop. An upload still running when it is purged fails
// at its end instead of being committed.
func (s *BlobStore) Purge(ctx context.Context) (int, error) {
	now := s.now()
	released, err := s.listContents(ctx, `SELECT content_id FROM blob_released WHERE released_at < ? ORDER BY released_at LIMIT 1000`, now.Add(-s.grace))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: list released blob contents: %w", err)
	}
	n := 0
	for _, id := range released {
		if _, err := s.d.db.ExecContext(ctx, s.d.q(`DELETE FROM blob_chunks WHERE content_id = ?`), id); err != nil {
			return n, fmt.Errorf("sqlstore: delete released blob content %s: %w", id, err)
		}
		if _, err := s.d.db.ExecContext(ctx, s.d.q(`DELETE FROM blob_released WHERE content_id = ?`), id); err != nil {
			return n, fmt.Errorf("sqlstore: delete released blob content %s: %w", id, err)
		}
		n++
	}
	abandoned, err := s.listContents(ctx, `SELECT content_id FROM blob_uploads WHERE started_at < ? ORDER BY started_at LIMIT 1000`, now.Add(-abandonedAfter))
	if err != nil {
		return n, fmt.Errorf("sqlstore: list abandoned blob uploads: %w", err)
	}
	for _, id := range abandoned {
		if err := s.deleteUpload(ctx, id); err != nil {
			return n, fmt.Errorf("sqlstore: delete abandoned blob upload %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

func (s *BlobStore) listContents(ctx context.Context, query string, before time.Time) ([]string, error) {
	rows, err := s.d.db.QueryContext(ctx, s.d.q(query), micros(before))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// purgeNowAndThen runs Purge after every 16th Put.
func (s *BlobStore) purgeNowAndThen(ctx context.Context) {
	if s.puts.Add(1)%16 == 0 {
		s.purgeQuietly(ctx)
	}
}

// purgeQuietly runs Purge after a write and only logs its failure: the write succeeded.
func (s *BlobStore) purgeQuietly(ctx context.Context) {
	if _, err := s.Purge(ctx); err != nil {
		s.d.logger.LogAttrs(ctx, slog.LevelWarn, "sqlstore: purging blob contents failed", slog.String("error", err.Error()))
	}
}

// Open implements evidence.BlobStore. The reader fetches the chunks with ctx.
func (s *BlobStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := evidence.CheckKey(key); err != nil {
		return nil, fmt.Errorf("sqlstore: open blob: %w", err)
	}
	br := &blobReader{ctx: ctx, s: s, key: key}
	var first []byte
	err := s.d.db.QueryRowContext(ctx, s.d.q(`SELECT b.content_id, b.chunks, c.data FROM blobs b
		LEFT JOIN blob_chunks c ON c.content_id = b.content_id AND c.seq = 0
		WHERE b.blob_key = ?`), key).Scan(&br.id, &br.chunks, &first)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("sqlstore: open blob %q: %w", key, fs.ErrNotExist)
	case err != nil:
		return nil, fmt.Errorf("sqlstore: open blob %q: %w", key, ctxErr(ctx, err))
	}
	if br.chunks > 0 {
		if first == nil {
			return nil, fmt.Errorf("sqlstore: open blob %q: content replaced or deleted while opening: %w", key, fs.ErrNotExist)
		}
		br.buf, br.next = first, 1
	}
	return br, nil
}

// blobReader reads a content chunk by chunk.
type blobReader struct {
	ctx    context.Context
	s      *BlobStore
	key    string
	id     string
	chunks int
	next   int    // the next chunk to fetch
	buf    []byte // what is left of the current chunk
	own    []byte // the reader's chunk buffer
	err    error
}

func (r *blobReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.next >= r.chunks {
			return 0, io.EOF
		}
		found, err := r.fetch()
		switch {
		case err != nil:
			r.err = fmt.Errorf("sqlstore: read blob %q: chunk %d: %w", r.key, r.next, ctxErr(r.ctx, err))
		case !found:
			r.err = fmt.Errorf("sqlstore: read blob %q: content replaced or deleted longer than the read grace ago: %w", r.key, fs.ErrNotExist)
		default:
			r.next++
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// fetch reads chunk r.next into r.buf, reusing the reader's own buffer.
func (r *blobReader) fetch() (bool, error) {
	rows, err := r.s.d.db.QueryContext(r.ctx, r.s.d.q(`SELECT data FROM blob_chunks WHERE content_id = ? AND seq = ?`), r.id, r.next)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	var raw sql.RawBytes
	if err := rows.Scan(&raw); err != nil {
		return false, err
	}
	r.own = append(r.own[:0], raw...)
	r.buf = r.own
	return true, rows.Close()
}

func (r *blobReader) Close() error {
	r.buf, r.err = nil, fs.ErrClosed
	return nil
}

// Stat implements evidence.BlobStore.
func (s *BlobStore) Stat(ctx context.Context, key string) (int64, error) {
	if err := evidence.CheckKey(key); err != nil {
		return 0, fmt.Errorf("sqlstore: stat blob: %w", err)
	}
	var size int64
	err := s.d.db.QueryRowContext(ctx, s.d.q(`SELECT size FROM blobs WHERE blob_key = ?`), key).Scan(&size)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("sqlstore: stat blob %q: %w", key, fs.ErrNotExist)
	case err != nil:
		return 0, fmt.Errorf("sqlstore: stat blob %q: %w", key, ctxErr(ctx, err))
	}
	return size, nil
}

// Delete implements evidence.BlobStore. The key is gone at once; its chunks are deleted after
// the read grace.
func (s *BlobStore) Delete(ctx context.Context, key string) error {
	if err := evidence.CheckKey(key); err != nil {
		return fmt.Errorf("sqlstore: delete blob: %w", err)
	}
	err := func() error {
		tx, err := s.d.db.BeginTx(ctx, nil)
		if err != nil {
			return ctxErr(ctx, err)
		}
		defer tx.Rollback()
		if err := s.lockKey(ctx, tx, key); err != nil {
			return err
		}
		old, err := s.contentOf(ctx, tx, key)
		if err != nil || old == "" {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM blobs WHERE blob_key = ?`), key); err != nil {
			return ctxErr(ctx, err)
		}
		if err := s.release(ctx, tx, old); err != nil {
			return err
		}
		return ctxErr(ctx, tx.Commit())
	}()
	if err != nil {
		return fmt.Errorf("sqlstore: delete blob %q: %w", key, err)
	}
	s.purgeQuietly(ctx)
	return nil
}

// ctxErr makes sure an error caused by ctx's end wraps ctx.Err(), whatever the driver made
// of it.
func ctxErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	return err
}

// newContentID returns 128 random bits in hex.
func newContentID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// readStep is the most fill asks of the reader at once, so that a canceled ctx stops a Put
// after at most this many more bytes.
const readStep = 64 << 10

// fill reads from r until buf is full, r returns an error or ctx ends, and returns the number
// of bytes read with the error. A full buffer returns a nil error even if r would end next.
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
