package portal

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

//go:embed pages
var pageFiles embed.FS

// Theme names and colours the portal and links its legal pages. German law requires the three
// legal links on a public authority's site (Impressum: § 5 DDG; Datenschutzerklärung: Art. 13
// DSGVO; Barrierefreiheitserklärung: § 12b BGG and the Länder's laws).
type Theme struct {
	// Name is the portal's name in the header and the page titles, e.g. "Serviceportal Kiel";
	// NameEN its English name (default Name).
	Name, NameEN string
	// LogoURL is an optional logo shown before the name: a path of this portal or an https URL
	// (which the Content-Security-Policy's img-src must then allow). LogoAlt is its text
	// alternative, required with a logo.
	LogoURL, LogoAlt string
	// PrimaryColor (header, buttons' focus frame, links' hover) and AccentColor (the header's
	// bottom line) as "#rrggbb". The primary colour carries white text, so it must have a
	// contrast of at least 4.5:1 with white (WCAG 2.1 AA). Default a neutral blue and red.
	PrimaryColor, AccentColor string
	// ImprintURL (Impressum), PrivacyURL (Datenschutzerklärung) and AccessibilityURL
	// (Barrierefreiheitserklärung): paths of this portal or http(s) URLs. Required.
	ImprintURL, PrivacyURL, AccessibilityURL string
	// FooterNote is an optional line in the footer.
	FooterNote string
}

// The default colours: a dark neutral blue and a signal red.
const (
	DefaultPrimaryColor = "#1c4f8a"
	DefaultAccentColor  = "#c8102e"
)

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// withDefaults fills the defaults and checks the theme.
func (t Theme) withDefaults() (Theme, error) {
	var errs []error
	if t.Name == "" {
		t.Name = "Serviceportal"
	}
	if t.NameEN == "" {
		t.NameEN = t.Name
	}
	if len(t.Name) > 200 || len(t.NameEN) > 200 || len(t.FooterNote) > 1000 || len(t.LogoAlt) > 200 {
		errs = append(errs, errors.New("portal: Theme.Name, NameEN and LogoAlt take at most 200 bytes, FooterNote 1000"))
	}
	if t.PrimaryColor == "" {
		t.PrimaryColor = DefaultPrimaryColor
	}
	if t.AccentColor == "" {
		t.AccentColor = DefaultAccentColor
	}
	for name, c := range map[string]string{"PrimaryColor": t.PrimaryColor, "AccentColor": t.AccentColor} {
		if !hexColor.MatchString(c) {
			errs = append(errs, fmt.Errorf("portal: Theme.%s %q must be a colour written #rrggbb", name, c))
		}
	}
	if hexColor.MatchString(t.PrimaryColor) {
		if c := contrastWithWhite(t.PrimaryColor); c < 4.5 {
			errs = append(errs, fmt.Errorf("portal: Theme.PrimaryColor %s has a contrast of %.1f:1 with white text; at least 4.5:1 is needed (WCAG 2.1 AA)", t.PrimaryColor, c))
		}
	}
	for _, l := range []struct{ name, value, what string }{
		{"ImprintURL", t.ImprintURL, "the Impressum"},
		{"PrivacyURL", t.PrivacyURL, "the Datenschutzerklärung"},
		{"AccessibilityURL", t.AccessibilityURL, "the Barrierefreiheitserklärung"},
	} {
		if l.value == "" {
			errs = append(errs, fmt.Errorf("portal: Theme.%s is required: a public authority's portal must link %s", l.name, l.what))
		} else if !linkURL(l.value, false) {
			errs = append(errs, fmt.Errorf("portal: Theme.%s %q must be a path of this portal or an http(s) URL", l.name, l.value))
		}
	}
	if t.LogoURL != "" {
		if !linkURL(t.LogoURL, true) {
			errs = append(errs, fmt.Errorf("portal: Theme.LogoURL %q must be a path of this portal or an https URL", t.LogoURL))
		}
		if strings.TrimSpace(t.LogoAlt) == "" {
			errs = append(errs, errors.New("portal: Theme.LogoAlt is required with a logo (its text alternative)"))
		}
	}
	return t, errors.Join(errs...)
}

// linkURL accepts a local path or an absolute https (or, unless httpsOnly, http) URL.
func linkURL(s string, httpsOnly bool) bool {
	if len(s) > 2000 {
		return false
	}
	if strings.HasPrefix(s, "/") {
		return !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\\x00\r\n")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	return u.Scheme == "https" || !httpsOnly && u.Scheme == "http"
}

// contrastWithWhite is the WCAG 2.1 contrast ratio of c ("#rrggbb") with white.
func contrastWithWhite(c string) float64 {
	lin := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(c[1:3]) + 0.7152*lin(c[3:5]) + 0.0722*lin(c[5:7])
	return 1.05 / (l + 0.05)
}

// stylesheet is the theme's colours as CSS custom properties followed by pages/pages.css, and
// its ETag. There is no inline style: the Content-Security-Policy allows style sheets of the
// portal only.
func stylesheet(t Theme) ([]byte, string) {
	base, err := pageFiles.ReadFile("pages/pages.css")
	if err != nil {
		panic(err) // embedded
	}
	css := fmt.Appendf(nil, ":root { --primary: %s; --accent: %s; }\n", strings.ToLower(t.PrimaryColor), strings.ToLower(t.AccentColor))
	css = append(css, base...)
	sum := sha256.Sum256(css)
	return css, `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (p *Pages) serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("ETag", p.cssETag)
	if r.Header.Get("If-None-Match") == p.cssETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(p.css)
}
