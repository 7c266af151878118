package ozgtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ozgkit/ozgkit/identity"
)

// maxPage bounds every page and answer the login reads.
const maxPage = 1 << 20

// BrowserLogin logs citizens in the way a browser does: through a portal's login route, at an
// identity provider that offers identitytest's page for choosing a test person (or logs in
// without asking). It ends at the portal's /session route and hands out clients that carry
// the session cookie, the session's CSRF token and the portal's Origin on every request — what
// Target.Login and Target.Other need.
type BrowserLogin struct {
	// LoginURL is the portal's login URL with {level} for the trust level, returning to the
	// API's /session, e.g. "http://127.0.0.1:8080/auth/login?level={level}&return=/api/session".
	LoginURL string
	// Origin is the portal's origin, e.g. "http://127.0.0.1:8080".
	Origin string
	// Timeout bounds each request; 0 means 30 seconds.
	Timeout time.Duration

	mu       sync.Mutex
	subjects map[string]string // persona -> subject seen
}

// As returns a Target.Login (or Target.Other) function that logs in as persona.
func (l *BrowserLogin) As(persona string) func(ctx context.Context, level identity.Level) (*http.Client, error) {
	return func(ctx context.Context, level identity.Level) (*http.Client, error) {
		return l.Login(ctx, persona, level)
	}
}

// sessionAnswer is what the portal's /session route answers.
type sessionAnswer struct {
	Subject   string `json:"subject"`
	Level     string `json:"level"`
	CSRFToken string `json:"csrfToken"`
}

// Login returns a client logged in as persona at level: the session cookie in its jar, the
// session's CSRF token and the portal's origin on every request. A provider that cannot log
// persona in at level gives an error wrapping ErrLevelUnavailable.
func (l *BrowserLogin) Login(ctx context.Context, persona string, level identity.Level) (*http.Client, error) {
	if !strings.Contains(l.LoginURL, "{level}") {
		return nil, fmt.Errorf("login: LoginURL %q has no {level}", l.LoginURL)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	c := &http.Client{Jar: jar, Timeout: timeout}
	start := strings.ReplaceAll(l.LoginURL, "{level}", url.QueryEscape(level.String()))
	resp, body, err := getPage(ctx, c, start)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if isChooser(resp) {
		// The identity provider asks which test person logs in: post the authorization
		// request back with the persona and the level, as the chooser's form does.
		form := resp.Request.URL.Query()
		form.Set("persona", persona)
		form.Set("level", level.String())
		action := *resp.Request.URL
		action.RawQuery = ""
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, body, err = sendPage(c, req); err != nil {
			return nil, fmt.Errorf("login: choosing %s at %s: %w", persona, level, err)
		}
		if isChooser(resp) || (resp.StatusCode == http.StatusUnprocessableEntity && isHTML(resp)) {
			return nil, fmt.Errorf("%w: the identity provider refused persona %q at level %s (HTTP %d)",
				ErrLevelUnavailable, persona, level, resp.StatusCode)
		}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("login: %s %s answered %s: %s", resp.Request.Method, resp.Request.URL.Redacted(), resp.Status, clipPage(body))
	}
	var s sessionAnswer
	if err := json.Unmarshal(body, &s); err != nil || s.Subject == "" {
		return nil, fmt.Errorf("login: the login ended at %s, which is not the portal's /session (want JSON with subject and csrfToken): %s",
			resp.Request.URL.Redacted(), clipPage(body))
	}
	got, err := identity.ParseLevel(s.Level)
	if err != nil || !got.Meets(level) {
		return nil, fmt.Errorf("%w: asked for %s, the session is at %q", ErrLevelUnavailable, level, s.Level)
	}
	l.mu.Lock()
	if l.subjects == nil {
		l.subjects = map[string]string{}
	}
	l.subjects[persona] = s.Subject
	var clash string
	for p, sub := range l.subjects {
		if p != persona && sub == s.Subject {
			clash = p
		}
	}
	l.mu.Unlock()
	if clash != "" {
		return nil, fmt.Errorf("login: personas %q and %q both logged in as subject %s (is the provider's auto login on?)", clash, persona, s.Subject)
	}
	c.Transport = &apiTransport{origin: l.Origin, csrf: s.CSRFToken}
	return c, nil
}

// apiTransport adds what a script needs on top of the session cookie: the portal's Origin
// and the session's CSRF token.
type apiTransport struct {
	origin, csrf string
}

func (t *apiTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if r.Header.Get("Origin") == "" && t.origin != "" && sameOrigin(r.URL, t.origin) {
		r.Header.Set("Origin", t.origin)
	}
	if t.csrf != "" && sameOrigin(r.URL, t.origin) {
		r.Header.Set(identity.CSRFHeader, t.csrf)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func sameOrigin(u *url.URL, origin string) bool {
	return strings.EqualFold(u.Scheme+"://"+u.Host, origin)
}

func getPage(ctx context.Context, c *http.Client, u string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	return sendPage(c, req)
}

// send does req and reads at most maxPage bytes of the answer.
func sendPage(c *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxPage+1))
	if err != nil {
		return nil, nil, err
	}
	if len(b) > maxPage {
		return nil, nil, errors.New("the answer is larger than 1 MiB")
	}
	return resp, b, nil
}

func isHTML(resp *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt == "text/html"
}

// isChooser reports whether resp is identitytest's page for choosing a test person: HTML at
// the authorization endpoint with an authorization request in the URL.
func isChooser(resp *http.Response) bool {
	q := resp.Request.URL.Query()
	return resp.StatusCode == http.StatusOK && isHTML(resp) && q.Get("client_id") != "" && q.Get("redirect_uri") != ""
}

func clipPage(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
