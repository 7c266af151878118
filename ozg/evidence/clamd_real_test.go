package evidence_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"
)

// findClamd returns the clamd binary: $OZGKIT_TEST_CLAMD, clamd on PATH, or Debian's path.
func findClamd(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("OZGKIT_TEST_CLAMD"); p != "" {
		return p
	}
	if p, err := exec.LookPath("clamd"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/clamd"); err == nil {
		return "/usr/sbin/clamd"
	}
	t.Skip("clamd is not installed (Debian: apt-get install clamav-daemon; .ci/setup.d/clamav.sh does it); skipping the real ClamAV test")
	return ""
}

// startClamd runs a real clamd on a temporary unix socket with a temporary config and a
// signature database of only the EICAR test signature (no download, no freshclam).
// It listens on both a unix socket and a loopback TCP port and returns both addresses.
func startClamd(t *testing.T, streamMaxLength string) (sock, tcpAddr string) {
	bin := findClamd(t)
	dir, err := os.MkdirTemp("", "clamd") // short: unix socket paths are limited to ~108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	db := filepath.Join(dir, "db")
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(db, 0o700); err != nil {
		t.Fatal(err)
	}
	// Extended signature format (.ndb): Name:TargetType:Offset:HexSignature.
	sig := fmt.Sprintf("Eicar-Test-Signature:0:*:%s\n", hex.EncodeToString(evidencetest.EICAR()))
	if err := os.WriteFile(filepath.Join(db, "eicar.ndb"), []byte(sig), 0o600); err != nil {
		t.Fatal(err)
	}
	sock = filepath.Join(dir, "clamd.sock")
	ln, err := net.Listen("tcp", "127.0.0.1:0") // find a free port; clamd binds it next
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	tcpAddr = fmt.Sprintf("127.0.0.1:%d", port)
	conf := fmt.Sprintf(`LocalSocket %s
TCPSocket %d
TCPAddr 127.0.0.1
DatabaseDirectory %s
TemporaryDirectory %s
LogFile %s
Foreground yes
StreamMaxLength %s
MaxThreads 2
`, sock, port, db, filepath.Join(dir, "tmp"), filepath.Join(dir, "clamd.log"), streamMaxLength)
	confPath := filepath.Join(dir, "clamd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+confPath, "--foreground")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start clamd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	c := newClamd(t, "unix", sock, &evidence.ClamdOptions{Timeout: 5 * time.Second})
	for range 300 { // clamd with one signature starts in well under a second; allow 30s
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "clamd.log"))
			t.Fatalf("clamd exited: %v\n%s\n%s", err, out.String(), log)
		default:
		}
		if c.Ping(context.Background()) == nil {
			return sock, tcpAddr
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "clamd.log"))
	t.Fatalf("clamd did not answer PING\n%s\n%s", out.String(), log)
	return "", ""
}

func TestRealClamdRefusesEICARAndPassesACleanPDF(t *testing.T) {
	sock, tcpAddr := startClamd(t, "1M")
	ctx := context.Background()
	c := newClamd(t, "unix", sock, nil)
	if v, err := c.Version(ctx); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("clamd: %s", v)
	}

	h := newHarness(t, c, nil)
	clean, err := h.m.Upload(ctx, evidence.Upload{ApplicationID: "app-1", Requirement: textNotes, FileName: "Mietvertrag.pdf"}, bytes.NewReader(pdfOfSize(20_000)))
	if err != nil {
		t.Fatalf("clean PDF: %v", err)
	}
	if clean.ScanState != evidence.ScanClean {
		t.Fatalf("clean PDF state %q (%s)", clean.ScanState, clean.ScanDetail)
	}
	h = newHarness(t, c, nil)
	_, err = h.m.Upload(ctx, evidence.Upload{ApplicationID: "app-2", Requirement: textNotes, FileName: "eicar.txt"}, bytes.NewReader(evidencetest.EICAR()))
	assertRefused(t, err, evidence.ErrInfected, "file")
	h.assertNothingStored(t, "app-2")

	// The same over loopback TCP.
	tc := newClamd(t, "tcp", tcpAddr, nil)
	if v, err := tc.Scan(ctx, bytes.NewReader(append([]byte("prefix "), evidencetest.EICAR()...))); err != nil || !v.Infected {
		t.Fatalf("EICAR over TCP: %+v, %v", v, err)
	}
	if v, err := tc.Scan(ctx, bytes.NewReader(pdfOfSize(5000))); err != nil || v.Infected {
		t.Fatalf("clean PDF over TCP: %+v, %v", v, err)
	}

	// clamd's StreamMaxLength (1M here) is honoured: a longer stream is not called clean.
	_, err = c.Scan(ctx, io.LimitReader(zeros{}, 3<<20))
	if !errors.Is(err, evidence.ErrStreamTooLong) {
		t.Fatalf("3 MiB stream against StreamMaxLength 1M: err = %v, want ErrStreamTooLong", err)
	}
}
