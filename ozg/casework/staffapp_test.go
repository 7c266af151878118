package casework_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/ozg/casework"
)

// staffApp serves the case-worker pages of a world behind the staff login at a local
// provider with the staff personas, as an integrator wires them.
type staffApp struct {
	w   *world
	idp *identitytest.Provider
	srv *httptest.Server
}

func newStaffApp(t testing.TB, w *world) *staffApp {
	t.Helper()
	idp, idpSrv := identitytest.NewServer(&identitytest.Options{Personas: append(identitytest.StaffPersonas(), operatorPersonas()...)})
	t.Cleanup(idpSrv.Close)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	idp.AddClient(identitytest.Client{ID: "sachbearbeitung", Secret: "geheim",
		RedirectURIs: []string{srv.URL + "/sachbearbeitung/anmelden/callback"}, PostLogoutRedirectURIs: []string{srv.URL + "/sachbearbeitung/"}})
	ring, err := identity.NewKeyring(identity.Key{ID: "staff-1", Secret: bytes.Repeat([]byte{9}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	gate, err := casework.NewStaffGate(context.Background(), casework.StaffLogin{
		Issuer: idp.Issuer(), ClientID: "sachbearbeitung", ClientSecret: "geheim", BaseURL: srv.URL,
		RoleClaim: identitytest.StaffRoleClaim, Keys: ring, Insecure: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/sachbearbeitung/", w.cw.Handler(gate, &casework.HandlerOptions{Outbox: w.outbox, Logger: quiet}))
	return &staffApp{w: w, idp: idp, srv: srv}
}

// client is a case worker's browser without JavaScript: cookies, redirects, forms.
type client struct {
	t    testing.TB
	c    *http.Client
	base string
}

type response struct {
	status int
	body   string
	header http.Header
	url    string
	err    error // the request or reading the body failed (the server aborted the answer)
}

// login logs persona in by opening the inbox, which sends the browser through the provider
// (and an operator who handles no service on to the failed deliveries).
func (a *staffApp) login(t testing.TB, persona string) *client {
	t.Helper()
	if err := a.idp.SetAutoLogin(persona); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, c: &http.Client{Jar: jar}, base: a.srv.URL}
	r := c.get("/sachbearbeitung/")
	if r.url != a.srv.URL+"/sachbearbeitung/" && r.url != a.srv.URL+"/sachbearbeitung/zustellungen" { // an operator without a service lands there
		t.Fatalf("login ended at %s (%d): %s", r.url, r.status, r.body)
	}
	for _, ck := range jar.Cookies(mustURL(a.srv.URL + "/sachbearbeitung/")) {
		if ck.Name == casework.StaffCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie after login", casework.StaffCookie)
	return nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		return response{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(b), header: resp.Header, url: resp.Request.URL.String(), err: err}
}

func (c *client) get(path string) response {
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Accept", "text/html")
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// post sends form to path as a browser on the same origin does, with the CSRF token of the
// page at from (none when from is "").
func (c *client) post(from, path string, form url.Values, hdr map[string]string) response {
	c.t.Helper()
	if from != "" {
		m := csrfField.FindStringSubmatch(c.get(from).body)
		if m == nil {
			c.t.Fatalf("no CSRF token on %s", from)
		}
		form.Set("_csrf", m[1])
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return c.do(req)
}
