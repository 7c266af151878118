package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPagesNeedLogin checks that the citizen's pages send a browser to login at the service's
// level, answer API clients with a problem instead, and refuse a post without the CSRF token.
func TestPagesNeedLogin(t *testing.T) {
	w := newWorld(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct{ path, want string }{
		{"/leistungen/wohngeld/antrag", "/auth/login?level=substantial&return=%2Fleistungen%2Fwohngeld%2Fantrag"},
		{"/leistungen/bewohnerparkausweis/antrag", "/auth/login?level=basic&return=%2Fleistungen%2Fbewohnerparkausweis%2Fantrag"},
		{"/postfach", "/auth/login?level=basic&return=%2Fpostfach"},
		{"/antraege", "/auth/login?level=basic&return=%2Fantraege"},
		{"/antraege/x/pruefen", "/auth/login?level=basic&return=%2Fantraege%2Fx%2Fpruefen"},
	} {
		req, _ := http.NewRequest(http.MethodGet, w.base+tc.path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", tc.path, resp.StatusCode, got, tc.want)
		}
	}
	// The public pages need none.
	c := newWebClient(t, w.base)
	c.get("/").mustContain(t, 200, "Leistungen online beantragen")
	c.get("/leistungen/wohngeld").mustContain(t, 200, "Jetzt online beantragen")

	// An API client (no HTML wanted) gets 401 as a problem document, not a login page.
	resp, err := noRedirect.Get(w.base + "/postfach")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("GET /postfach without Accept: text/html: %d %s, want 401 problem", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// A post from a logged-out browser goes to login, then to the page it came from.
	resp, err = noRedirect.PostForm(w.base+"/leistungen/wohngeld/antrag", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(got, "/auth/login?level=substantial&return=%2Fleistungen%2Fwohngeld%2Fantrag") {
		t.Errorf("logged-out post: %d to %q", resp.StatusCode, got)
	}

	if err := w.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	c.get("/leistungen/wohngeld/antrag").mustContain(t, 200, "Antrag starten")
	resp, err = c.client.PostForm(w.base+"/leistungen/wohngeld/antrag", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("post without CSRF token: %d, want 403", resp.StatusCode)
	}

	// Logging out (the header's button) ends the session.
	home := c.get("/")
	home.mustContain(t, 200, "Abmelden")
	out := c.submit(home, "Abmelden", "", "", nil)
	if out.Status != http.StatusOK || strings.Contains(c.get("/").Body, "Abmelden") {
		t.Errorf("still logged in after logout: %d", out.Status)
	}
}

// TestLoginErrorsArePages checks what a citizen sees when a login does not work out: a
// cancelled login and one below the service's level give an HTML page in the citizen's
// language with a way back, never a problem document.
func TestLoginErrorsArePages(t *testing.T) {
	for _, tc := range []struct {
		name, lang string
		want       []string
	}{
		{"in German", "de-DE,de;q=0.9,en;q=0.5", []string{`<html lang="de">`, "Anmeldung", "Zur Startseite"}},
		{"in English", "en-GB,en;q=0.9", []string{`<html lang="en">`, "Login", "To the start page"}},
	} {
		t.Run("a cancelled login "+tc.name, func(t *testing.T) {
			w := newWorld(t)
			c := newWebClient(t, w.base)
			c.lang = tc.lang
			chooser := c.get("/leistungen/wohngeld/antrag") // the provider's page: nobody logged in yet
			if !strings.Contains(chooser.URL.Path, "/idp/") || !strings.Contains(chooser.Body, `name="cancel"`) {
				t.Fatalf("no login page with a cancel button: %s\n%s", chooser.URL, chooser.Body)
			}
			action, html := chooser.form(t, `name="cancel"`)
			vals := formValues(t, html, "cancel", "1")
			req, _ := http.NewRequest(http.MethodPost, chooser.URL.ResolveReference(mustURL(t, action)).String(), strings.NewReader(vals.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			got := c.do(req)
			got.mustContain(t, http.StatusBadRequest, append(tc.want, "/antraege")...)
			if got.URL.Path != "/auth/callback" {
				t.Errorf("ended at %s", got.URL.Path)
			}
		})
		t.Run("too low a level "+tc.name, func(t *testing.T) {
			w := newWorld(t)
			// Lena has only username and password (basic): she can use the parking permit's
			// pages, but Wohngeld asks for substantial; her step-up login comes back at basic.
			if err := w.idp.SetAutoLogin("lena"); err != nil {
				t.Fatal(err)
			}
			c := newWebClient(t, w.base)
			c.lang = tc.lang
			box := c.get("/postfach")
			if tc.lang[:2] == "de" {
				box.mustContain(t, 200, "Nutzerkonto (Basisregistrierung)", "Keine ungelesenen Nachrichten.")
			} else {
				box.mustContain(t, 200, "User account (basic registration)", "No unread messages.")
			}
			got := c.get("/leistungen/wohngeld/antrag")
			got.mustContain(t, http.StatusForbidden, tc.want...)
			if tc.lang[:2] == "de" {
				got.mustContain(t, http.StatusForbidden, "zu niedriges Vertrauensniveau", "Online-Ausweis")
			}
		})
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Uploads that are not what the form sends are answered on the evidence page, and nothing is
// stored: no file, a truncated body, a requirement the service does not have, a body too large.
func TestBadUploads(t *testing.T) {
	w := newWorld(t)
	if err := w.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, w.base)
	step := c.submit(c.get("/leistungen/wohngeld/antrag"), "Antrag starten", "", "", nil)
	base := "/antraege/" + strings.Split(step.URL.Path, "/")[2]
	ev := c.get(base + "/nachweise")
	_, html := ev.form(t, `name="requirement" value="mietvertrag"`)
	tok := formValues(t, html, "", "").Get("_csrf")
	post := func(body, ct string) page {
		req, _ := http.NewRequest(http.MethodPost, w.base+base+"/nachweise", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Origin", w.base)
		return c.do(req)
	}
	head := "--b\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + tok + "\r\n"
	req := func(id string) string {
		return "--b\r\nContent-Disposition: form-data; name=\"requirement\"\r\n\r\n" + id + "\r\n"
	}
	file := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"no file", head + req("mietvertrag") + "--b--\r\n", 400, "Bitte wählen Sie eine Datei aus."},
		{"a truncated body", head + req("mietvertrag") + file + "%PDF-1.4 abgeschnitten", 400, "nicht vollständig angekommen"},
		{"an unknown requirement", head + req("reisepass") + file + string(samplePDF("x")) + "\r\n--b--\r\n", 400, "Diesen Nachweis verlangt die Leistung nicht."},
		{"a file above the limit", head + req("mietvertrag") + file + "%PDF-1.4\n" + strings.Repeat("x", 11<<20) + "\r\n--b--\r\n", 413, "zu groß"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			post(tc.body, "multipart/form-data; boundary=b").mustContain(t, tc.status, tc.want)
		})
	}
	if strings.Contains(c.get(base+"/nachweise").Body, `class="file-name"`) {
		t.Fatal("a refused upload left a file")
	}
	// Without the token first in the body the Gate refuses the post.
	post(req("mietvertrag")+head+file+string(samplePDF("x"))+"\r\n--b--\r\n", "multipart/form-data; boundary=b").mustContain(t, 403, "Formular abgelaufen")
}
