package evidence_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
)

func TestMemoryBlobStoreConformance(t *testing.T) {
	evidencetest.RunBlobStoreConformance(t, func(t *testing.T) evidence.BlobStore {
		return evidence.NewMemoryBlobStore()
	})
}

func TestFileBlobStoreConformance(t *testing.T) {
	evidencetest.RunBlobStoreConformance(t, func(t *testing.T) evidence.BlobStore {
		s, err := evidence.NewFileBlobStore(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// filesUnder lists the regular files below dir (relative paths).
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFileBlobStoreNeverUsesTheKeyAsPath(t *testing.T) {
	dir := t.TempDir()
	s, err := evidence.NewFileBlobStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(context.Background(), "applications/passwd", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	files := filesUnder(t, dir)
	if len(files) != 1 {
		t.Fatalf("files = %v, want one", files)
	}
	parts := strings.Split(files[0], string(filepath.Separator))
	if len(parts) != 3 || len(parts[0]) != 2 || len(parts[1]) != 2 || len(parts[2]) != 64 ||
		!strings.HasPrefix(parts[2], parts[0]+parts[1]) {
		t.Fatalf("file %q is not in the two-level hash fan-out", files[0])
	}
	if strings.Contains(files[0], "passwd") {
		t.Fatalf("file %q contains the key", files[0])
	}
	if err := s.Delete(context.Background(), "applications/passwd"); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != ".tmp" {
		t.Fatalf("after delete the root holds %v, want only .tmp", entries)
	}
}

func TestFileBlobStoreFailedPutLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	s, err := evidence.NewFileBlobStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := io.MultiReader(strings.NewReader("part"), errReader{})
	if _, err := s.Put(context.Background(), "k", r); err == nil {
		t.Fatal("Put succeeded")
	}
	if files := filesUnder(t, dir); len(files) != 0 {
		t.Fatalf("left behind: %v", files)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }
