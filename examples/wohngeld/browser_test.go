package main

import (
	"github.com/ozgkit/ozgkit/internal/browsertest"

	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
)

// TestBrowserOnePersonHousehold runs the example in headless Chromium as a person who lives
// alone: the household question answered "Nein" skips the household step, the summary shows no
// household, and the application goes in. (The library's own browser test, in ozg/portal,
// walks every page at 1280 and 375 px.)
func TestBrowserOnePersonHousehold(t *testing.T) {
	browsertest.Skip(t)
	e := startExample(t)
	files := t.TempDir()
	for _, n := range []string{"mietvertrag", "lohnabrechnung"} {
		if err := os.WriteFile(filepath.Join(files, n+".pdf"), samplePDF(n), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bctx := browsertest.New(t, ctx)

	heading := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "` + text + `")]`))
	}
	set := func(name, value string) chromedp.Action[chromedp.Void] {
		return chromedp.SetValue(chromedp.CSS(`[name="`+name+`"]`), value)
	}
	choose := func(name, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(`input[name="` + name + `"][value="` + value + `"]`))
	}
	next := chromedp.Click(chromedp.CSS(`.ozg-actions button[name="_action"][value="submit"]`))
	upload := func(req, file string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.SetUploadFiles(chromedp.ID("datei-"+req), []string{filepath.Join(files, file)}),
			chromedp.Click(chromedp.Search(`//form[.//input[@id="datei-` + req + `"]]//button`)),
			chromedp.WaitVisible(chromedp.Search(`//span[@class="file-name"][. = "` + file + `"]`)),
		}
	}
	steps := []struct {
		what    string
		actions []chromedp.Action[chromedp.Void]
	}{
		{"login at high", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(e.base + "/leistungen/wohngeld/antrag"),
			chromedp.Click(chromedp.CSS(`input[name="persona"][value="erika"]`)),
			chromedp.SetValue(chromedp.ID("level"), "high"),
			chromedp.Click(chromedp.Search(`//button[. = "Anmelden"]`)),
			chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Antrag starten")]`)),
		}},
		{"start", []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.Search(`//button[contains(., "Antrag starten")]`)), heading("Angaben zur Person")}},
		{"person, living alone", []chromedp.Action[chromedp.Void]{
			set("/antragsteller/staatsangehoerigkeit", "deutsch"),
			set("/antragsteller/familienstand", "ledig"),
			choose("/antragsteller/weiterePersonen", "false"),
			set("/anschrift/strasse", "Heidestraße"), set("/anschrift/hausnummer", "17"),
			set("/anschrift/plz", "24105"), set("/anschrift/ort", "Kiel"),
			next, heading("Wohnung und Miete"),
		}},
		{"home", []chromedp.Action[chromedp.Void]{
			choose("/wohnung/nutzung", "miete"),
			set("/wohnung/einzugsdatum", "2019-04-01"), set("/wohnung/wohnflaeche", "41,5"), set("/wohnung/zimmer", "2"),
			set("/wohnung/kaltmiete", "410"), set("/wohnung/nebenkosten", "95"),
			next, heading("Einkommen"), // the household step is skipped
		}},
		{"income", []chromedp.Action[chromedp.Void]{
			choose("/einkommen/art", "rente"), set("/einkommen/bruttoMonatlich", "1150"),
			next, heading("Bankverbindung"),
		}},
		{"bank and declarations", []chromedp.Action[chromedp.Void]{
			set("/bankverbindung/kontoinhaber", "Erika Mustermann"), set("/bankverbindung/iban", "DE89 3704 0044 0532 0130 00"),
			chromedp.Click(chromedp.CSS(`input[name="/erklaerungen/richtigkeit"]`)), chromedp.Click(chromedp.CSS(`input[name="/erklaerungen/datenschutz"]`)),
			next, heading("Nachweise"),
		}},
		{"evidence", append(upload("mietvertrag", "mietvertrag.pdf"), upload("einkommen", "lohnabrechnung.pdf")...)},
		{"summary", []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.Search(`//a[. = "Weiter"]`)), heading("Angaben prüfen")}},
	}
	for _, s := range steps {
		for _, a := range s.actions {
			if err := chromedp.Do(bctx, a); err != nil {
				body, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
				t.Fatalf("%s: %v\n%s", s.what, err, body)
			}
		}
	}
	summary, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(summary, "Haushaltsmitglied") || strings.Contains(summary, "Weitere Haushaltsmitglieder") {
		t.Errorf("the summary of a one-person household shows household members:\n%s", summary)
	}
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#absenden`)), heading("Antrag eingereicht")); err != nil {
		body, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("submit: %v\n%s", err, body)
	}
	var sub *ozg.Submission
	for deadline := time.Now().Add(20 * time.Second); sub == nil && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		cases, _, err := e.casework.List(context.Background(), casework.Staff{Subject: "sabine", Roles: []string{"wohngeld"}}, casework.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) == 1 {
			sub = cases[0].Submission
		}
	}
	if sub == nil {
		t.Fatal("the application did not reach the back office")
	}
	if d := string(sub.Data); !strings.Contains(d, `"weiterePersonen":false`) || strings.Contains(d, "haushalt") || strings.Contains(d, "Hans") {
		t.Errorf("delivered data of a one-person household: %s", d)
	}
}
