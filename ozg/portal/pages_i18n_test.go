package portal

import (
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// germanTexts collects the German texts of the pages: the literal arguments of t and tf in the
// templates and of tr and trf in the Go code, and the error pages' titles and messages.
func germanTexts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	tmplCall := regexp.MustCompile(`\b(?:t|tf) ("(?:[^"\\]|\\.)*")`)
	names, err := fs.Glob(pageFiles, "pages/*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, _ := pageFiles.ReadFile(n)
		for _, m := range tmplCall.FindAllStringSubmatch(string(b), -1) {
			s, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("%s: %s: %v", n, m[1], err)
			}
			out[s] = n
		}
	}
	goCall := regexp.MustCompile(`\btrf?\([^,"()]+(?:\([^()]*\))?, ("(?:[^"\\]|\\.)*")`)
	files, _ := filepath.Glob("pages*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goCall.FindAllStringSubmatch(string(b), -1) {
			s, _ := strconv.Unquote(m[1])
			out[s] = f
		}
	}
	for _, status := range []int{400, 401, 403, 404, 405, 409, 413, 500, 502, 503} {
		out[errorTitle(status)] = "errorTitle"
		out[statusMessage(status)] = "statusMessage"
	}
	for _, typ := range []string{"urn:ozgkit:problem:csrf", "urn:ozgkit:problem:level-too-low", "urn:ozgkit:problem:login-failed"} {
		title, msg := problemText(http.StatusForbidden, typ)
		out[title], out[msg] = "problemText", "problemText"
	}
	return out
}

// Every German text of the pages has an English translation, and the catalogue holds no
// translation of a text the pages no longer use.
func TestEveryGermanTextHasAnEnglishOne(t *testing.T) {
	texts := germanTexts(t)
	if len(texts) < 100 {
		t.Fatalf("only %d texts found; the scan is broken", len(texts))
	}
	var missing []string
	for de, where := range texts {
		en, ok := english[de]
		if !ok || strings.TrimSpace(en) == "" {
			missing = append(missing, where+": "+strconv.Quote(de))
			continue
		}
		if strings.Count(de, "%") != strings.Count(en, "%") {
			t.Errorf("%q and %q have different format verbs", de, en)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("%d texts without English:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	for de := range english {
		if _, ok := texts[de]; !ok {
			t.Errorf("english has %q, which no page uses", de)
		}
	}
}

// No template writes text outside t and tf: every visible word and every label attribute comes
// from an action, so none escapes the translation.
func TestTemplatesHaveNoBareText(t *testing.T) {
	action := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	names, _ := fs.Glob(pageFiles, "pages/*.tmpl")
	letters := regexp.MustCompile(`\p{L}{2,}`)
	for _, n := range names {
		b, _ := pageFiles.ReadFile(n)
		src := action.ReplaceAll(b, []byte("X"))
		z := html.NewTokenizer(bytes.NewReader(src))
		inScript := false
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				inScript = tok.Data == "script" || tok.Data == "style"
				for _, a := range tok.Attr {
					if (a.Key == "aria-label" || a.Key == "alt" || a.Key == "title" || a.Key == "placeholder") && letters.MatchString(strings.ReplaceAll(a.Val, "X", "")) {
						t.Errorf("%s: <%s %s=%q> is not translated", n, tok.Data, a.Key, a.Val)
					}
				}
			case html.EndTagToken:
				inScript = false
			case html.TextToken:
				if inScript || n == "pages/layout.tmpl" && strings.Contains(tok.Data, "doctype") {
					continue
				}
				if txt := strings.ReplaceAll(tok.Data, "X", ""); letters.MatchString(txt) {
					t.Errorf("%s: bare text %q", n, strings.TrimSpace(tok.Data))
				}
			}
		}
	}
}

func TestAcceptLanguage(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", "de"},
		{"en", "en"},
		{"en-US,en;q=0.9", "en"},
		{"de-DE,de;q=0.9,en;q=0.8", "de"},
		{"fr-FR,fr;q=0.9,en;q=0.8,de;q=0.7", "en"},
		{"fr-FR,fr;q=0.9", "de"},
		{"en;q=0.5,de;q=0.5", "de"},
		{"en;q=0", "de"},
		{"en;q=abc,de;q=0.1", "de"},
		{"en;q=2", "de"},
		{strings.Repeat("fr,", 40) + "en", "de"},
	} {
		if got := acceptLanguage(tc.header); got != tc.want {
			t.Errorf("Accept-Language %q: %s, want %s", tc.header, got, tc.want)
		}
	}
}

func FuzzAcceptLanguage(f *testing.F) {
	for _, s := range []string{"", "de", "en-GB,en;q=0.9", "en;q=0.5,de;q=0.5", "*;q=0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got := acceptLanguage(h); got != "de" && got != "en" {
			t.Fatalf("%q: %q", h, got)
		}
	})
}
