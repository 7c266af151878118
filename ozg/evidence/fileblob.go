package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ozgkit/ozgkit/internal/memblob"
)

// FileBlobStore is a [BlobStore] on the local file system, the default for evidence bytes.
//
// Layout below the root directory: a content lives in a file named by the SHA-256 of its key,
// fanned out over two directory levels (ab/cd/abcd…), so neither keys nor anything a user
// sent ever becomes a path. A Put writes a temporary file in the root's ".tmp" directory,
// fsyncs it, renames it into place and fsyncs the directory: a reader sees the old or the new
// content, never a part, and a crash leaves at most a stray temporary file, which
// NewFileBlobStore removes once it is a day old.
type FileBlobStore struct {
	root string
	tmp  string
	opts FileBlobStoreOptions

	dirMu sync.Mutex // serialises directory creation and removal in the fan-out
}

// FileBlobStoreOptions tune a [FileBlobStore]; the zero value is the default.
type FileBlobStoreOptions struct {
	// NoSync skips fsync of files and directories. Faster, but a Put acknowledged before a
	// crash may be lost: only for tests.
	NoSync bool
	// BufferSize is the copy buffer of Put; 0 means 256 KiB.
	BufferSize int
}

const staleTempAge = 24 * time.Hour

// NewFileBlobStore opens (and creates, mode 0700) a store rooted at dir.
func NewFileBlobStore(dir string, opts *FileBlobStoreOptions) (*FileBlobStore, error) {
	if dir == "" {
		return nil, errors.New("evidence: file blob store: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("evidence: file blob store: %w", err)
	}
	s := &FileBlobStore{root: abs, tmp: filepath.Join(abs, ".tmp")}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.BufferSize <= 0 {
		s.opts.BufferSize = 256 << 10
	}
	if err := os.MkdirAll(s.tmp, 0o700); err != nil {
		return nil, fmt.Errorf("evidence: file blob store: %w", err)
	}
	s.removeStaleTemps()
	return s, nil
}

// Dir returns the store's root directory.
func (s *FileBlobStore) Dir() string { return s.root }

func (s *FileBlobStore) removeStaleTemps() {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && time.Since(info.ModTime()) > staleTempAge {
			_ = os.Remove(filepath.Join(s.tmp, e.Name()))
		}
	}
}

// path maps a checked key to its file: <root>/<h[0:2]>/<h[2:4]>/<h>, h = hex SHA-256 of key.
func (s *FileBlobStore) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:])
	return filepath.Join(s.root, h[0:2], h[2:4], h)
}

// Put implements [BlobStore].
func (s *FileBlobStore) Put(ctx context.Context, key string, r io.Reader) (n int64, err error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("evidence: put blob %q: %w", key, err)
	}
	f, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return 0, fmt.Errorf("evidence: put blob %q: %w", key, err)
	}
	tmpName := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmpName)
		}
	}()
	buf := make([]byte, s.opts.BufferSize)
	// onlyWriter hides (*os.File).ReadFrom so the copy uses our buffer and checks ctx per read.
	n, err = io.CopyBuffer(onlyWriter{f}, memblob.ContextReader(ctx, r), buf)
	if err != nil {
		return 0, fmt.Errorf("evidence: put blob %q: %w", key, err)
	}
	if err = ctx.Err(); err != nil {
		return 0, fmt.Errorf("evidence: put blob %q: %w", key, err)
	}
	if !s.opts.NoSync {
		if err = f.Sync(); err != nil {
			return 0, fmt.Errorf("evidence: put blob %q: sync: %w", key, err)
		}
	}
	if err = f.Close(); err != nil {
		return 0, fmt.Errorf("evidence: put blob %q: %w", key, err)
	}
	dst := s.path(key)
	dir := filepath.Dir(dst)
	s.dirMu.Lock()
	// Another process sharing the directory may remove an emptied fan-out directory between
	// MkdirAll and Rename; try again then.
	for range 3 {
		if err = os.MkdirAll(dir, 0o700); err == nil {
			if err = os.Rename(tmpName, dst); !errors.Is(err, fs.ErrNotExist) {
				break
			}
		}
	}
	s.dirMu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("evidence: put blob %q: %w", key, err)
	}
	if !s.opts.NoSync {
		if err := syncDir(dir); err != nil {
			// The content is in place; only its durability is in doubt. Report it.
			return 0, fmt.Errorf("evidence: put blob %q: sync directory: %w", key, err)
		}
	}
	return n, nil
}

type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open implements [BlobStore].
func (s *FileBlobStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(key))
	if err != nil {
		return nil, fmt.Errorf("evidence: open blob %q: %w", key, cleanPathError(err))
	}
	return f, nil
}

// Stat implements [BlobStore].
func (s *FileBlobStore) Stat(ctx context.Context, key string) (int64, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	info, err := os.Stat(s.path(key))
	if err != nil {
		return 0, fmt.Errorf("evidence: stat blob %q: %w", key, cleanPathError(err))
	}
	return info.Size(), nil
}

// Delete implements [BlobStore]. Emptied fan-out directories are removed.
func (s *FileBlobStore) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := s.path(key)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("evidence: delete blob %q: %w", key, cleanPathError(err))
	}
	s.dirMu.Lock()
	// Remove fails on a non-empty directory, which is what we want.
	if os.Remove(filepath.Dir(p)) == nil {
		_ = os.Remove(filepath.Dir(filepath.Dir(p)))
	}
	s.dirMu.Unlock()
	return nil
}

// cleanPathError drops the on-disk path from an error (it tells nothing useful to a caller
// and does not belong in logs), keeping the errno so errors.Is(err, fs.ErrNotExist) works.
func cleanPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
