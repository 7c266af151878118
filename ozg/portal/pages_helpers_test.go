package portal

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/forms/formstest"
)

// startApp serves the example on a loopback port, as run does, until the test ends.
func startApp(t *testing.T) *app {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := newApp(ctx, base, mux, config{DataDir: t.TempDir()}, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	go a.run(ctx)
	return a
}

// webClient is a browser without script: cookies, redirects followed, and every HTML page it
// gets checked with formstest.Check.
type webClient struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newWebClient(t *testing.T, base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// page is one answer: status, final URL, body.
type page struct {
	Status int
	URL    *url.URL
	Body   string
}

func (c *webClient) do(req *http.Request) page {
	c.t.Helper()
	req.Header.Set("Accept", "text/html")
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	p := page{Status: resp.StatusCode, URL: resp.Request.URL, Body: string(b)}
	if p.Status/100 != 3 && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && strings.HasPrefix(p.URL.String(), c.base) &&
		!strings.HasPrefix(p.URL.Path, "/idp/") && !strings.HasPrefix(p.URL.Path, "/xbezahldienste/") {
		if err := formstest.Check(strings.NewReader(p.Body)); err != nil {
			c.t.Errorf("accessibility of %s:\n%v", p.URL.Path, err)
		}
		if !strings.Contains(p.Body, `<html lang="de">`) || !strings.Contains(p.Body, "<h1") {
			c.t.Errorf("%s: no lang=de or no h1", p.URL.Path)
		}
	}
	return p
}

func (c *webClient) get(path string) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.abs(path), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *webClient) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return c.base + path
}

func (c *webClient) post(path string, values url.Values) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.abs(path), strings.NewReader(values.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var formRe = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>.*?</form>`)

// form returns the action and the HTML of the first form on p whose HTML contains marker.
func (p page) form(t *testing.T, marker string) (action string, html string) {
	t.Helper()
	for _, m := range formRe.FindAllStringSubmatch(p.Body, -1) {
		if strings.Contains(m[0], marker) {
			return strings.ReplaceAll(m[1], "&amp;", "&"), m[0]
		}
	}
	t.Fatalf("%s: no form with %q:\n%s", p.URL.Path, marker, p.Body)
	return "", ""
}

// submit presses the button name=value of the form containing marker, after setting set.
func (c *webClient) submit(p page, marker, button, value string, set map[string]string) page {
	c.t.Helper()
	action, html := p.form(c.t, marker)
	vals, err := formstest.Submit(strings.NewReader(html), button, value)
	if err != nil {
		c.t.Fatalf("%s: %v", p.URL.Path, err)
	}
	for k, v := range set {
		vals.Set(k, v)
	}
	return c.post(action, vals)
}

// upload posts a file to the upload form of requirement req on p.
func (c *webClient) upload(p page, req, name string, content []byte) page {
	c.t.Helper()
	action, _ := p.form(c.t, `name="requirement" value="`+req+`"`)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("requirement", req)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	hr, err := http.NewRequest(http.MethodPost, c.abs(action), &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	hr.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(hr)
}

func (p page) mustContain(t *testing.T, status int, texts ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d:\n%s", p.URL, p.Status, status, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("%s lacks %q:\n%s", p.URL, s, p.Body)
		}
	}
}
