package delivery

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/ozg"
)

// ErrAttachmentMismatch: an attachment's content does not match the size or SHA-512 the
// signed metadata announced, or the attachments came in another number or order.
var ErrAttachmentMismatch = errors.New("delivery: attachment does not match the signed metadata")

// Receiver is the back office's side of a Webhook: an http.Handler that checks the signature
// and hands the submission and its attachments, each checked against its signed hash while it
// streams, to Handle.
//
// Senders deliver at least once: a sender that dies after the back office took a submission
// and before it recorded the answer delivers it again. The Receiver runs the handler once per
// submission id, which the signature covers (the Idempotency-Key header, unsigned, must
// match it), through a [Deduplicator]: a repeated delivery is answered with the receipt of
// the first (200, header Idempotent-Replayed: true) without reading its attachments, and a
// delivery whose twin is being taken right now with 409 Conflict, which the sender retries.
type Receiver struct {
	secret    []byte
	handle    func(ctx context.Context, s *ozg.Submission, files *ReceivedFiles) (string, error)
	tolerance time.Duration
	maxMeta   int64
	now       func() time.Time
	dedup     Deduplicator
	lease     time.Duration
	log       *slog.Logger
}

// ReceiverOptions configures a Receiver. The zero value gives the defaults.
type ReceiverOptions struct {
	// Tolerance is how old a signature may be; default DefaultTolerance (5 minutes).
	Tolerance time.Duration
	// MaxMetadata bounds the submission JSON; default 2 MiB.
	MaxMetadata int64
	// Clock; nil means time.Now.
	Clock func() time.Time
	// Deduplicator records which submissions the handler took; nil means a
	// MemoryDeduplicator, which forgets on restart and knows nothing of other replicas. A
	// back office on several replicas or that must survive restarts passes a durable one
	// (sqlstore.DB.Deduplicator).
	Deduplicator Deduplicator
	// DedupLease is how long a delivery holds its submission id while the handler runs;
	// default 15 minutes, longer than a sender waits for an answer (the Webhook's client
	// gives up after 5). A handler that runs longer may run twice.
	DedupLease time.Duration
	// Logger receives a line when recording a delivery fails; nil means slog.Default().
	Logger *slog.Logger
}

// NewReceiver returns a receiver checking signatures with secret. handle must read every
// attachment through files (or return an error) and returns the receipt id; an error answers
// 500 (the sender retries) unless it wraps ErrAttachmentMismatch (400).
func NewReceiver(secret []byte, handle func(ctx context.Context, s *ozg.Submission, files *ReceivedFiles) (string, error), opts *ReceiverOptions) *Receiver {
	r := &Receiver{secret: append([]byte(nil), secret...), handle: handle, tolerance: DefaultTolerance, maxMeta: 2 << 20, now: time.Now,
		lease: 15 * time.Minute, log: slog.Default()}
	if opts != nil {
		r.dedup = opts.Deduplicator
		if opts.DedupLease > 0 {
			r.lease = opts.DedupLease
		}
		if opts.Logger != nil {
			r.log = opts.Logger
		}
		if opts.Tolerance > 0 {
			r.tolerance = opts.Tolerance
		}
		if opts.MaxMetadata > 0 {
			r.maxMeta = opts.MaxMetadata
		}
		if opts.Clock != nil {
			r.now = opts.Clock
		}
	}
	if r.dedup == nil {
		r.dedup = NewMemoryDeduplicator(nil)
	}
	return r
}

// ServeHTTP implements http.Handler.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		problem.Error(w, http.StatusMethodNotAllowed, "only POST")
		return
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		problem.Error(w, http.StatusUnsupportedMediaType, "the body must be multipart/form-data")
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "submission" {
		problem.Error(w, http.StatusBadRequest, `the first part must be named "submission"`)
		return
	}
	meta, err := io.ReadAll(io.LimitReader(part, rc.maxMeta+1))
	if err != nil || int64(len(meta)) > rc.maxMeta {
		problem.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the submission part exceeds %d bytes", rc.maxMeta))
		return
	}
	if err := Verify(rc.secret, meta, r.Header.Get(SignatureHeader), rc.now(), rc.tolerance); err != nil {
		problem.Error(w, http.StatusUnauthorized, err.Error())
		return
	}
	var sub ozg.Submission
	if err := json.NewDecoder(bytes.NewReader(meta)).Decode(&sub); err != nil {
		problem.Error(w, http.StatusBadRequest, "the submission part is not a submission: "+err.Error())
		return
	}
	if key := r.Header.Get("Idempotency-Key"); key != "" && key != sub.ID {
		problem.Error(w, http.StatusBadRequest, "the Idempotency-Key header differs from the signed submission id")
		return
	}
	if err := CheckDedupKey(sub.ID); err != nil {
		problem.Error(w, http.StatusBadRequest, "the submission id: "+err.Error())
		return
	}
	claim, err := rc.dedup.Claim(r.Context(), sub.ID, rc.lease)
	switch {
	case errors.Is(err, ErrInProgress):
		w.Header().Set("Retry-After", "30")
		problem.Error(w, http.StatusConflict, "this submission is being taken right now; retry later")
		return
	case err != nil:
		rc.log.ErrorContext(r.Context(), "delivery: recording the submission failed", "submission", sub.ID, "error", err)
		problem.Error(w, http.StatusInternalServerError, "the back office could not take the submission")
		return
	case claim.Done:
		w.Header().Set("Idempotent-Replayed", "true")
		writeReceipt(w, claim.Receipt)
		return
	}
	// The answer is recorded even when the sender has gone away meanwhile: that is when it
	// delivers again.
	record := context.WithoutCancel(r.Context())
	files := &ReceivedFiles{mr: mr, want: sub.Attachments}
	id, err := rc.handle(r.Context(), &sub, files)
	if err == nil {
		err = files.finish()
	}
	if err != nil {
		if aerr := rc.dedup.Abandon(record, sub.ID, claim.Token); aerr != nil {
			rc.log.WarnContext(r.Context(), "delivery: giving up the claim failed; it runs out with its lease", "submission", sub.ID, "error", aerr)
		}
	}
	switch {
	case errors.Is(err, ErrAttachmentMismatch):
		problem.Error(w, http.StatusBadRequest, err.Error())
	case err != nil:
		problem.Error(w, http.StatusInternalServerError, "the back office could not take the submission")
	default:
		if cerr := rc.dedup.Complete(record, sub.ID, claim.Token, id); cerr != nil {
			// The back office has the submission: answer it. Only a repeated delivery after
			// the lease would run the handler again.
			rc.log.ErrorContext(r.Context(), "delivery: recording the answer failed", "submission", sub.ID, "error", cerr)
		}
		writeReceipt(w, id)
	}
}

func writeReceipt(w http.ResponseWriter, id string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"id": id})
}

// ReceivedFiles yields a received submission's attachments in the order the metadata lists
// them.
type ReceivedFiles struct {
	mr   *multipart.Reader
	want []ozg.Attachment
	next int
	cur  *checkedReader
}

// Next returns the next attachment and a reader of its content. The reader fails with
// ErrAttachmentMismatch instead of io.EOF when the content's size or SHA-512 differs from the
// metadata. Next returns io.EOF after the last attachment.
func (f *ReceivedFiles) Next() (ozg.Attachment, io.Reader, error) {
	if f.cur != nil && !f.cur.done {
		if _, err := io.Copy(io.Discard, f.cur); err != nil {
			return ozg.Attachment{}, nil, err
		}
	}
	if f.next == len(f.want) {
		return ozg.Attachment{}, nil, io.EOF
	}
	a := f.want[f.next]
	part, err := f.mr.NextPart()
	if err != nil {
		return a, nil, fmt.Errorf("%w: attachment %s is missing", ErrAttachmentMismatch, a.ID)
	}
	if part.FormName() != "attachment" || part.FileName() != a.ID {
		return a, nil, fmt.Errorf("%w: expected attachment %s, got part %q", ErrAttachmentMismatch, a.ID, part.FileName())
	}
	f.next++
	f.cur = &checkedReader{r: part, want: a, h: sha512.New()}
	return a, f.cur, nil
}

// finish checks that every attachment was read whole and nothing follows.
func (f *ReceivedFiles) finish() error {
	for {
		_, _, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if f.cur != nil && !f.cur.done {
		if _, err := io.Copy(io.Discard, f.cur); err != nil {
			return err
		}
	}
	if _, err := f.mr.NextPart(); err != io.EOF {
		return fmt.Errorf("%w: more parts than announced attachments", ErrAttachmentMismatch)
	}
	return nil
}

type checkedReader struct {
	r    io.Reader
	want ozg.Attachment
	h    hash.Hash
	n    int64
	done bool
}

func (c *checkedReader) Read(p []byte) (int, error) {
	if c.done {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.h.Write(p[:n])
	if c.n > c.want.Size {
		return n, fmt.Errorf("%w: attachment %s is larger than %d bytes", ErrAttachmentMismatch, c.want.ID, c.want.Size)
	}
	if err == io.EOF {
		c.done = true
		if c.n != c.want.Size || hex.EncodeToString(c.h.Sum(nil)) != c.want.SHA512 {
			return n, fmt.Errorf("%w: attachment %s: size or SHA-512 differs", ErrAttachmentMismatch, c.want.ID)
		}
	}
	return n, err
}
