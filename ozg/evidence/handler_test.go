package evidence_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// portal is a test portal: two citizens' applications and the evidence handlers on a mux.
type portal struct {
	*harness
	srv *httptest.Server

	mu   sync.Mutex
	apps map[string]struct {
		owner string
		draft bool
	}
	uploaded chan struct{}          // one value per finished Upload call
	reqs     []evidence.Requirement // the applications' requirements; nil: documents
}

func newPortal(t *testing.T) *portal { return newPortalWith(t, nil, nil) }

// newPortalWith is newPortal with a blob store in front of the harness's (nil: the harness's
// own) and handler options.
func newPortalWith(t testing.TB, wrap func(evidence.BlobStore) evidence.BlobStore, opts *evidence.HandlerOptions) *portal {
	t.Helper()
	p := &portal{uploaded: make(chan struct{}, 16)}
	if wrap == nil {
		p.harness = newHarness(t, nil, nil)
	} else {
		p.harness = newHarnessWith(t, wrap)
	}
	p.apps = map[string]struct {
		owner string
		draft bool
	}{
		"anna-draft":     {"anna", true},
		"anna-submitted": {"anna", false},
		"bert-draft":     {"bert", true},
	}
	apps := evidence.ApplicationsFunc(func(ctx context.Context, owner, id string) (evidence.Application, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		a, ok := p.apps[id]
		if !ok || a.owner != owner {
			return evidence.Application{}, fmt.Errorf("application %q: %w", id, evidence.ErrNotFound)
		}
		reqs := p.reqs
		if reqs == nil {
			reqs = []evidence.Requirement{documents}
		}
		return evidence.Application{ID: id, Draft: a.draft, Requirements: reqs}, nil
	})
	owner := func(r *http.Request) (string, bool) {
		o := r.Header.Get("X-Test-Citizen")
		return o, o != ""
	}
	h := evidence.NewHandler(p.m, apps, owner, opts)
	mux := http.NewServeMux()
	h.Register(mux, "/api")
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if r.Method == http.MethodPost {
			p.uploaded <- struct{}{}
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *portal) setDraft(id string, draft bool) {
	p.mu.Lock()
	a := p.apps[id]
	a.draft = draft
	p.apps[id] = a
	p.mu.Unlock()
}

type part struct{ field, fileName, content string }

func multipartBody(t testing.TB, parts ...part) (string, *bytes.Buffer) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.fileName != "" {
			w, err = mw.CreateFormFile(p.field, p.fileName)
		} else {
			w, err = mw.CreateFormField(p.field)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, p.content)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), &b
}

func (p *portal) do(t *testing.T, citizen, method, path, contentType string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, p.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if citizen != "" {
		req.Header.Set("X-Test-Citizen", citizen)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := p.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func (p *portal) upload(t *testing.T, citizen, app string, parts ...part) *http.Response {
	ct, body := multipartBody(t, parts...)
	return p.do(t, citizen, http.MethodPost, "/api/applications/"+app+"/evidence", ct, body)
}

func expectProblem(t *testing.T, res *http.Response, status int, field string) problem.Details {
	t.Helper()
	if res.StatusCode != status {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("status %d, want %d: %s", res.StatusCode, status, b)
	}
	if ct := res.Header.Get("Content-Type"); ct != problem.ContentType {
		t.Fatalf("content type %q, want problem+json", ct)
	}
	var d problem.Details
	if err := json.NewDecoder(res.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	if field != "" && (len(d.Errors) != 1 || d.Errors[0].Pointer != field || d.Errors[0].Message == "") {
		t.Fatalf("errors = %+v, want one naming %q", d.Errors, field)
	}
	return d
}

func validPDF() part {
	return part{"file", "Mietvertrag.pdf", string(pdfOfSize(2000))}
}

func TestHandlerUploadListDownloadDelete(t *testing.T) {
	p := newPortal(t)
	res := p.upload(t, "anna", "anna-draft", part{"requirement", "", "mietvertrag"}, validPDF())
	if res.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("upload status %d: %s", res.StatusCode, b)
	}
	var e evidence.Evidence
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if e.ID == "" || e.MediaType != "application/pdf" || e.ScanState != evidence.ScanClean || e.Size != 2000 {
		t.Fatalf("evidence = %+v", e)
	}
	if loc := res.Header.Get("Location"); loc != "/api/applications/anna-draft/evidence/"+e.ID {
		t.Fatalf("Location = %q", loc)
	}

	res = p.do(t, "anna", http.MethodGet, "/api/applications/anna-draft/evidence", "", nil)
	var list struct{ Evidence []evidence.Evidence }
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil || len(list.Evidence) != 1 || list.Evidence[0].ID != e.ID {
		t.Fatalf("list = %+v, %v", list, err)
	}

	res = p.do(t, "anna", http.MethodGet, "/api/applications/anna-draft/evidence/"+e.ID, "", nil)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, pdfOfSize(2000)) {
		t.Fatalf("download status %d, %d bytes", res.StatusCode, len(body))
	}
	for k, want := range map[string]string{
		"Content-Type":           "application/pdf",
		"X-Content-Type-Options": "nosniff",
		"Content-Disposition":    `attachment; filename=Mietvertrag.pdf`,
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	res = p.do(t, "anna", http.MethodDelete, "/api/applications/anna-draft/evidence/"+e.ID, "", nil)
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("delete status %d", res.StatusCode)
	}
	res = p.do(t, "anna", http.MethodGet, "/api/applications/anna-draft/evidence/"+e.ID, "", nil)
	expectProblem(t, res, http.StatusNotFound, "")
	p.assertNothingStored(t, "anna-draft")
}

func TestHandlerUploadToAnotherCitizensApplicationIsNotFound(t *testing.T) {
	p := newPortal(t)
	res := p.upload(t, "anna", "bert-draft", part{"requirement", "", "mietvertrag"}, validPDF())
	expectProblem(t, res, http.StatusNotFound, "")
	p.assertNothingStored(t, "bert-draft")
}

func TestHandlerAnotherCitizensEvidenceIsNotFound(t *testing.T) {
	p := newPortal(t)
	res := p.upload(t, "bert", "bert-draft", part{"requirement", "", "mietvertrag"}, validPDF())
	var e evidence.Evidence
	_ = json.NewDecoder(res.Body).Decode(&e)
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/applications/bert-draft/evidence"},
		{http.MethodGet, "/api/applications/bert-draft/evidence/" + e.ID},
		{http.MethodDelete, "/api/applications/bert-draft/evidence/" + e.ID},
		// Bert's evidence id under Anna's own application.
		{http.MethodGet, "/api/applications/anna-draft/evidence/" + e.ID},
		{http.MethodDelete, "/api/applications/anna-draft/evidence/" + e.ID},
	} {
		expectProblem(t, p.do(t, "anna", c.method, c.path, "", nil), http.StatusNotFound, "")
	}
	if list, _ := p.m.List(context.Background(), "bert-draft"); len(list) != 1 {
		t.Fatal("Bert's evidence was changed")
	}
}

func TestHandlerUploadToASubmittedApplicationIsRefused(t *testing.T) {
	p := newPortal(t)
	res := p.upload(t, "anna", "anna-submitted", part{"requirement", "", "mietvertrag"}, validPDF())
	expectProblem(t, res, http.StatusConflict, "")
	p.assertNothingStored(t, "anna-submitted")
}

func TestHandlerDeleteFromASubmittedApplicationIsRefused(t *testing.T) {
	p := newPortal(t)
	res := p.upload(t, "anna", "anna-draft", part{"requirement", "", "mietvertrag"}, validPDF())
	var e evidence.Evidence
	_ = json.NewDecoder(res.Body).Decode(&e)
	p.setDraft("anna-draft", false)
	expectProblem(t, p.do(t, "anna", http.MethodDelete, "/api/applications/anna-draft/evidence/"+e.ID, "", nil), http.StatusConflict, "")
	if _, err := p.m.Get(context.Background(), "anna-draft", e.ID); err != nil {
		t.Fatalf("evidence gone after a refused delete: %v", err)
	}
}

func TestHandlerWithoutCitizenIsUnauthorized(t *testing.T) {
	p := newPortal(t)
	expectProblem(t, p.upload(t, "", "anna-draft", part{"requirement", "", "mietvertrag"}, validPDF()), http.StatusUnauthorized, "")
}

func TestHandlerRefusesBadUploadRequests(t *testing.T) {
	cases := []struct {
		name   string
		parts  []part
		status int
		field  string
	}{
		{"the requirement after the file", []part{validPDF(), {"requirement", "", "mietvertrag"}}, http.StatusBadRequest, "requirement"},
		{"no requirement field", []part{validPDF()}, http.StatusBadRequest, "requirement"},
		{"an unknown requirement", []part{{"requirement", "", "fuehrerschein"}, validPDF()}, http.StatusUnprocessableEntity, "requirement"},
		{"an overlong requirement", []part{{"requirement", "", strings.Repeat("x", 65)}, validPDF()}, http.StatusBadRequest, "requirement"},
		{"no file", []part{{"requirement", "", "mietvertrag"}}, http.StatusBadRequest, "file"},
		{"an unknown field", []part{{"requirement", "", "mietvertrag"}, {"comment", "", "hi"}, validPDF()}, http.StatusBadRequest, "comment"},
		{"two files", []part{{"requirement", "", "mietvertrag"}, validPDF(), validPDF()}, http.StatusBadRequest, "file"},
		{"a zero-byte file", []part{{"requirement", "", "mietvertrag"}, {"file", "a.pdf", ""}}, http.StatusUnprocessableEntity, "file"},
		{"an executable renamed .pdf", []part{{"requirement", "", "mietvertrag"}, {"file", "a.pdf", string(windowsExecutable())}}, http.StatusUnsupportedMediaType, "file"},
		{"a file one byte too large", []part{{"requirement", "", "mietvertrag"}, {"file", "a.pdf", string(pdfOfSize(int(documents.MaxSize) + 1))}}, http.StatusRequestEntityTooLarge, "file"},
		{"a body far over the limit", []part{{"requirement", "", "mietvertrag"}, {"file", "a.pdf", string(pdfOfSize(int(documents.MaxSize) + 200<<10))}}, http.StatusRequestEntityTooLarge, "file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newPortal(t)
			expectProblem(t, p.upload(t, "anna", "anna-draft", c.parts...), c.status, c.field)
			p.assertNothingStored(t, "anna-draft")
		})
	}
}

func TestHandlerRefusesABodyThatIsNotMultipart(t *testing.T) {
	p := newPortal(t)
	res := p.do(t, "anna", http.MethodPost, "/api/applications/anna-draft/evidence", "application/pdf", bytes.NewReader(pdfOfSize(1000)))
	expectProblem(t, res, http.StatusUnsupportedMediaType, "")
	p.assertNothingStored(t, "anna-draft")
}

func TestHandlerUploadLeavesNothingBehindWhenTheClientDisconnects(t *testing.T) {
	p := newPortal(t)
	ct, body := multipartBody(t, part{"requirement", "", "mietvertrag"}, part{"file", "a.pdf", string(pdfOfSize(60_000))})
	conn, err := net.Dial("tcp", p.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/applications/anna-draft/evidence HTTP/1.1\r\nHost: x\r\nX-Test-Citizen: anna\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ct, body.Len())
	_, _ = conn.Write(body.Bytes()[:body.Len()/2])
	_ = conn.Close()
	<-p.uploaded // the handler has returned
	p.assertNothingStored(t, "anna-draft")
}

func TestContentDispositionIsSafeForHostileNames(t *testing.T) {
	cases := []struct{ name, in string }{
		{"quotes and header injection", "a\"b\r\nSet-Cookie: x=y.pdf"},
		{"a path", "../../etc/passwd"},
		{"umlauts", "Lohnbescheinigung März.pdf"},
		{"bidi override", "x\u202Efdp.exe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := evidence.ContentDisposition(c.in)
			if strings.ContainsAny(v, "\r\n\u202E/") {
				t.Fatalf("header value %q", v)
			}
			disp, params, err := mime.ParseMediaType(v)
			if err != nil || disp != "attachment" || params["filename"] != evidence.SanitizeFileName(c.in) {
				t.Fatalf("ParseMediaType(%q) = %q, %v, %v", v, disp, params, err)
			}
		})
	}
}
