package evidence_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

func TestSanitizeFileName(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"a plain name is kept", "Mietvertrag.pdf", "Mietvertrag.pdf"},
		{"umlauts are kept and composed", "Gehaltsnachweis Ma\u0308rz.pdf", "Gehaltsnachweis März.pdf"},
		{"a unix path keeps its last element", "../../etc/passwd", "passwd"},
		{"a windows path keeps its last element", `C:\Users\anna\Scan.jpg`, "Scan.jpg"},
		{"fullwidth and division slashes separate too", "a\uFF0Fb\u2215c.pdf", "b_c.pdf"},
		{"NUL and control characters vanish", "a\x00b\x07c\n.pdf", "abc.pdf"},
		{"bidi overrides vanish", "invoice\u202Egpj.exe", "invoicegpj.exe"},
		{"zero-width characters vanish", "sc\u200Ban\u200D.pdf", "scan.pdf"},
		{"quotes and shell characters become underscores", `a"b'c;d$e|f.pdf`, "a_b'c_d_e_f.pdf"},
		{"leading dots and spaces go", " ..hidden.pdf", "hidden.pdf"},
		{"trailing dots and spaces go", "name.pdf. . ", "name.pdf"},
		{"runs of space collapse", "a \t  b.pdf", "a b.pdf"},
		{"only dots become the default", "...", evidence.DefaultFileName},
		{"empty becomes the default", "", evidence.DefaultFileName},
		{"device names are defused", "nul.txt", "_nul.txt"},
		{"COM ports are defused", "COM1", "_COM1"},
		{"invalid UTF-8 is replaced", "a\xff\xfeb.pdf", "a_b.pdf"},
		{"ligatures are folded", "ﬁnanzamt.pdf", "finanzamt.pdf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := evidence.SanitizeFileName(c.in); got != c.want {
				t.Fatalf("SanitizeFileName(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestSanitizeFileNameCutsLongNamesKeepingTheExtension(t *testing.T) {
	got := evidence.SanitizeFileName(strings.Repeat("ß", 1000) + ".pdf")
	if len(got) > evidence.MaxFileNameLength || !strings.HasSuffix(got, ".pdf") || !utf8.ValidString(got) {
		t.Fatalf("got %q (%d bytes)", got, len(got))
	}
}

// checkSafeFileName fails when s breaks a promise of SanitizeFileName.
func checkSafeFileName(t *testing.T, in, s string) {
	t.Helper()
	switch {
	case s == "":
		t.Fatalf("SanitizeFileName(%q) is empty", in)
	case len(s) > evidence.MaxFileNameLength:
		t.Fatalf("SanitizeFileName(%q) has %d bytes", in, len(s))
	case !utf8.ValidString(s):
		t.Fatalf("SanitizeFileName(%q) = %q is not UTF-8", in, s)
	case strings.ContainsAny(s, "/\\\"<>:|?*`$;%"):
		t.Fatalf("SanitizeFileName(%q) = %q keeps a special character", in, s)
	case s[0] == '.' || s[0] == ' ' || s[len(s)-1] == '.' || s[len(s)-1] == ' ':
		t.Fatalf("SanitizeFileName(%q) = %q starts or ends with dot or space", in, s)
	case s == "." || s == "..":
		t.Fatalf("SanitizeFileName(%q) = %q", in, s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') {
			t.Fatalf("SanitizeFileName(%q) = %q keeps %U", in, s, r)
		}
	}
	if again := evidence.SanitizeFileName(s); again != s {
		t.Fatalf("not idempotent: %q -> %q -> %q", in, s, again)
	}
}

func FuzzSanitizeFileName(f *testing.F) {
	for _, s := range []string{"Mietvertrag.pdf", "../../etc/passwd", `C:\x\y.jpg`, "a\x00b", "\u202Egpj.exe",
		"CON", "...", strings.Repeat("ä", 300) + ".pdf", "a\uFF0Fb", "e\u0301\u200D\u0301", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafeFileName(t, in, evidence.SanitizeFileName(in))
	})
}
