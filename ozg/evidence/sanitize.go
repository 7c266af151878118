package evidence

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxFileNameLength is the longest sanitised file name, in bytes of UTF-8.
const MaxFileNameLength = 255

// DefaultFileName stands in for a file name that is empty after sanitising.
const DefaultFileName = "datei"

// SanitizeFileName turns the file name a client sent into one that is safe to keep as metadata
// and to offer again in a Content-Disposition header. It is never used as a path: blob keys are
// random. The result
//   - is the last element of any path the client sent (both / and \ separate),
//   - is NFKC-normalised valid UTF-8 (invalid bytes become "_"),
//   - has no control or format characters (NUL, bidi overrides such as U+202E, zero-width
//     characters), no slash-like, quote or shell-special characters (they become "_"),
//   - does not start with "." or space, does not end with "." or space, collapses runs of space,
//   - is not a reserved Windows device name (CON, NUL, COM1, ...: an "_" is prefixed),
//   - is at most [MaxFileNameLength] bytes, keeping a short extension,
//   - is [DefaultFileName] when nothing is left.
//
// SanitizeFileName(SanitizeFileName(s)) == SanitizeFileName(s).
func SanitizeFileName(name string) string {
	// Removing invisible characters can bring a letter and a combining mark together, which
	// normalisation then composes; repeat until nothing changes (in practice once or twice).
	out := sanitizeOnce(name)
	for range 4 {
		again := sanitizeOnce(out)
		if again == out {
			break
		}
		out = again
	}
	return out
}

func sanitizeOnce(name string) string {
	// Work on a bounded prefix: a megabyte-long name has nothing worth keeping past that.
	if len(name) > 4*MaxFileNameLength {
		name = name[len(name)-4*MaxFileNameLength:]
	}
	name = strings.ToValidUTF8(name, "_")
	name = norm.NFKC.String(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	b.Grow(len(name))
	lastSpace := false
	for _, r := range name {
		switch {
		case r == utf8.RuneError:
			r = '_'
		case unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) ||
			unicode.Is(unicode.Cs, r) || r == '\u2028' || r == '\u2029':
			continue // invisible: control, format (bidi, zero width), private use
		case unicode.IsSpace(r):
			r = ' '
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
		case strings.ContainsRune("-_.,()[]+&@#=~!'", r):
		default:
			r = '_' // separators and look-alikes, quotes, < > : | ? * % $ ` ; and symbols
		}
		if r == ' ' {
			if lastSpace {
				continue
			}
			lastSpace = true
		} else {
			lastSpace = false
		}
		b.WriteRune(r)
	}
	name = trimName(b.String())
	name = truncateName(name)
	if name == "" {
		return DefaultFileName
	}
	if isReservedDeviceName(name) {
		name = truncateName("_" + name)
	}
	return name
}

func trimName(s string) string {
	return strings.Trim(strings.TrimLeft(s, ". "), ". ")
}

// truncateName cuts s to MaxFileNameLength bytes on a rune boundary, keeping an extension of
// up to 16 bytes.
func truncateName(s string) string {
	for len(s) > MaxFileNameLength {
		ext := ""
		if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= 16 {
			ext = s[i:]
		}
		base := s[:len(s)-len(ext)]
		cut := MaxFileNameLength - len(ext)
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		s = trimName(base[:cut] + ext)
	}
	return s
}

func isReservedDeviceName(name string) bool {
	base := name
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) &&
		base[3] >= '0' && base[3] <= '9' {
		return true
	}
	return false
}

// fileExtension returns the lower-case extension of a sanitised name ("" when none).
func fileExtension(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return ""
	}
	return strings.ToLower(name[i:])
}
