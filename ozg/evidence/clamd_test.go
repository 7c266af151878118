package evidence_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
)

var textNotes = evidence.Requirement{
	ID: "notizen", Title: "Notizen", MaxCount: 5, MediaTypes: []string{"text/plain", "application/pdf"}, MaxSize: 1 << 20,
}

func newClamd(t *testing.T, network, addr string, opts *evidence.ClamdOptions) *evidence.Clamd {
	t.Helper()
	c, err := evidence.NewClamd(network, addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClamdAgainstTheLocalProtocolServer(t *testing.T) {
	ctx := context.Background()
	srv := evidencetest.NewClamdServer(t, 100_000)
	c := newClamd(t, "tcp", srv.Addr, &evidence.ClamdOptions{ChunkSize: 1000})

	t.Run("ping answers", func(t *testing.T) {
		if err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a clean file is clean", func(t *testing.T) {
		v, err := c.Scan(ctx, bytes.NewReader(pdfOfSize(50_000)))
		if err != nil || v.Infected {
			t.Fatalf("verdict %+v, %v", v, err)
		}
	})
	t.Run("EICAR is found across chunk boundaries", func(t *testing.T) {
		content := append(bytes.Repeat([]byte("a"), 990), evidencetest.EICAR()...)
		v, err := c.Scan(ctx, bytes.NewReader(content))
		if err != nil || !v.Infected || v.Signature != "Eicar-Test-Signature" {
			t.Fatalf("verdict %+v, %v", v, err)
		}
	})
	t.Run("a stream over clamd's limit fails as too long", func(t *testing.T) {
		_, err := c.Scan(ctx, io.LimitReader(zeros{}, 300_000))
		if !errors.Is(err, evidence.ErrStreamTooLong) || !errors.Is(err, evidence.ErrScanFailed) {
			t.Fatalf("err = %v, want ErrStreamTooLong", err)
		}
	})
	t.Run("a known limit fails before sending", func(t *testing.T) {
		before := srv.Scans()
		lc := newClamd(t, "tcp", srv.Addr, &evidence.ClamdOptions{StreamMaxLength: 10})
		if _, err := lc.Scan(ctx, strings.NewReader("more than ten bytes")); !errors.Is(err, evidence.ErrStreamTooLong) {
			t.Fatalf("err = %v", err)
		}
		if srv.Scans() != before {
			t.Fatal("the server scanned a stream the client knew was too long")
		}
	})
	t.Run("a canceled context fails the scan", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := c.Scan(cctx, strings.NewReader("x")); !errors.Is(err, evidence.ErrScanFailed) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestClamdUnreachableFailsTheScan(t *testing.T) {
	c := newClamd(t, "unix", t.TempDir()+"/no.sock", nil)
	if _, err := c.Scan(context.Background(), strings.NewReader("x")); !errors.Is(err, evidence.ErrScanFailed) {
		t.Fatalf("err = %v, want ErrScanFailed", err)
	}
}

func TestNewClamdRefusesUnknownNetworks(t *testing.T) {
	if _, err := evidence.NewClamd("udp", "127.0.0.1:3310", nil); err == nil {
		t.Fatal("udp accepted")
	}
}

func TestSyncUploadOfEICARIsRefusedAndDiscarded(t *testing.T) {
	srv := evidencetest.NewClamdServer(t, 0)
	h := newHarness(t, newClamd(t, "tcp", srv.Addr, nil), nil)
	_, err := h.m.Upload(context.Background(), evidence.Upload{ApplicationID: "app-1", Requirement: textNotes, FileName: "eicar.txt"}, bytes.NewReader(evidencetest.EICAR()))
	assertRefused(t, err, evidence.ErrInfected, "file")
	h.assertNothingStored(t, "app-1")
}

func TestQueuedScanningStoresTheStateAndDiscardsInfectedBytes(t *testing.T) {
	ctx := context.Background()
	srv := evidencetest.NewClamdServer(t, 0)
	h := newHarness(t, newClamd(t, "tcp", srv.Addr, nil), &evidence.Options{ScanMode: evidence.ScanQueued})
	up := func(name string, content []byte) evidence.Evidence {
		e, err := h.m.Upload(ctx, evidence.Upload{ApplicationID: "app-1", Requirement: textNotes, FileName: name}, bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		if e.ScanState != evidence.ScanPending {
			t.Fatalf("state %q, want pending", e.ScanState)
		}
		return e
	}
	clean := up("a.pdf", pdfOfSize(1000))
	bad := up("eicar.txt", evidencetest.EICAR())
	if _, _, err := h.m.Open(ctx, "app-1", clean.ID); !errors.Is(err, evidence.ErrNotClean) {
		t.Fatalf("Open of pending evidence err = %v, want ErrNotClean", err)
	}
	n, err := h.m.ScanPending(ctx, 10)
	if err != nil || n != 2 {
		t.Fatalf("ScanPending = %d, %v", n, err)
	}
	got, _ := h.m.Get(ctx, "app-1", clean.ID)
	if got.ScanState != evidence.ScanClean {
		t.Fatalf("clean file state %q", got.ScanState)
	}
	got, _ = h.m.Get(ctx, "app-1", bad.ID)
	if got.ScanState != evidence.ScanInfected || got.ScanDetail != "Eicar-Test-Signature" {
		t.Fatalf("infected file = %+v", got)
	}
	if _, err := h.blobs.Stat(ctx, bad.BlobKey); err == nil {
		t.Fatal("infected bytes kept")
	}
	if _, _, err := h.m.Open(ctx, "app-1", bad.ID); !errors.Is(err, evidence.ErrNotClean) {
		t.Fatalf("Open of infected evidence err = %v", err)
	}
}

func TestAScanFailureIsStoredAndARescanRecovers(t *testing.T) {
	ctx := context.Background()
	srv := evidencetest.NewClamdServer(t, 0)
	sock := t.TempDir() + "/down.sock"
	down := newHarness(t, newClamd(t, "unix", sock, nil), nil)
	e, err := down.m.Upload(ctx, evidence.Upload{ApplicationID: "app-1", Requirement: textNotes, FileName: "a.pdf"}, bytes.NewReader(pdfOfSize(900)))
	if err != nil {
		t.Fatal(err)
	}
	if e.ScanState != evidence.ScanFailed || e.ScanDetail == "" {
		t.Fatalf("state %q (%q), want failed", e.ScanState, e.ScanDetail)
	}
	// The same store and blobs, now with a reachable scanner.
	up, err := evidence.New(down.store, down.blobs, newClamd(t, "tcp", srv.Addr, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err = up.Rescan(ctx, "app-1", e.ID)
	if err != nil || e.ScanState != evidence.ScanClean {
		t.Fatalf("Rescan = %+v, %v", e, err)
	}
}

func TestQueuedScanningKeepsEvidencePendingWhileTheScannerIsDown(t *testing.T) {
	ctx := context.Background()
	down := newHarness(t, newClamd(t, "unix", t.TempDir()+"/down.sock", nil), &evidence.Options{ScanMode: evidence.ScanQueued})
	e, err := down.m.Upload(ctx, evidence.Upload{ApplicationID: "app-1", Requirement: textNotes, FileName: "a.pdf"}, bytes.NewReader(pdfOfSize(900)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := down.m.ScanPending(ctx, 10); !errors.Is(err, evidence.ErrScanFailed) {
		t.Fatalf("ScanPending with the scanner down: err = %v", err)
	}
	if got, _ := down.m.Get(ctx, "app-1", e.ID); got.ScanState != evidence.ScanPending {
		t.Fatalf("state %q, want still pending", got.ScanState)
	}
	srv := evidencetest.NewClamdServer(t, 0)
	up, err := evidence.New(down.store, down.blobs, newClamd(t, "tcp", srv.Addr, nil), &evidence.Options{ScanMode: evidence.ScanQueued})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := up.ScanPending(ctx, 10); err != nil || n != 1 {
		t.Fatalf("ScanPending = %d, %v", n, err)
	}
	if got, _ := up.Get(ctx, "app-1", e.ID); got.ScanState != evidence.ScanClean {
		t.Fatalf("state %q, want clean", got.ScanState)
	}
}
