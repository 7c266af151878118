package ozgtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// Limits on what the checks read from the portal.
const (
	// maxBody bounds every answer body except the form's schema.
	maxBody = 1 << 20
	// maxSchema bounds the form's schema (forms.MaxSchemaSize).
	maxSchema = 4 << 20
)

// answer is a response read in full, within a limit.
type answer struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

func (a *answer) String() string {
	b := a.body
	if len(b) > 300 {
		b = append(b[:300:300], "…"...)
	}
	return fmt.Sprintf("%s %s answered %d %s: %s", a.method, a.path, a.status, a.header.Get("Content-Type"), bytes.TrimSpace(b))
}

// mediaType returns the answer's media type without parameters.
func (a *answer) mediaType() string {
	mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type"))
	return mt
}

// decode reads the JSON body into v.
func (a *answer) decode(v any) error {
	if err := json.Unmarshal(a.body, v); err != nil {
		return fmt.Errorf("%s %s: the body is not the expected JSON: %v", a.method, a.path, err)
	}
	return nil
}

// problemDoc is what the checks read of an RFC 9457 problem document.
type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Pointer string `json:"pointer"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	RequiredLevel string `json:"requiredLevel"`
}

// expectProblem checks that a is an error answer with status want as application/problem+json
// whose status member, when present, agrees.
func (a *answer) expectProblem(want ...int) (*problemDoc, error) {
	ok := false
	for _, w := range want {
		ok = ok || a.status == w
	}
	if !ok {
		return nil, fmt.Errorf("want status %s; %s", statusList(want), a)
	}
	if mt := a.mediaType(); mt != "application/problem+json" {
		return nil, fmt.Errorf("want application/problem+json; %s", a)
	}
	var p problemDoc
	if err := a.decode(&p); err != nil {
		return nil, err
	}
	if p.Status != 0 && p.Status != a.status {
		return nil, fmt.Errorf("the problem's status %d is not the HTTP status; %s", p.Status, a)
	}
	return &p, nil
}

func statusList(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " or ")
}

// request is one call to the portal.
type request struct {
	method, path string // path below the target's BaseURL, or an absolute URL
	body         io.Reader
	contentType  string
	header       map[string]string
	limit        int64 // 0 means maxBody
}

// do sends req with c and reads the answer, at most limit bytes of it.
func do(ctx context.Context, c *http.Client, base string, req request) (*answer, error) {
	u := req.path
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		u = base + req.path
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u, req.body)
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Accept", "application/json, application/problem+json")
	if req.contentType != "" {
		hr.Header.Set("Content-Type", req.contentType)
	}
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	resp, err := c.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	defer resp.Body.Close()
	limit := req.limit
	if limit == 0 {
		limit = maxBody
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", req.method, req.path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s %s: the answer is larger than %d bytes", req.method, req.path, limit)
	}
	return &answer{method: req.method, path: req.path, status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// jsonRequest makes a request with a JSON body.
func jsonRequest(method, path string, v any) request {
	b, _ := json.Marshal(v)
	return request{method: method, path: path, body: bytes.NewReader(b), contentType: "application/json"}
}

// uploadRequest makes a multipart evidence upload: field "requirement" and field "file".
func uploadRequest(path, requirement string, f File) request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("requirement", requirement)
	fw, _ := mw.CreateFormFile("file", f.Name)
	_, _ = fw.Write(f.Content)
	_ = mw.Close()
	return request{method: http.MethodPost, path: path, body: &buf, contentType: mw.FormDataContentType()}
}
