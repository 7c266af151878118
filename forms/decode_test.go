package forms

import (
	"errors"
	"strings"
	"testing"
)

type testAntrag struct {
	Antragsteller struct {
		Vorname      string `json:"vorname" validate:"required"`
		Nachname     string `json:"nachname" validate:"required"`
		Geburtsdatum string `json:"geburtsdatum"`
		SteuerID     string `json:"steuerId" validate:"omitempty,steuer_id"`
		Telefon      string `json:"telefon" validate:"omitempty,phone"`
	} `json:"antragsteller"`
	Anschrift struct {
		PLZ string `json:"plz" validate:"plz"`
		ARS string `json:"ars" validate:"omitempty,ars"`
	} `json:"anschrift"`
	Haushalt  []testMitglied `json:"haushalt" validate:"min=1,dive"`
	Einkommen struct {
		BruttoMonat float64 `json:"bruttoMonat"`
		Miete       float64 `json:"miete" validate:"ltfield=BruttoMonat"`
	} `json:"einkommen"`
	Bank struct {
		IBAN string `json:"iban" validate:"required,iban"`
	} `json:"bank"`
	Verwaltung struct {
		Leistungsschluessel string `json:"leistungsschluessel" validate:"omitempty,leika"`
	} `json:"verwaltung"`
}

type testMitglied struct {
	Vorname   string  `json:"vorname" validate:"required,max=20"`
	Einkommen float64 `json:"einkommen" validate:"lte=100000"`
}

func TestDecodeFillsTheStruct(t *testing.T) {
	f := antrag(t)
	var a testAntrag
	if err := f.Decode(readFile(t, "testdata/antrag.valid.json"), &a); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if a.Antragsteller.Vorname != "Erika" || len(a.Haushalt) != 4 || a.Haushalt[1].Vorname != "Max" || a.Einkommen.Miete != 980.5 {
		t.Fatalf("decoded %+v", a)
	}
}

func TestDecodeMergesStructTagProblemsIntoTheSameShape(t *testing.T) {
	f := antrag(t)
	tests := []struct {
		name    string
		changes map[string]any
		want    want
		wantEN  string
	}{
		{"a schema problem comes first and stops decoding",
			map[string]any{"/bank/iban": "DE00"}, want{"/bank/iban", "format", ""}, ""},
		{"a rent above the income is refused by its cross-field tag",
			map[string]any{"/einkommen/miete": 5000}, want{"/einkommen/miete", "validator:ltfield", "„Monatliche Miete in Euro“ muss kleiner als BruttoMonat sein"}, "“Monthly rent in euros” must be less than BruttoMonat"},
		{"a member's income over the tag's limit names the member",
			map[string]any{"/haushalt/1/einkommen": 200000}, want{"/haushalt/1/einkommen", "validator:lte", "„Monatliches Einkommen in Euro (Haushaltsmitglied 2)“ darf 100.000 oder weniger sein"}, ""},
		{"a too long member name is refused by its tag",
			map[string]any{"/haushalt/0/vorname": strings.Repeat("E", 21)}, want{"/haushalt/0/vorname", "validator:max", ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a testAntrag
			got := fieldErrors(t, f.Decode(patch(t, tt.changes), &a))
			checkErrors(t, got, []want{tt.want})
			if tt.wantEN != "" && got[0].MessageEN != tt.wantEN {
				t.Errorf("English = %q, want %q", got[0].MessageEN, tt.wantEN)
			}
		})
	}
}

func TestCheckStructKnowsTheGermanFormatTags(t *testing.T) {
	f := antrag(t)
	var a testAntrag
	a.Antragsteller.Vorname, a.Antragsteller.Nachname = "Erika", "Mustermann"
	a.Antragsteller.SteuerID = "12345678901"
	a.Antragsteller.Telefon = "kein Telefon"
	a.Anschrift.PLZ = "0000"
	a.Anschrift.ARS = "99"
	a.Haushalt = []testMitglied{{Vorname: "Erika"}}
	a.Einkommen.BruttoMonat = 1000
	a.Bank.IBAN = "DE02120300000000202052"
	a.Verwaltung.Leistungsschluessel = "123"
	got := fieldErrors(t, f.CheckStruct(&a))
	checkErrors(t, got, []want{
		{"/antragsteller/steuerId", "validator:steuer_id", "„Steuer-Identifikationsnummer“ muss eine gültige Steuer-Identifikationsnummer sein"},
		{"/antragsteller/telefon", "validator:phone", ""},
		{"/anschrift/plz", "validator:plz", ""},
		{"/anschrift/ars", "validator:ars", ""},
		{"/bank/iban", "validator:iban", "„IBAN“ muss eine gültige IBAN sein"},
		{"/verwaltung/leistungsschluessel", "validator:leika", ""},
	})
	if got[4].MessageEN != "“IBAN” must be a valid IBAN" {
		t.Errorf("English = %q", got[4].MessageEN)
	}
}

func TestDecodeIntoAStructThatDoesNotFitIsAProgrammingError(t *testing.T) {
	f := antrag(t)
	var wrong struct {
		Haushalt string `json:"haushalt"`
	}
	err := f.Decode(readFile(t, "testdata/antrag.valid.json"), &wrong)
	if err == nil || errors.Is(err, ErrDocument) {
		t.Fatalf("Decode = %v, want a plain error", err)
	}
}
