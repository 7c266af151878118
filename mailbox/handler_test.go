package mailbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/mailbox"
)

// testCitizen reads the session from test headers; a portal reads its session cookie instead.
func testCitizen(r *http.Request) (mailbox.Citizen, error) {
	sub := r.Header.Get("X-Test-Subject")
	if sub == "" {
		return mailbox.Citizen{}, errors.New("no session")
	}
	l, err := mailbox.ParseLevel(r.Header.Get("X-Test-Level"))
	if err != nil {
		return mailbox.Citizen{}, err
	}
	return mailbox.Citizen{Subject: sub, Level: l}, nil
}

type apiFixture struct {
	*fixture
	srv *httptest.Server
	rec *replyRecorder
}

func newAPI(t *testing.T) *apiFixture {
	rec := &replyRecorder{}
	f := newFixture(t, &mailbox.Options{OnReply: rec.hook})
	srv := httptest.NewServer(mailbox.NewHandler(f.mb, testCitizen, &mailbox.HandlerOptions{Prefix: "/api"}))
	t.Cleanup(srv.Close)
	return &apiFixture{fixture: f, srv: srv, rec: rec}
}

func (a *apiFixture) do(t *testing.T, method, path, subject, level, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if subject != "" {
		req.Header.Set("X-Test-Subject", subject)
		req.Header.Set("X-Test-Level", level)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

type problemDoc struct {
	Status        int    `json:"status"`
	Detail        string `json:"detail"`
	RequiredLevel string `json:"requiredLevel"`
	Errors        []struct {
		Pointer string `json:"pointer"`
		Message string `json:"message"`
	} `json:"errors"`
}

func wantProblem(t *testing.T, resp *http.Response, body []byte, status int) problemDoc {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type = %q, want application/problem+json", ct)
	}
	var p problemDoc
	if err := json.Unmarshal(body, &p); err != nil || p.Status != status {
		t.Fatalf("problem document %s: %v", body, err)
	}
	return p
}

func TestHandlerListsAndReadsMessages(t *testing.T) {
	a := newAPI(t)
	d := draft("alice")
	d.Body = `<script>alert("xss")</script>`
	d.Attachments = []mailbox.NewAttachment{{Name: "Bescheid März.pdf", MediaType: "application/pdf", Content: strings.NewReader("%PDF-1.7 bytes")}}
	sent := a.send(t, d)
	a.send(t, draft("alice"))

	resp, body := a.do(t, "GET", "/api/mailbox?limit=1", "alice", "substantial", "")
	if resp.StatusCode != 200 {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	var list struct {
		Messages []map[string]any `json:"messages"`
		Unread   int              `json:"unread"`
		Next     string           `json:"next"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Messages) != 1 || list.Unread != 2 || list.Next == "" {
		t.Fatalf("list = %s", body)
	}
	if _, hasBody := list.Messages[0]["body"]; hasBody {
		t.Fatal("listing carries bodies")
	}
	resp, body = a.do(t, "GET", "/api/mailbox?limit=1&cursor="+url.QueryEscape(list.Next), "alice", "substantial", "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), sent.ID) {
		t.Fatalf("second page: %d %s", resp.StatusCode, body)
	}

	t.Run("HTML and script in the body are shown escaped", func(t *testing.T) {
		resp, body := a.do(t, "GET", "/api/mailbox/"+sent.ID, "alice", "substantial", "")
		if resp.StatusCode != 200 {
			t.Fatalf("read: %d %s", resp.StatusCode, body)
		}
		if strings.Contains(string(body), "<script>") || !strings.Contains(string(body), `\u003cscript\u003e`) {
			t.Fatalf("body not escaped: %s", body)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("headers = %v", resp.Header)
		}
		var m struct {
			Body        string `json:"body"`
			ReadAt      string `json:"readAt"`
			Attachments []struct {
				Href string `json:"href"`
			} `json:"attachments"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if m.Body != d.Body || m.ReadAt == "" || len(m.Attachments) != 1 || m.Attachments[0].Href != "/api/mailbox/"+sent.ID+"/attachments/0" {
			t.Fatalf("message = %+v", m)
		}
	})
	t.Run("an attachment is downloaded with safe headers", func(t *testing.T) {
		resp, body := a.do(t, "GET", "/api/mailbox/"+sent.ID+"/attachments/0", "alice", "substantial", "")
		if resp.StatusCode != 200 || string(body) != "%PDF-1.7 bytes" {
			t.Fatalf("download: %d %q", resp.StatusCode, body)
		}
		h := resp.Header
		if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") ||
			!strings.HasPrefix(h.Get("Repr-Digest"), "sha-512=:") {
			t.Fatalf("download headers = %v", h)
		}
		if !strings.Contains(h.Get("Content-Disposition"), "filename*=utf-8''Bescheid%20M%C3%A4rz.pdf") {
			t.Fatalf("Content-Disposition = %q", h.Get("Content-Disposition"))
		}
	})
}

func TestHandlerRefusals(t *testing.T) {
	a := newAPI(t)
	d := draft("alice")
	d.MinLevel = mailbox.LevelHigh
	d.Attachments = []mailbox.NewAttachment{{Name: "a.pdf", MediaType: "application/pdf", Content: strings.NewReader("x")}}
	high := a.send(t, d)
	normal := a.send(t, draft("alice"))
	_, body := a.do(t, "GET", "/api/mailbox?limit=1", "alice", "substantial", "")
	var list struct{ Next string }
	_ = json.Unmarshal(body, &list)
	tampered := []byte(list.Next)
	tampered[len(tampered)/2] ^= 0x01
	if tampered[len(tampered)/2] == '-' || tampered[len(tampered)/2] == '_' || tampered[len(tampered)/2] > 'z' {
		tampered[len(tampered)/2] = 'A'
	}

	for _, tc := range []struct {
		name, method, path, subject, level, body string
		status                                   int
		check                                    func(t *testing.T, p problemDoc)
	}{
		{"a request without session answers 401", "GET", "/api/mailbox", "", "", "", 401, nil},
		{"reading another citizen's message answers 404", "GET", "/api/mailbox/" + normal.ID, "mallory", "high", "", 404, nil},
		{"another citizen's attachment answers 404", "GET", "/api/mailbox/" + high.ID + "/attachments/0", "mallory", "high", "", 404, nil},
		{"a guessed id answers 404", "GET", "/api/mailbox/AAAAAAAAAAAAAAAAAAAAAAAAAA", "alice", "high", "", 404, nil},
		{"a level too low answers 403 naming the level", "GET", "/api/mailbox/" + high.ID, "alice", "substantial", "", 403,
			func(t *testing.T, p problemDoc) {
				if p.RequiredLevel != "high" || !strings.Contains(p.Detail, "high") {
					t.Fatalf("problem does not name the level: %+v", p)
				}
			}},
		{"an attachment above the level answers 403", "GET", "/api/mailbox/" + high.ID + "/attachments/0", "alice", "low", "", 403, nil},
		{"an attachment number out of range answers 404", "GET", "/api/mailbox/" + high.ID + "/attachments/7", "alice", "high", "", 404, nil},
		{"an attachment number that is no number answers 404", "GET", "/api/mailbox/" + high.ID + "/attachments/x", "alice", "high", "", 404, nil},
		{"a tampered cursor answers 400 naming the cursor", "GET", "/api/mailbox?limit=1&cursor=" + string(tampered), "alice", "substantial", "", 400,
			func(t *testing.T, p problemDoc) {
				if len(p.Errors) != 1 || p.Errors[0].Pointer != "cursor" {
					t.Fatalf("problem does not name the cursor: %+v", p)
				}
			}},
		{"another citizen's cursor answers 400", "GET", "/api/mailbox?limit=1&cursor=" + list.Next, "mallory", "substantial", "", 400, nil},
		{"an unknown kind answers 400 naming the kind", "GET", "/api/mailbox?kind=spam", "alice", "substantial", "", 400,
			func(t *testing.T, p problemDoc) {
				if len(p.Errors) != 1 || p.Errors[0].Pointer != "/kind" {
					t.Fatalf("problem does not name kind: %+v", p)
				}
			}},
		{"a limit that is no number answers 400", "GET", "/api/mailbox?limit=ten", "alice", "substantial", "", 400, nil},
		{"a limit above the maximum answers 400", "GET", "/api/mailbox?limit=1000", "alice", "substantial", "", 400, nil},
		{"a reply to a message that is no query answers 409", "POST", "/api/mailbox/" + normal.ID + "/reply", "alice", "substantial", `{"body":"Antwort"}`, 409, nil},
		{"a reply with unknown fields answers 400", "POST", "/api/mailbox/" + normal.ID + "/reply", "alice", "substantial", `{"body":"A","x":1}`, 400, nil},
		{"a reply that is not JSON answers 400", "POST", "/api/mailbox/" + normal.ID + "/reply", "alice", "substantial", `body=A`, 400, nil},
		{"an oversized reply request answers 413", "POST", "/api/mailbox/" + normal.ID + "/reply", "alice", "substantial",
			`{"body":"` + strings.Repeat("a", 6*mailbox.MaxBodySize+2048) + `"}`, 413, nil},
		{"a wrong method answers 405", "DELETE", "/api/mailbox/" + normal.ID, "alice", "substantial", "", 405, nil},
		{"an unknown path answers 404", "GET", "/api/elsewhere", "alice", "substantial", "", 404, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := a.do(t, tc.method, tc.path, tc.subject, tc.level, tc.body)
			p := wantProblem(t, resp, body, tc.status)
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
	if m, _ := a.store.Get(context.Background(), "alice", normal.ID); !m.ReadAt.IsZero() {
		t.Fatal("a refused request marked a message read")
	}
	if m, _ := a.store.Get(context.Background(), "alice", high.ID); !m.ReadAt.IsZero() {
		t.Fatal("a refused request marked a message read")
	}
}

func TestHandlerReply(t *testing.T) {
	a := newAPI(t)
	q := a.send(t, queryDraft())
	resp, body := a.do(t, "POST", "/api/mailbox/"+q.ID+"/reply", "alice", "substantial", `{"body":"Hier die Unterlagen <i>sofort</i>."}`)
	if resp.StatusCode != 201 || resp.Header.Get("Location") == "" {
		t.Fatalf("reply: %d %s", resp.StatusCode, body)
	}
	if len(a.rec.replies) != 1 || a.rec.replies[0].Body != "Hier die Unterlagen <i>sofort</i>." {
		t.Fatalf("hook saw %+v", a.rec.replies)
	}
	resp, body = a.do(t, "POST", "/api/mailbox/"+q.ID+"/reply", "alice", "substantial", `{"body":"Nochmal"}`)
	wantProblem(t, resp, body, 409)

	req, _ := http.NewRequest("POST", a.srv.URL+"/api/mailbox/"+q.ID+"/reply", strings.NewReader(`{"body":"x"}`))
	req.Header.Set("X-Test-Subject", "alice")
	req.Header.Set("X-Test-Level", "substantial")
	req.Header.Set("Content-Type", "text/plain")
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantProblem(t, resp, b, 415)

	q2 := a.send(t, queryDraft())
	resp, body = a.do(t, "POST", "/api/mailbox/"+q2.ID+"/reply", "alice", "substantial", `{"body":"Antwort\u0000"}`)
	p := wantProblem(t, resp, body, 400)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/body" {
		t.Fatalf("problem does not name the body: %+v", p)
	}
}

func TestHandlerAbortsACorruptDownload(t *testing.T) {
	a := newAPI(t)
	d := draft("alice")
	d.Attachments = []mailbox.NewAttachment{{Name: "a.txt", MediaType: "text/plain", Content: strings.NewReader("original")}}
	sent := a.send(t, d)
	if _, err := a.blobs.Put(context.Background(), sent.Attachments[0].BlobKey, strings.NewReader("tampered")); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", a.srv.URL+"/api/mailbox/"+sent.ID+"/attachments/0", nil)
	req.Header.Set("X-Test-Subject", "alice")
	req.Header.Set("X-Test-Level", "high")
	resp, err := a.srv.Client().Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("a corrupt attachment was delivered as complete")
	}
}

func TestHandlerHeadDoesNotMarkRead(t *testing.T) {
	a := newAPI(t)
	m := a.send(t, draft("alice"))
	resp, _ := a.do(t, "HEAD", "/api/mailbox/"+m.ID, "alice", "substantial", "")
	if resp.StatusCode != 200 {
		t.Fatalf("HEAD: %d", resp.StatusCode)
	}
	if got, _ := a.store.Get(context.Background(), "alice", m.ID); !got.ReadAt.IsZero() {
		t.Fatal("HEAD marked the message read")
	}
}
