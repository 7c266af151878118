package fitconnect

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/ozgkit/ozgkit/ozg"
)

// upload reads one attachment from files (at most s.max bytes), checks it still has the
// SHA-512 recorded at upload time, encrypts it and PUTs it to the announced submission.
func (s *Sender) upload(ctx context.Context, files ozg.Files, key *EncryptionKey, submissionID, attachmentID string, a ozg.Attachment) error {
	if files == nil {
		return fmt.Errorf("%w: attachment %s: no files to read it from", ErrMetadata, a.ID)
	}
	rc, err := files.Open(ctx, a.BlobKey)
	if err != nil {
		return fmt.Errorf("fitconnect: attachment %s: open: %w", a.ID, err)
	}
	defer rc.Close()
	h := sha512.New()
	var buf bytes.Buffer
	if a.Size > 0 {
		buf.Grow(int(a.Size))
	}
	n, err := io.Copy(io.MultiWriter(&buf, h), io.LimitReader(rc, s.max+1))
	if err != nil {
		return fmt.Errorf("fitconnect: attachment %s: read: %w", a.ID, err)
	}
	if n > s.max {
		return fmt.Errorf("%w: attachment %s has more than %d bytes", ErrTooLarge, a.ID, s.max)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(a.SHA512) {
		return fmt.Errorf("%w: attachment %s in the blob store is not the one recorded (sha512 %s…)", ErrHashMismatch, a.ID, got[:16])
	}
	enc, err := EncryptContent(buf.Bytes(), contentType(a.MediaType), key)
	if err != nil {
		return err
	}
	buf = bytes.Buffer{} // let the plaintext go before the upload
	path := s.api("/submissions/" + submissionID + "/attachments/" + attachmentID)
	return s.call(ctx, http.MethodPut, path, rawBody("application/jose", enc), nil, uploaded...)
}

// uploaded are the answers that mean an attachment was taken: 204 (API v1) and 200.
var uploaded = []int{http.StatusNoContent, http.StatusOK}

// contentType is the media type of an attachment without parameters, for the JWE's cty.
func contentType(mediaType string) string {
	if i := strings.IndexByte(mediaType, ';'); i >= 0 {
		mediaType = mediaType[:i]
	}
	mt := strings.TrimSpace(mediaType)
	if !mimePattern.MatchString(mt) {
		return ""
	}
	return mt
}
