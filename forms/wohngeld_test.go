package forms

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestTheExampleWohngeldFormServesEveryHousehold walks the example's Wohngeld form page by page
// as a browser does, for a person who lives alone in a rented flat and for an owner with a
// household: the pages that apply, the questions on them, and a complete application at the end.
func TestTheExampleWohngeldFormServesEveryHousehold(t *testing.T) {
	f, err := LoadFS(os.DirFS("../examples/wohngeld"), "wohngeld.schema.json", &Options{Now: func() time.Time { return testDay }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFS(os.DirFS("../examples/wohngeld"), "parkausweis.schema.json", nil); err != nil {
		t.Fatal(err)
	}
	person := map[string][]string{
		"/antragsteller/vorname": one("Erika"), "/antragsteller/nachname": one("Mustermann"), "/antragsteller/geburtsdatum": one("1964-08-12"),
		"/antragsteller/staatsangehoerigkeit": one("deutsch"), "/antragsteller/familienstand": one("ledig"),
		"/anschrift/strasse": one("Heidestraße"), "/anschrift/hausnummer": one("17"), "/anschrift/plz": one("51147"), "/anschrift/ort": one("Köln"),
	}
	rest := map[string]map[string][]string{
		"einkommen": {"/einkommen/art": one("rente"), "/einkommen/bruttoMonatlich": one("1.450,00")},
		"abschluss": {"/bankverbindung/kontoinhaber": one("Erika Mustermann"), "/bankverbindung/iban": one(ExampleIBAN),
			"/erklaerungen/richtigkeit": one("true"), "/erklaerungen/datenschutz": one("true")},
	}
	tests := []struct {
		name    string
		alone   string
		wohnung map[string][]string
		members int
		steps   []string
		hidden  []string // fields the wohnung page must not ask
	}{
		{"a tenant who lives alone skips the household", "false",
			map[string][]string{"/wohnung/nutzung": one("miete"), "/wohnung/einzugsdatum": one("2019-04-01"), "/wohnung/wohnflaeche": one("48,5"),
				"/wohnung/zimmer": one("2"), "/wohnung/kaltmiete": one("420"), "/wohnung/nebenkosten": one("90")},
			0, []string{"person", "wohnung", "einkommen", "abschluss"}, []string{"/wohnung/belastung", "/wohnung/hauptmieter"}},
		{"an owner with a household is asked for the Belastung and the members", "true",
			map[string][]string{"/wohnung/nutzung": one("eigentum"), "/wohnung/einzugsdatum": one("2001-10-01"), "/wohnung/wohnflaeche": one("110"),
				"/wohnung/zimmer": one("5"), "/wohnung/belastung": one("980")},
			1, []string{"person", "wohnung", "haushalt", "einkommen", "abschluss"}, []string{"/wohnung/kaltmiete", "/wohnung/nebenkosten", "/wohnung/vermieter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(`{}`)
			save := func(step string, answers map[string][]string, action string) {
				t.Helper()
				html := page(t, f, string(data), &RenderOptions{Step: step})
				p, _ := post(t, f, html, answers, action)
				merged, err := f.MergeStep(step, data, p)
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				if data, err = f.Prune(merged); err != nil {
					t.Fatal(err)
				}
				if action == "submit" {
					if err := f.ValidateStep(step, data); err != nil {
						t.Fatalf("step %s not accepted: %v", step, err)
					}
				}
			}
			answers := map[string][]string{"/antragsteller/weiterePersonen": one(tt.alone)}
			for k, v := range person {
				answers[k] = v
			}
			save("person", answers, "submit")
			// The rent or the Belastung is asked once the use of the home is known; the page
			// first asks for the use, then shows what follows from it.
			use := map[string][]string{"/wohnung/nutzung": tt.wohnung["/wohnung/nutzung"]}
			html := page(t, f, string(data), &RenderOptions{Step: "wohnung"})
			p, _ := post(t, f, html, use, "submit")
			data, _ = f.MergeStep("wohnung", data, p)
			html = page(t, f, string(data), &RenderOptions{Step: "wohnung"})
			for _, h := range tt.hidden {
				if strings.Contains(string(html), `name="`+h+`"`) {
					t.Errorf("the page asks %s", h)
				}
			}
			save("wohnung", tt.wohnung, "submit")
			steps, err := f.ApplicableSteps(data)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range steps {
				ids = append(ids, s.ID)
			}
			if !reflect.DeepEqual(ids, tt.steps) {
				t.Fatalf("pages %v, want %v", ids, tt.steps)
			}
			if tt.members > 0 {
				// Without a member, the page says so and links to the add button.
				html := page(t, f, string(data), &RenderOptions{Step: "haushalt"})
				p, _ := post(t, f, html, nil, "submit")
				merged, _ := f.MergeStep("haushalt", data, p)
				err := f.ValidateStep("haushalt", merged)
				if got := pointers(fieldErrors(t, err)); !reflect.DeepEqual(got, []string{"/haushalt/mitglieder minItems"}) {
					t.Fatalf("household without members: %v", got)
				}
				if withErr := page(t, f, string(merged), &RenderOptions{Step: "haushalt", Errors: err}); !strings.Contains(string(withErr), `<a href="#f-haushalt-mitglieder--add">`) {
					t.Errorf("the error does not link to the add button:\n%s", withErr)
				}
				save("haushalt", nil, "add:/haushalt/mitglieder")
				save("haushalt", map[string][]string{"/haushalt/mitglieder/0/vorname": one("Hans"), "/haushalt/mitglieder/0/nachname": one("Mustermann"),
					"/haushalt/mitglieder/0/geburtsdatum": one("1962-02-03"), "/haushalt/mitglieder/0/verhaeltnis": one("ehegatte")}, "submit")
			}
			save("einkommen", rest["einkommen"], "submit")
			save("abschluss", rest["abschluss"], "submit")
			if err := f.Validate(data); err != nil {
				t.Fatalf("complete application refused: %v\n%s", err, data)
			}
			ans, err := f.Answers(data, "de")
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, a := range ans {
				all = append(all, a.Label+"="+a.Value)
			}
			joined := strings.Join(all, "\n")
			if tt.members == 0 && (strings.Contains(joined, "Haushaltsmitglied") || !strings.Contains(joined, "Leben außer Ihnen weitere Personen in Ihrem Haushalt?=Nein")) {
				t.Errorf("summary of one person:\n%s", joined)
			}
			if tt.members > 0 && (!strings.Contains(joined, "Monatliche Belastung in Euro=980") || strings.Contains(joined, "Kaltmiete")) {
				t.Errorf("summary of an owner:\n%s", joined)
			}
		})
	}
}
