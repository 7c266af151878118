package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// Webhook delivers submissions to an HTTP endpoint of the back office as a signed multipart
// POST: the submission JSON first, then every attachment, streamed from the blob store.
type Webhook struct {
	url    string
	secret []byte
	client *http.Client
	now    func() time.Time
}

// WebhookOptions configures a Webhook. The zero value is ready to use.
type WebhookOptions struct {
	// Client sends the requests; nil means a client with a 5-minute timeout. Configure mutual
	// TLS here when the back office asks for it.
	Client *http.Client
	// Clock gives the signing time; nil means time.Now.
	Clock func() time.Time
}

// NewWebhook returns a delivery to endpoint (an absolute http(s) URL) signed with secret, which
// must be at least 32 bytes. opts may be nil.
func NewWebhook(endpoint string, secret []byte, opts *WebhookOptions) (*Webhook, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("delivery: webhook URL %q must be an absolute http(s) URL", endpoint)
	}
	if len(secret) < 32 {
		return nil, fmt.Errorf("delivery: webhook secret of %d bytes; at least 32 are needed", len(secret))
	}
	w := &Webhook{url: endpoint, secret: append([]byte(nil), secret...), client: &http.Client{Timeout: 5 * time.Minute}, now: time.Now}
	if opts != nil && opts.Client != nil {
		w.client = opts.Client
	}
	if opts != nil && opts.Clock != nil {
		w.now = opts.Clock
	}
	return w, nil
}

// Deliver implements ozg.Delivery. A 2xx answer is success and may carry {"id": "..."} as
// the receipt id; 4xx answers other than 408, 409 and 429 are permanent failures; everything
// else (5xx, 408, 429, network errors) may pass and is returned for a retry. 409 Conflict is
// what a receiver answers while an earlier delivery of the same submission (same
// Idempotency-Key) is still being taken; it is retried too.
func (w *Webhook) Deliver(ctx context.Context, s *ozg.Submission, files ozg.Files) (ozg.Receipt, error) {
	meta, err := json.Marshal(s)
	if err != nil {
		return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("encode submission: %w", err))
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() { pw.CloseWithError(writeParts(ctx, mw, meta, s, files)) }()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, pr)
	if err != nil {
		pr.Close()
		return ozg.Receipt{}, ozg.Permanent(err)
	}
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+mw.Boundary())
	req.Header.Set(SignatureHeader, Sign(w.secret, meta, w.now()))
	req.Header.Set("Idempotency-Key", s.ID)
	resp, err := w.client.Do(req)
	pr.Close()
	if err != nil {
		return ozg.Receipt{}, fmt.Errorf("delivery: webhook %s: %w", s.ID, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		var ack struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(body, &ack) // a body is optional
		return ozg.Receipt{ID: ack.ID, DeliveredAt: w.now().UTC()}, nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != 408 && resp.StatusCode != 409 && resp.StatusCode != 429:
		return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("webhook refused submission %s: %s: %.200s", s.ID, resp.Status, body))
	default:
		return ozg.Receipt{}, fmt.Errorf("delivery: webhook %s: %s", s.ID, resp.Status)
	}
}

// writeParts writes the metadata part and one part per attachment.
func writeParts(ctx context.Context, mw *multipart.Writer, meta []byte, s *ozg.Submission, files ozg.Files) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="submission"`)
	h.Set("Content-Type", "application/json")
	p, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := p.Write(meta); err != nil {
		return err
	}
	for _, a := range s.Attachments {
		if files == nil {
			return errors.New("delivery: submission has attachments but no file store was given")
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachment"; filename=%q`, a.ID))
		h.Set("Content-Type", a.MediaType)
		p, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		rc, err := files.Open(ctx, a.BlobKey)
		if err != nil {
			return fmt.Errorf("delivery: open attachment %s: %w", a.ID, err)
		}
		_, err = io.Copy(p, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("delivery: send attachment %s: %w", a.ID, err)
		}
	}
	return mw.Close()
}
