package fitconnect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"

	"github.com/google/uuid"
)

// maxAnswer bounds the body of an API answer this package reads.
const maxAnswer = 4 << 20

// body is a request body with its content type; it can be sent more than once.
type body struct {
	contentType string
	data        []byte
	err         error
}

func jsonBody(v any) body {
	b, err := jsonMarshal(v)
	return body{contentType: "application/json", data: b, err: err}
}

func rawBody(contentType string, b []byte) body { return body{contentType: contentType, data: b} }

// jsonMarshal is json.Marshal without HTML escaping, as documents are hashed and compared
// byte for byte by others.
func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("fitconnect: encode: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// call makes one authorised request to the Submission API and decodes the answer into out
// (when not nil). An answer whose status is not one of ok is an *APIError.
func (s *Sender) call(ctx context.Context, method, path string, b body, out any, ok ...int) error {
	if b.err != nil {
		return b.err
	}
	var r io.Reader
	if b.data != nil {
		r = bytes.NewReader(b.data)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base.String()+path, r)
	if err != nil {
		return fmt.Errorf("fitconnect: %s %s: %w", method, path, err)
	}
	if b.contentType != "" {
		req.Header.Set("Content-Type", b.contentType)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	tok, err := s.tokens.Token()
	if err != nil {
		return fmt.Errorf("fitconnect: token: %w", err)
	}
	tok.SetAuthHeader(req)
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("fitconnect: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("fitconnect: %s %s: read answer: %w", method, path, err)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("fitconnect: %s %s: answer larger than %d bytes", method, path, maxAnswer)
	}
	if !slices.Contains(ok, resp.StatusCode) {
		e := &APIError{Method: method, Path: path, Status: resp.StatusCode}
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/problem+json" || mt == "application/json" {
			var p struct{ Type, Title, Detail string }
			if json.Unmarshal(data, &p) == nil {
				e.Type, e.Title, e.Detail = truncate(p.Type, 200), truncate(p.Title, 200), truncate(p.Detail, 500)
			}
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("fitconnect: %s %s: answer: %w", method, path, err)
		}
	}
	return nil
}

// getRaw is call for a GET whose answer is kept as raw JSON.
func (s *Sender) getRaw(ctx context.Context, path string) ([]byte, error) {
	var raw json.RawMessage
	if err := s.call(ctx, http.MethodGet, path, body{}, &raw, http.StatusOK); err != nil {
		return nil, err
	}
	return raw, nil
}

func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
