package validate

import "testing"

func TestDomainRules(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"a 14-digit key starting with 99 is a LeiKa key", IsLeikaKey, "99107004017000", true},
		{"a 13-digit key is not", IsLeikaKey, "9910700401700", false},
		{"a key starting with 98 is not", IsLeikaKey, "98107004017000", false},
		{"a Kiel ARS is an ARS", IsARS, "010020000000", true},
		{"an 11-digit ARS is not", IsARS, "01002000000", false},
		{"Land 17 does not exist", IsARS, "170020000000", false},
		{"Land 00 does not exist", IsARS, "000020000000", false},
		{"letters are no ARS", IsARS, "01002000000a", false},
		{"wohngeld is a slug", IsSlug, "wohngeld", true},
		{"hyphenated words are a slug", IsSlug, "wohngeld-mietzuschuss-2", true},
		{"upper case is no slug", IsSlug, "Wohngeld", false},
		{"a double hyphen is no slug", IsSlug, "a--b", false},
		{"a trailing hyphen is no slug", IsSlug, "a-", false},
		{"application/pdf is an evidence type", IsEvidenceMediaType, "application/pdf", true},
		{"image/jpeg is an evidence type", IsEvidenceMediaType, "image/jpeg", true},
		{"an unknown type is not", IsEvidenceMediaType, "application/x-wohngeld", false},
		{"a type with parameters is not", IsEvidenceMediaType, "text/plain; charset=utf-8", false},
		{"upper case is not", IsEvidenceMediaType, "Application/PDF", false},
		{"a bare word is not", IsEvidenceMediaType, "pdf", false},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s: got %v for %q", tt.name, got, tt.in)
		}
	}
}
