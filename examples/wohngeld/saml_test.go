package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity/samltest"
)

// TestExampleWithSAMLLogin runs the example with -login saml: the citizen logs in over SAML 2.0
// (HTTP-POST binding, as BundID answers) at the level Wohngeld needs and starts an application.
func TestExampleWithSAMLLogin(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	e, err := start(ctx, config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Login: "saml", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.portal.Serve(ctx, e.ln) }()
	t.Cleanup(func() { cancel(); <-done; e.close(nil) })
	if err := e.samlIdP.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}

	jar, _ := cookiejar.New(nil)
	noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(e.base + "/auth/login?level=substantial&return=/api/session")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	authURL := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther || !strings.Contains(authURL, "SAMLRequest") {
		t.Fatalf("login: %s to %q, want a redirect carrying a SAMLRequest", resp.Status, authURL)
	}
	form, err := samltest.Login(noFollow, authURL)
	if err != nil {
		t.Fatal(err)
	}
	// The identity provider's page posts the response to the portal; the portal posts it once
	// more from its own origin (so the login cookie comes along) and then lands on the session.
	follow := &http.Client{Jar: jar}
	for range 2 {
		resp, err = follow.PostForm(form.Action, form.Fields)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			break
		}
		base, _ := url.Parse(e.base)
		form, err = samltest.ParseForm(resp.Body, base, "SAMLResponse")
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	var session struct {
		Subject, Level string
		CSRFToken      string `json:"csrfToken"`
	}
	err = json.NewDecoder(resp.Body).Decode(&session)
	resp.Body.Close()
	if err != nil || session.Level != "high" && session.Level != "substantial" {
		t.Fatalf("session after the SAML login: %+v, %v (status %s)", session, err, resp.Status)
	}
	req, _ := http.NewRequest("POST", e.base+"/api/services/wohngeld/applications", nil)
	req.Header.Set("X-CSRF-Token", session.CSRFToken)
	req.Header.Set("Origin", e.base)
	resp, err = follow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("a draft after the SAML login: %s", resp.Status)
	}
}
