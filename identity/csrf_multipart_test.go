package identity

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
)

// An upload form carries the CSRF token as its first part; the check reads it from the start
// of the body and hands the handler every byte, so the upload still streams. The token is
// looked for nowhere else in the body, and never in the URL.
func TestMultipartFormsCarryTheTokenAsTheirFirstPart(t *testing.T) {
	const token = "tok-0123456789abcdef0123456789abcdef"
	build := func(fields ...string) (string, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for i := 0; i+1 < len(fields); i += 2 {
			if fields[i] == "file" {
				fw, _ := mw.CreateFormFile("file", "a.pdf")
				fw.Write([]byte(fields[i+1]))
				continue
			}
			mw.WriteField(fields[i], fields[i+1])
		}
		mw.Close()
		return buf.String(), mw.FormDataContentType()
	}
	big := strings.Repeat("%PDF", 50<<10)
	for _, tc := range []struct {
		name   string
		fields []string
		ok     bool
	}{
		{"the token first passes", []string{"_csrf", token, "requirement", "x", "file", big}, true},
		{"a token after another field is not looked for", []string{"requirement", "x", "_csrf", token, "file", "y"}, false},
		{"a wrong token is refused", []string{"_csrf", "wrong", "file", "y"}, false},
		{"a form without token is refused", []string{"file", big}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := build(tc.fields...)
			r := httptest.NewRequest("POST", "http://portal.example/antraege/x/nachweise", strings.NewReader(body))
			r.Header.Set("Content-Type", ct)
			r.Header.Set("Origin", "http://portal.example")
			err := (&Gate{}).CheckCSRF(r, &Session{CSRFToken: token})
			if tc.ok != (err == nil) || err != nil && !errors.Is(err, ErrCSRF) {
				t.Fatalf("CheckCSRF = %v, want ok=%v", err, tc.ok)
			}
			got, _ := io.ReadAll(r.Body)
			if string(got) != body {
				t.Fatalf("the body changed: %d of %d bytes", len(got), len(body))
			}
		})
	}
}

// Whatever the body, the check hands every byte of it on, unchanged.
func FuzzMultipartCSRF(f *testing.F) {
	f.Add("--b\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok\r\n--b--\r\n")
	f.Add("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nxyz\r\n--b--\r\n")
	f.Add("not multipart at all")
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "http://portal.example/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		r.Header.Set("Origin", "http://portal.example")
		err := (&Gate{}).CheckCSRF(r, &Session{CSRFToken: "tok"})
		if err == nil && !strings.Contains(body, "tok") {
			t.Fatal("passed without the token in the body")
		}
		if got, _ := io.ReadAll(r.Body); string(got) != body {
			t.Fatalf("body changed: %q became %q", body, got)
		}
	})
}
