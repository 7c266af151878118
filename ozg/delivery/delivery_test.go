package delivery_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// memFiles is an ozg.Files over a map.
type memFiles map[string][]byte

func (m memFiles) Open(_ context.Context, key string) (io.ReadCloser, error) {
	b, ok := m[key]
	if !ok {
		return nil, fmt.Errorf("%s: %w", key, fs.ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func attachment(id, key string, content []byte) ozg.Attachment {
	sum := sha512.Sum512(content)
	return ozg.Attachment{ID: id, RequirementID: "mietvertrag", FileName: id + ".pdf", MediaType: "application/pdf",
		Size: int64(len(content)), SHA512: hex.EncodeToString(sum[:]), BlobKey: key}
}

func submission(atts ...ozg.Attachment) *ozg.Submission {
	return &ozg.Submission{
		ID: "0193c7d0-aaaa-7000-8000-000000000001", ApplicationID: "app-1", ServiceID: "wohngeld",
		LeikaKey: "99107004017000", Reference: "WOHNGELD-2026-000001", Delivery: "fachverfahren",
		Owner: "alice", IdempotencyKey: "k", Identity: ozg.IdentityFacts{Subject: "alice", Level: identity.LevelHigh},
		Data: []byte(`{"name":"Erika"}`), Attachments: atts, SubmittedAt: time.Now().UTC(),
	}
}

// backOffice records what its Receiver took.
type backOffice struct {
	mu    sync.Mutex
	got   []*ozg.Submission
	files map[string][]byte
}

func (b *backOffice) handle(_ context.Context, s *ozg.Submission, files *delivery.ReceivedFiles) (string, error) {
	received := map[string][]byte{}
	for {
		a, r, err := files.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		content, err := io.ReadAll(r)
		if err != nil {
			return "", err
		}
		received[a.ID] = content
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, s)
	b.files = received
	return "fv-" + s.Reference, nil
}

func TestWebhookDeliversToReceiver(t *testing.T) {
	pdf := bytes.Repeat([]byte("%PDF-1.7 "), 50_000)
	photo := []byte("\xff\xd8\xff\xe0 a tiny jpeg")
	files := memFiles{"ev/1": pdf, "ev/2": photo}
	bo := &backOffice{}
	srv := httptest.NewServer(delivery.NewReceiver(secret, bo.handle, nil))
	defer srv.Close()
	w, err := delivery.NewWebhook(srv.URL, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := submission(attachment("a1", "ev/1", pdf), attachment("a2", "ev/2", photo))
	r, err := w.Deliver(context.Background(), s, files)
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if r.ID != "fv-WOHNGELD-2026-000001" || r.DeliveredAt.IsZero() {
		t.Fatalf("receipt = %+v", r)
	}
	if len(bo.got) != 1 || bo.got[0].Reference != s.Reference || string(bo.got[0].Data) != `{"name":"Erika"}` {
		t.Fatalf("back office got %+v", bo.got)
	}
	if !bytes.Equal(bo.files["a1"], pdf) || !bytes.Equal(bo.files["a2"], photo) {
		t.Fatal("attachment content differs")
	}
}

func TestWebhookFailuresAreClassified(t *testing.T) {
	pdf := []byte("%PDF-1.7 original")
	tests := []struct {
		name      string
		files     memFiles
		handler   http.Handler
		permanent bool
	}{
		{"content that differs from its signed hash is refused for good",
			memFiles{"ev/1": []byte("%PDF-1.7 tampered")}, delivery.NewReceiver(secret, (&backOffice{}).handle, nil), true},
		{"a wrong secret is refused for good",
			memFiles{"ev/1": pdf}, delivery.NewReceiver([]byte("another-secret-of-32-bytes-------"), (&backOffice{}).handle, nil), true},
		{"a back office that is down is retried",
			memFiles{"ev/1": pdf}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }), false},
		{"a rate limit is retried",
			memFiles{"ev/1": pdf}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "slow down", http.StatusTooManyRequests) }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			w, _ := delivery.NewWebhook(srv.URL, secret, nil)
			_, err := w.Deliver(context.Background(), submission(attachment("a1", "ev/1", pdf)), tt.files)
			if err == nil {
				t.Fatal("Deliver succeeded")
			}
			if errors.Is(err, ozg.ErrPermanent) != tt.permanent {
				t.Fatalf("Deliver = %v; permanent = %v, want %v", err, errors.Is(err, ozg.ErrPermanent), tt.permanent)
			}
		})
	}
	t.Run("an unreachable back office is retried", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		w, _ := delivery.NewWebhook(url, secret, nil)
		if _, err := w.Deliver(context.Background(), submission(), nil); err == nil || errors.Is(err, ozg.ErrPermanent) {
			t.Fatalf("Deliver = %v, want a retryable error", err)
		}
	})
}

func TestVerify(t *testing.T) {
	meta := []byte(`{"id":"x"}`)
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	good := delivery.Sign(secret, meta, now)
	tests := []struct {
		name   string
		header string
		meta   []byte
		at     time.Time
		want   error
	}{
		{"a fresh signature passes", good, meta, now.Add(time.Minute), nil},
		{"changed metadata fails", good, []byte(`{"id":"y"}`), now, delivery.ErrBadSignature},
		{"a signature six minutes old fails", good, meta, now.Add(6 * time.Minute), delivery.ErrExpiredSignature},
		{"a signature from the future fails", good, meta, now.Add(-6 * time.Minute), delivery.ErrExpiredSignature},
		{"a missing header fails", "", meta, now, delivery.ErrNoSignature},
		{"a header without v1 fails", "t=1", meta, now, delivery.ErrNoSignature},
		{"a non-hex signature fails", strings.Replace(good, "v1=", "v1=zz", 1), meta, now, delivery.ErrNoSignature},
		{"an oversized header fails", strings.Repeat("t=1,", 200), meta, now, delivery.ErrNoSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := delivery.Verify(secret, tt.meta, tt.header, tt.at, delivery.DefaultTolerance)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewWebhookRefusesBadConfiguration(t *testing.T) {
	if _, err := delivery.NewWebhook("ftp://x", secret, nil); err == nil {
		t.Error("an ftp URL was accepted")
	}
	if _, err := delivery.NewWebhook("https://fv.example/in", []byte("short"), nil); err == nil {
		t.Error("a short secret was accepted")
	}
}

func FuzzVerify(f *testing.F) {
	now := time.Unix(1764324000, 0)
	f.Add(delivery.Sign(secret, []byte(`{"id":"x"}`), now), []byte(`{"id":"x"}`))
	f.Add("t=1764324000,v1=abcd", []byte(`{}`))
	f.Add("t=+1764324000,v1=00,v1=11", []byte{})
	f.Add("", []byte{})
	f.Fuzz(func(t *testing.T, header string, meta []byte) {
		if delivery.Verify(secret, meta, header, now, delivery.DefaultTolerance) != nil {
			return
		}
		// Accepted: then some t and v1 of the header must be the HMAC-SHA512 of t + "." + meta
		// under the secret; nothing else may pass.
		var ts, sig string
		for _, part := range strings.Split(header, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "t":
				ts = v
			case "v1":
				sig = v
			}
		}
		m := hmac.New(sha512.New, secret)
		m.Write([]byte(ts + "."))
		m.Write(meta)
		if got, err := hex.DecodeString(sig); err != nil || !hmac.Equal(got, m.Sum(nil)) {
			t.Fatalf("accepted header %q that is not the HMAC of its timestamp and the metadata", header)
		}
	})
}
