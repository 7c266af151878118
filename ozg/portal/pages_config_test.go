package portal_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms/formstest"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/portal"
)

// freeCatalog is a catalogue whose service needs no evidence and no fee.
func freeCatalog(t testing.TB) (*ozg.Catalog, *ozg.Applications) {
	t.Helper()
	svc := testServices(t)[1]
	svc.Fee, svc.Evidence = nil, nil
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat := ozg.NewCatalog(&ozg.CatalogOptions{Logger: quiet})
	if err := cat.Register(svc); err != nil {
		t.Fatal(err)
	}
	return cat, ozg.NewApplications(cat, ozg.NewMemoryStore(), nil)
}

func testGate(t testing.TB) *identity.Gate {
	t.Helper()
	ring, err := identity.NewKeyring(identity.Key{ID: "k", Secret: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := identity.NewSessions(ring, nil)
	if err != nil {
		t.Fatal(err)
	}
	return identity.NewGate(sessions, nil, nil, nil)
}

func TestNewPagesChecksItsConfiguration(t *testing.T) {
	cat, apps := freeCatalog(t)
	gate := testGate(t)
	ok := portal.PagesConfig{Catalog: cat, Applications: apps, Gate: gate, Theme: testTheme}
	for _, tc := range []struct {
		name   string
		change func(*portal.PagesConfig)
		want   string // "" when the configuration is fine
	}{
		{"a complete configuration is taken", func(*portal.PagesConfig) {}, ""},
		{"theme colours are taken as #rrggbb", func(c *portal.PagesConfig) { c.Theme.PrimaryColor, c.Theme.AccentColor = "#003064", "#D4001B" }, ""},
		{"a primary colour written otherwise is refused", func(c *portal.PagesConfig) { c.Theme.PrimaryColor = "blue" }, "PrimaryColor \"blue\" must be a colour written #rrggbb"},
		{"an accent colour of three digits is refused", func(c *portal.PagesConfig) { c.Theme.AccentColor = "#f00" }, "AccentColor \"#f00\""},
		{"a primary colour too light for white text is refused", func(c *portal.PagesConfig) { c.Theme.PrimaryColor = "#7fb2e5" }, "at least 4.5:1"},
		{"a missing Impressum is refused", func(c *portal.PagesConfig) { c.Theme.ImprintURL = "" }, "Theme.ImprintURL is required"},
		{"a missing Datenschutzerklärung is refused", func(c *portal.PagesConfig) { c.Theme.PrivacyURL = "" }, "Theme.PrivacyURL is required"},
		{"a missing Barrierefreiheitserklärung is refused", func(c *portal.PagesConfig) { c.Theme.AccessibilityURL = "" }, "Theme.AccessibilityURL is required"},
		{"a script URL as legal link is refused", func(c *portal.PagesConfig) { c.Theme.PrivacyURL = "javascript:alert(1)" }, "PrivacyURL \"javascript:alert(1)\" must be a path"},
		{"a logo without text alternative is refused", func(c *portal.PagesConfig) { c.Theme.LogoURL = "/logo.svg" }, "LogoAlt is required"},
		{"a logo over plain http is refused", func(c *portal.PagesConfig) { c.Theme.LogoURL, c.Theme.LogoAlt = "http://cdn.example/logo.png", "Kiel" }, "LogoURL"},
		{"no gate is refused", func(c *portal.PagesConfig) { c.Gate = nil }, "need the identity Gate"},
		{"no catalogue is refused", func(c *portal.PagesConfig) { c.Catalog = nil }, "need a Catalog and Applications"},
		{"a login path with a host is refused", func(c *portal.PagesConfig) { c.LoginPath = "//evil.example/login" }, "LoginPath"},
		{"a base URL with a query is refused", func(c *portal.PagesConfig) { c.BaseURL = "https://portal.example/?x=1" }, "BaseURL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.change(&cfg)
			_, err := portal.NewPages(cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && err == nil:
				t.Fatal("taken")
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
		})
	}
	// A service with a fee needs the base URL for the payment's return.
	world := testServices(t)
	cat2 := ozg.NewCatalog(nil)
	if err := cat2.Register(world[1]); err != nil {
		t.Fatal(err)
	}
	cfg := ok
	cfg.Catalog = cat2
	if _, err := portal.NewPages(cfg); err == nil || !strings.Contains(err.Error(), "another catalogue") {
		t.Errorf("applications of another catalogue: %v", err)
	}
	cfg.Applications = ozg.NewApplications(cat2, ozg.NewMemoryStore(), nil)
	_, err := portal.NewPages(cfg)
	for _, want := range []string{"no evidence store", "no payment service", "PagesConfig.BaseURL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a service with evidence and a fee but no parts: %v, want %q", err, want)
		}
	}
}

// The theme's colours reach the style sheet as custom properties; the pages carry no inline
// style, so the Content-Security-Policy's style-src 'self' holds.
func TestThemeStylesheet(t *testing.T) {
	cat, apps := freeCatalog(t)
	theme := testTheme
	theme.PrimaryColor, theme.AccentColor, theme.LogoURL, theme.LogoAlt = "#003064", "#D4001B", "/wappen.svg", "Wappen der Stadt Kiel"
	p, err := portal.NewPages(portal.PagesConfig{Catalog: cat, Applications: apps, Gate: testGate(t), Theme: theme})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/portal.css", nil))
	css := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") ||
		!strings.Contains(css, "--primary: #003064;") || !strings.Contains(css, "--accent: #d4001b;") || !strings.Contains(css, "var(--primary)") {
		t.Fatalf("style sheet: %d %s\n%.300s", rec.Code, rec.Header().Get("Content-Type"), css)
	}
	req := httptest.NewRequest(http.MethodGet, "/portal.css", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec2 := httptest.NewRecorder()
	p.ServeHTTP(rec2, req)
	if rec2.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", rec2.Code)
	}
	rec = httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	for _, want := range []string{`<img class="logo" src="/wappen.svg" alt="Wappen der Stadt Kiel">`, `href="/portal.css"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("start page lacks %s", want)
		}
	}
	if strings.Contains(rec.Body.String(), "style=") || strings.Contains(rec.Body.String(), "<style") {
		t.Error("inline style on the start page")
	}
}

// ErrorPage and NotFound answer pages that pass formstest.Check, in the citizen's language.
func TestErrorPages(t *testing.T) {
	cat, apps := freeCatalog(t)
	p, err := portal.NewPages(portal.PagesConfig{Catalog: cat, Applications: apps, Gate: testGate(t), Theme: testTheme})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, lang string
		status     int
		message    string
		want       []string
	}{
		{"a login below the level in German", "de", 403, "", []string{"Anmeldung reicht nicht aus", "Online-Ausweis", `href="/antraege"`, `href="/"`}},
		{"a cancelled login in English", "en", 400, "", []string{"Login not completed", "The login was cancelled", "To the start page"}},
		{"a known German message is translated", "en", 409, "Der Antrag wurde inzwischen an anderer Stelle geändert. Bitte laden Sie die Seite neu und prüfen Sie Ihre Angaben.", []string{"changed elsewhere"}},
		{"a server error", "de", 500, "", []string{"technischer Fehler"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/auth/callback", nil)
			req.Header.Set("Accept-Language", tc.lang)
			p.ErrorPage(rec, req, tc.status, tc.message)
			if rec.Code != tc.status || rec.Header().Get("Content-Language") != tc.lang {
				t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Language"))
			}
			for _, w := range tc.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("lacks %q:\n%s", w, rec.Body)
				}
			}
			if err := formstest.Check(strings.NewReader(rec.Body.String())); err != nil {
				t.Error(err)
			}
		})
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/leistungen/bewohnerparkausweis", nil))
	if rec.Code != http.StatusMethodNotAllowed || !strings.Contains(rec.Header().Get("Allow"), "GET") {
		t.Errorf("PUT on a page: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}
