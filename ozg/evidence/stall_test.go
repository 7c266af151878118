package evidence_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// rawUpload opens a connection to p and sends the headers of an upload of a 60 KB PDF; it
// returns the connection and the body the headers announce.
func rawUpload(t *testing.T, p *portal) (net.Conn, []byte) {
	t.Helper()
	ct, body := multipartBody(t, part{"requirement", "", "mietvertrag"}, part{"file", "a.pdf", string(pdfOfSize(60_000))})
	conn, err := net.Dial("tcp", p.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /api/applications/anna-draft/evidence HTTP/1.1\r\nHost: x\r\nX-Test-Citizen: anna\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ct, body.Len())
	return conn, body.Bytes()
}

// answer reads the server's response on conn, failing when none comes within a generous
// bound (the server is expected to answer long before; the bound only keeps a broken server
// from hanging the test).
func answer(t *testing.T, conn net.Conn) (*http.Response, string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to the stalled upload: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestHandlerCutsOffAnUploadThatStopsHalfway(t *testing.T) {
	p := newPortalWith(t, nil, &evidence.HandlerOptions{UploadIdleTimeout: 300 * time.Millisecond})
	conn, body := rawUpload(t, p)
	_, _ = conn.Write(body[:len(body)/2]) // and then nothing, with the connection open
	res, doc := answer(t, conn)
	if res.StatusCode != http.StatusRequestTimeout || !res.Close {
		t.Fatalf("status %d (closing: %v), want 408 and the connection closed: %s", res.StatusCode, res.Close, doc)
	}
	<-p.uploaded // the handler has returned
	p.assertNothingStored(t, "anna-draft")
}

func TestHandlerCutsOffAnUploadBelowTheMinimumRate(t *testing.T) {
	p := newPortalWith(t, nil, &evidence.HandlerOptions{UploadIdleTimeout: 300 * time.Millisecond, UploadMinRate: 64 << 10})
	conn, body := rawUpload(t, p)
	done := make(chan struct{})
	go func() { // a few bytes every 50 ms: never idle, far too slow
		defer close(done)
		for i := 0; i < len(body); i += 16 {
			if _, err := conn.Write(body[i:min(i+16, len(body))]); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	res, doc := answer(t, conn)
	if res.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408: %s", res.StatusCode, doc)
	}
	<-p.uploaded
	p.assertNothingStored(t, "anna-draft")
	conn.Close()
	<-done
}

func TestHandlerAnswersATruncatedUploadWithoutInternalDetails(t *testing.T) {
	p := newPortal(t)
	conn, body := rawUpload(t, p)
	_, _ = conn.Write(body[:len(body)/2])
	_ = conn.(*net.TCPConn).CloseWrite() // the body ends early; the answer can still come
	res, doc := answer(t, conn)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", res.StatusCode, doc)
	}
	for _, leak := range []string{"evidence/", "blob", "EOF", "evidence:", "127.0.0.1"} {
		if strings.Contains(doc, leak) {
			t.Errorf("the answer shows %q: %s", leak, doc)
		}
	}
	<-p.uploaded
	p.assertNothingStored(t, "anna-draft")
}

// brokenBlobs is a blob store whose disk fails on every write.
type brokenBlobs struct{ evidence.BlobStore }

func (brokenBlobs) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	_, _ = io.Copy(io.Discard, r)
	return 0, fmt.Errorf("put blob %q: write /srv/ozgkit/blobs/.tmp/put-1: %w", key, errors.New("no space left on device"))
}

func TestHandlerAnswersAStorageFailureWithoutInternalDetails(t *testing.T) {
	var logged lockedBuffer
	p := newPortalWith(t, func(b evidence.BlobStore) evidence.BlobStore { return brokenBlobs{b} },
		&evidence.HandlerOptions{RequestID: func(*http.Request) string { return "req-4711" }, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	res := p.upload(t, "anna", "anna-draft", part{"requirement", "", "mietvertrag"}, validPDF())
	<-p.uploaded
	if log := logged.String(); !strings.Contains(log, "no space left on device") || !strings.Contains(log, "request=req-4711") {
		t.Errorf("the log lacks the failure or the request id: %s", log)
	}
	b, _ := io.ReadAll(res.Body)
	doc := string(b)
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500: %s", res.StatusCode, doc)
	}
	for _, leak := range []string{"evidence/", "blob", "/srv", "space", "evidence:"} {
		if strings.Contains(doc, leak) {
			t.Errorf("the answer shows %q: %s", leak, doc)
		}
	}
	var d map[string]any
	if err := json.Unmarshal(b, &d); err != nil || d["requestId"] != "req-4711" {
		t.Errorf("the answer does not name the request id the log has: %s", doc)
	}
	p.assertNothingStored(t, "anna-draft")
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestHandlerLiftsTheUploadDeadlineForTheNextRequestOnTheConnection(t *testing.T) {
	p := newPortalWith(t, nil, &evidence.HandlerOptions{UploadIdleTimeout: 100 * time.Millisecond})
	conn, body := rawUpload(t, p)
	_, _ = conn.Write(body)
	br := bufio.NewReader(conn)
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload answered %d", res.StatusCode)
	}
	<-p.uploaded
	time.Sleep(300 * time.Millisecond) // longer than the upload's idle timeout
	fmt.Fprintf(conn, "GET /api/applications/anna-draft/evidence HTTP/1.1\r\nHost: x\r\nX-Test-Citizen: anna\r\n\r\n")
	if res, err = http.ReadResponse(br, nil); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("the next request on the kept-alive connection: %v %v", res, err)
	}
}

// BenchmarkHandlerUpload4MB uploads a 4 MB PDF over HTTP through the handler, whose body
// reads move the connection's read deadline as the bytes arrive.
func BenchmarkHandlerUpload4MB(b *testing.B) {
	p := newPortalWith(b, nil, nil)
	req := documents
	req.MaxSize = 8 << 20
	ct, body := multipartBody(b, part{"requirement", "", "mietvertrag"}, part{"file", "a.pdf", string(pdfOfSize(4 << 20))})
	p.mu.Lock()
	p.reqs = []evidence.Requirement{req}
	p.mu.Unlock()
	client := p.srv.Client()
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		r, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/api/applications/anna-draft/evidence", bytes.NewReader(body.Bytes()))
		r.Header.Set("Content-Type", ct)
		r.Header.Set("X-Test-Citizen", "anna")
		res, err := client.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		var e evidence.Evidence
		if res.StatusCode != http.StatusCreated || json.NewDecoder(res.Body).Decode(&e) != nil {
			b.Fatalf("status %d", res.StatusCode)
		}
		res.Body.Close()
		<-p.uploaded
		if err := p.m.Delete(context.Background(), "anna-draft", e.ID); err != nil {
			b.Fatal(err)
		}
	}
}
