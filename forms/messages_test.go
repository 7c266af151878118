package forms

import (
	"strings"
	"testing"
)

func TestEveryMessageKeyHasGermanAndEnglish(t *testing.T) {
	p := messageParams{labelDE: "Feld", labelEN: "Field", limit: "1.5", otherDE: "Anderes", otherEN: "Other"}
	for _, key := range MessageKeys() {
		t.Run(key, func(t *testing.T) {
			m := messages[key]
			if m.DE == "" || m.EN == "" {
				t.Fatalf("message %q: German %q, English %q", key, m.DE, m.EN)
			}
			if m.DE == m.EN {
				t.Errorf("message %q: German and English are the same: %q", key, m.DE)
			}
			de, en := render(key, nil, p)
			for _, s := range []string{de, en} {
				if strings.ContainsAny(s, "{}") {
					t.Errorf("message %q has an unknown placeholder: %q", key, s)
				}
			}
			if strings.Contains(m.DE, "{limit}") && !strings.Contains(de, "1,5") {
				t.Errorf("German message %q does not use a decimal comma: %q", key, de)
			}
			if strings.Contains(m.EN, "{limit}") && !strings.Contains(en, "1.5") {
				t.Errorf("English message %q lost the limit: %q", key, en)
			}
			if strings.Contains(m.DE, "{label}") != strings.Contains(m.EN, "{label}") {
				t.Errorf("message %q: only one language names the field", key)
			}
		})
	}
}

func TestFieldMessagesOverrideTheCatalogue(t *testing.T) {
	fld := &Field{Messages: map[string]Text{"format": {DE: "Eigene Meldung zu {label}.", EN: "Own message about {label}."}}}
	de, en := render("format.iban", fld, messageParams{labelDE: "IBAN", labelEN: "IBAN"})
	if de != "Eigene Meldung zu IBAN." || en != "Own message about IBAN." {
		t.Fatalf("render = %q, %q", de, en)
	}
	de, _ = render("required", fld, messageParams{labelDE: "IBAN"})
	if de != "Bitte füllen Sie das Feld „IBAN“ aus." {
		t.Fatalf("render(required) = %q", de)
	}
}
