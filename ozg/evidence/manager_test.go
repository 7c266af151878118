package evidence_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
)

func TestDeleteApplicationRemovesItsEvidenceAndBytesOnly(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, nil, nil)
	for _, app := range []string{"app-1", "app-1", "app-2"} {
		if _, err := h.upload(app, "a.pdf", bytes.NewReader(pdfOfSize(600))); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.m.DeleteApplication(ctx, "app-1"); err != nil {
		t.Fatal(err)
	}
	if list, _ := h.m.List(ctx, "app-1"); len(list) != 0 {
		t.Fatalf("app-1 still has %d evidence", len(list))
	}
	if list, _ := h.m.List(ctx, "app-2"); len(list) != 1 {
		t.Fatal("app-2 lost its evidence")
	}
	if files := filesUnder(t, h.dir); len(files) != 1 {
		t.Fatalf("%d blobs left, want app-2's one", len(files))
	}
}

func TestCleanupDraftsRemovesOnlyOldDraftEvidence(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := now.Add(-40 * 24 * time.Hour)
	h := newHarness(t, nil, &evidence.Options{DraftRetention: 30 * 24 * time.Hour, Now: func() time.Time { return clock }})
	// Old: a draft and a submitted application. New: a draft.
	for _, app := range []string{"old-draft", "old-submitted"} {
		if _, err := h.upload(app, "a.pdf", bytes.NewReader(pdfOfSize(600))); err != nil {
			t.Fatal(err)
		}
	}
	clock = now.Add(-time.Hour)
	if _, err := h.upload("new-draft", "a.pdf", bytes.NewReader(pdfOfSize(600))); err != nil {
		t.Fatal(err)
	}
	clock = now
	var asked []string
	n, err := h.m.CleanupDrafts(ctx, func(ctx context.Context, id string) (bool, error) {
		asked = append(asked, id)
		return id != "old-submitted", nil
	})
	if err != nil || n != 1 {
		t.Fatalf("CleanupDrafts = %d, %v; want 1", n, err)
	}
	if len(asked) != 2 {
		t.Fatalf("asked about %v; new evidence must not be considered", asked)
	}
	for app, want := range map[string]int{"old-draft": 0, "old-submitted": 1, "new-draft": 1} {
		if list, _ := h.m.List(ctx, app); len(list) != want {
			t.Errorf("%s has %d evidence, want %d", app, len(list), want)
		}
	}
	if files := filesUnder(t, h.dir); len(files) != 2 {
		t.Fatalf("%d blobs, want 2", len(files))
	}
}

func TestCleanupDraftsStopsOnALookupError(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := newHarness(t, nil, &evidence.Options{Now: func() time.Time { return clock }})
	if _, err := h.upload("app-1", "a.pdf", bytes.NewReader(pdfOfSize(600))); err != nil {
		t.Fatal(err)
	}
	clock = clock.AddDate(1, 0, 0)
	boom := errors.New("database down")
	if _, err := h.m.CleanupDrafts(context.Background(), func(context.Context, string) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if list, _ := h.m.List(context.Background(), "app-1"); len(list) != 1 {
		t.Fatal("evidence deleted although the lookup failed")
	}
}

func TestRunScannerScansQueuedUploads(t *testing.T) {
	srv := evidencetest.NewClamdServer(t, 0)
	h := newHarness(t, newClamd(t, "tcp", srv.Addr, nil), &evidence.Options{ScanMode: evidence.ScanQueued})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.m.RunScanner(ctx) }()
	e, err := h.upload("app-1", "a.pdf", bytes.NewReader(pdfOfSize(700)))
	if err != nil {
		t.Fatal(err)
	}
	state := evidence.ScanPending
	for range 500 { // woken by the upload; give it up to 5s on a busy machine
		got, _ := h.m.Get(context.Background(), "app-1", e.ID)
		if state = got.ScanState; state != evidence.ScanPending {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("RunScanner returned %v", err)
	}
	if state != evidence.ScanClean {
		t.Fatalf("state %q, want clean", state)
	}
}

func TestGetOfAnotherApplicationsEvidenceIsNotFound(t *testing.T) {
	h := newHarness(t, nil, nil)
	e, err := h.upload("app-1", "a.pdf", bytes.NewReader(pdfOfSize(600)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Get(context.Background(), "app-2", e.ID); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	if err := h.m.Delete(context.Background(), "app-2", e.ID); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Delete err = %v", err)
	}
}

func TestConcurrentUploadsNeverExceedTheLimits(t *testing.T) {
	h := newHarness(t, nil, nil)
	results := make(chan error, 8)
	for i := range 8 {
		go func() {
			_, err := h.upload("app-1", "a.pdf", bytes.NewReader(pdfOfSize(3000+i)))
			results <- err
		}()
	}
	ok := 0
	for range 8 {
		err := <-results
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, evidence.ErrTooManyFiles):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != documents.MaxCount {
		t.Fatalf("%d uploads succeeded, want %d", ok, documents.MaxCount)
	}
	if files := filesUnder(t, h.dir); len(files) != documents.MaxCount {
		t.Fatalf("%d blobs, want %d: refused uploads left bytes", len(files), documents.MaxCount)
	}
}

func TestTheNoOpScannerIsLoggedAtStartup(t *testing.T) {
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(&log, nil))
	_, err := evidence.New(evidence.NewMemoryStore(), evidence.NewMemoryBlobStore(), evidence.NewNoScanner(logger), &evidence.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(log.String(), "level=WARN"); got != 2 || !strings.Contains(log.String(), "WITHOUT virus scanning") {
		t.Fatalf("log = %s", log.String())
	}
}
