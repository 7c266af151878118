package portal_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/ozgtest"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// readmeSample returns the first Go code block of the repository's README.
func readmeSample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no ```go block")
	}
	return m[1]
}

func TestREADMESampleFitsOneScreen(t *testing.T) {
	n := 0
	for _, line := range strings.Split(string(readmeSample(t)), "\n") {
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	if n > 40 {
		t.Fatalf("the README's first Go sample has %d non-blank lines; a whole service must fit in 40", n)
	}
}

// TestREADMESample compiles the README's first Go sample as its own module (this repository
// replacing the ozgkit dependency), runs it against a local identity provider, payment platform
// and back office, and walks the citizen's journey through it over HTTP: the README cannot drift
// from what works.
func TestREADMESample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program; skipped in -short mode")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("main.go", readmeSample(t))
	write("go.mod", fmt.Appendf(nil, "module readme\n\ngo 1.26.0\n\nrequire github.com/ozgkit/ozgkit v0.0.0\n\nreplace github.com/ozgkit/ozgkit => %s\n", root))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.sum", sum)
	bin := filepath.Join(dir, "portal")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the README sample does not build: %v\n%s", err, out)
	}

	// The portal's address, then the outside services that need it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	idpMux := http.NewServeMux()
	idpSrv := httptest.NewServer(idpMux)
	t.Cleanup(idpSrv.Close)
	idp, err := identitytest.New(idpSrv.URL, &identitytest.Options{Clients: []identitytest.Client{{
		ID: "portal", Secret: "readme-secret", RedirectURIs: []string{base + "/auth/callback"}, PostLogoutRedirectURIs: []string{base + "/"}}}})
	if err != nil {
		t.Fatal(err)
	}
	idpMux.Handle("/", idp)
	payMux := http.NewServeMux()
	paySrv := httptest.NewServer(payMux)
	t.Cleanup(paySrv.Close)
	payMux.Handle("/", paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: paySrv.URL + "/", Logger: quiet}))
	var mu sync.Mutex
	var received []*ozg.Submission
	backOffice := httptest.NewServer(delivery.NewReceiver([]byte("webhook-secret-of-at-least-32-bytes!"), func(ctx context.Context, s *ozg.Submission, files *delivery.ReceivedFiles) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		received = append(received, s)
		return "fv-" + s.Reference, nil
	}, nil))
	t.Cleanup(backOffice.Close)

	var logs bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Env = append(os.Environ(), "PORTAL_URL="+base, "PORTAL_ADDR="+addr, "OIDC_ISSUER="+idpSrv.URL, "OIDC_SECRET=readme-secret",
		"EPAYBL_URL="+paySrv.URL+"/", "FACHVERFAHREN_URL="+backOffice.URL, "FACHVERFAHREN_SECRET=webhook-secret-of-at-least-32-bytes!")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("the sample did not stop within 30 s of SIGTERM")
		}
	})
	if err := waitReady(base, exited, &exitErr); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}

	login := &ozgtest.BrowserLogin{LoginURL: base + "/auth/login?level={level}&return=/api/session", Origin: base}
	rep := ozgtest.Check(t.Context(), ozgtest.Target{
		BaseURL: base + "/api", ServiceID: "bewohnerparkausweis",
		Login: login.As("erika"), Other: login.As("max"),
		Data: []byte(`{"kennzeichen": "KI-EM 1964"}`),
		Pay: func(ctx context.Context, c *http.Client, redirectURL string) (string, error) {
			return (&paymenttest.Citizen{Client: c}).Choose(ctx, redirectURL, paymenttest.ActionPay, payment.MethodCreditCard)
		},
	})
	if err := rep.Err(); err != nil {
		var b strings.Builder
		rep.WriteText(&b)
		t.Fatalf("%v\n%s\n%s", err, b.String(), logs.String())
	}

	// The outbox delivers to the back office and puts the receipt in the Postfach.
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(received)
		mu.Unlock()
		if n == 1 {
			break
		}
		if n > 1 || time.Now().After(deadline) {
			t.Fatalf("the back office received %d submissions, want 1\n%s", n, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if s := received[0]; len(s.Attachments) != 1 || s.Payment == nil || s.Payment.GrossAmount != 3060 {
		t.Fatalf("submission %+v lacks its evidence or payment", s)
	}
	erika, err := login.Login(t.Context(), "erika", identity.LevelBasic)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitBody(erika, base+"/api/mailbox", "Eingangsbestätigung: Bewohnerparkausweis beantragen"); err != nil {
		t.Fatal(err)
	}
	// The public service page and the citizen's HTML pages.
	for _, path := range []string{"/leistungen/bewohnerparkausweis", "/antraege", "/postfach"} {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := erika.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: %s %s", path, resp.Status, resp.Header.Get("Content-Type"))
		}
	}
}

// waitReady polls base/readyz until the program answers or exits.
func waitReady(base string, exited <-chan struct{}, exitErr *error) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("the sample exited: %v", *exitErr)
		default:
		}
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the sample was not ready within 60 s")
}

// waitBody polls url with c until its answer contains want.
func waitBody(c *http.Client, url, want string) error {
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := c.Get(url)
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if last = string(b); strings.Contains(last, want) {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s never contained %q; last answer: %s", url, want, last)
}
