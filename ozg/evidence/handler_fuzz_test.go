package evidence_test

import (
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

const fuzzBoundary = "ozgkitfuzzboundary"

func fuzzBody(parts ...part) []byte {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.SetBoundary(fuzzBoundary)
	for _, p := range parts {
		if p.fileName != "" {
			w, _ := mw.CreateFormFile(p.field, p.fileName)
			_, _ = w.Write([]byte(p.content))
		} else {
			_ = mw.WriteField(p.field, p.content)
		}
	}
	_ = mw.Close()
	return b.Bytes()
}

// FuzzUploadMultipart sends arbitrary multipart bodies to the upload handler. Whatever comes
// in: no panic, no 500, a problem+json error or one stored clean evidence within the limits,
// and nothing stored after an error.
func FuzzUploadMultipart(f *testing.F) {
	f.Add(fuzzBody(part{"requirement", "", "mietvertrag"}, part{"file", "a.pdf", string(pdfOfSize(500))}))
	f.Add(fuzzBody(part{"file", "a.pdf", string(pdfOfSize(500))}, part{"requirement", "", "mietvertrag"}))
	f.Add(fuzzBody(part{"requirement", "", "mietvertrag"}, part{"file", "../../x.png", string(windowsExecutable())}))
	f.Add(fuzzBody(part{"requirement", "", "mietvertrag"}, part{"file", "a\x00.pdf", ""}))
	f.Add(fuzzBody(part{"requirement", "", "mietvertrag"}, part{"file", "x.svg", `<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>`}))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"requirement\"\r\n\r\nmietvertrag\r\n--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\n"))
	f.Add([]byte{})

	quiet := slog.New(slog.DiscardHandler)
	req := documents
	req.MaxSize = 4 << 10
	apps := evidence.ApplicationsFunc(func(ctx context.Context, owner, id string) (evidence.Application, error) {
		return evidence.Application{ID: id, Draft: true, Requirements: []evidence.Requirement{req}}, nil
	})
	f.Fuzz(func(t *testing.T, body []byte) {
		store, blobs := evidence.NewMemoryStore(), evidence.NewMemoryBlobStore()
		m, err := evidence.New(store, blobs, evidence.NoScanner{}, &evidence.Options{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		h := evidence.NewHandler(m, apps, func(*http.Request) (string, bool) { return "anna", true }, &evidence.HandlerOptions{MultipartOverhead: 4 << 10})
		r := httptest.NewRequest(http.MethodPost, "/api/applications/app-1/evidence", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
		r.SetPathValue("application", "app-1")
		w := httptest.NewRecorder()
		h.Upload(w, r)

		list, _ := store.List(context.Background(), "app-1")
		switch {
		case w.Code == http.StatusCreated:
			if len(list) != 1 || blobs.Len() != 1 || list[0].Size > req.MaxSize || list[0].Size == 0 || !req.Accepts(list[0].MediaType) {
				t.Fatalf("201 with %d evidence %+v, %d blobs", len(list), list, blobs.Len())
			}
		case w.Code >= 400 && w.Code < 500:
			if ct := w.Header().Get("Content-Type"); ct != problem.ContentType {
				t.Fatalf("status %d with content type %q", w.Code, ct)
			}
			if len(list) != 0 || blobs.Len() != 0 {
				t.Fatalf("status %d left %d evidence, %d blobs", w.Code, len(list), blobs.Len())
			}
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
}
