package portal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium (.ci/setup.d/chromium.sh installs it).
const chromiumPath = "/usr/bin/chromium"

// TestBrowserJourney drives the example in headless Chromium as a citizen: Erika logs in on
// the test identity provider's chooser at level high, fills the Wohngeld form step by step
// (with one household member added through the add button), uploads two PDFs, submits, sees
// the Aktenzeichen, reads the receipt in her mailbox once the outbox delivered it; then
// applies for a parking permit and pays the fee on the pay page. Screenshots of some pages go
// to the test's temporary directory (kept with -args -keep-screenshots=DIR, see below).
func TestBrowserJourney(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test skipped: %s is missing (install Debian's chromium, see .ci/setup.d/chromium.sh)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	a := startApp(t)
	shots := t.TempDir()
	if dir := os.Getenv("OZGKIT_SCREENSHOTS"); dir != "" {
		shots = dir
	}
	files := t.TempDir()
	for _, n := range []string{"mietvertrag", "lohnabrechnung", "zulassung"} {
		if err := os.WriteFile(filepath.Join(files, n+".pdf"), samplePDF(n), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	type step = chromedp.Action[chromedp.Void]
	fatal := func(what string, err error) {
		t.Helper()
		url, _ := chromedp.Run(bctx, chromedp.Location())
		body, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nat %s:\n%s", what, err, url, body)
	}
	// run runs the steps in order; a navigation (a click that loads a page) waits until the
	// new page has loaded, so no later step finds a node of the page before.
	run := func(what string, steps ...any) {
		t.Helper()
		for _, s := range steps {
			var err error
			switch s := s.(type) {
			case navigation:
				tctx, cancel := context.WithTimeout(bctx, 30*time.Second)
				_, err = chromedp.RunResponse(tctx, s.click)
				cancel()
			case step:
				err = chromedp.Do(bctx, s)
			default:
				t.Fatalf("%s: step of type %T", what, s)
			}
			if err != nil {
				fatal(what, err)
			}
		}
	}
	text := func(what string, sel chromedp.CSS) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			fatal(what, err)
		}
		return s
	}
	shot := func(name string) step {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o600)
		})
	}
	set := func(name, value string) step {
		return chromedp.SetValue(chromedp.CSS(`[name="`+name+`"]`), value)
	}
	choose := func(name, value string) step {
		return chromedp.Click(chromedp.CSS(`input[name="` + name + `"][value="` + value + `"]`))
	}
	submitStep := navigation{chromedp.Click(chromedp.CSS(`.ozg-actions button[name="_action"][value="submit"]`))}
	waitHeading := func(text string) step {
		return chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "` + text + `")]`))
	}
	upload := func(req, file string) []any {
		return []any{
			chromedp.SetUploadFiles(chromedp.ID("datei-"+req), []string{filepath.Join(files, file)}),
			navigation{chromedp.Click(chromedp.Search(`//form[.//input[@id="datei-` + req + `"]]//button`))},
			chromedp.WaitVisible(chromedp.Search(`//span[@class="file-name"][. = "` + file + `"]`)),
		}
	}

	run("start page",
		chromedp.EmulateViewport(1100, 900),
		chromedp.Navigate(a.base+"/"),
		waitHeading("Leistungen online beantragen"),
		shot("01-start"),
		navigation{chromedp.Click(chromedp.CSS(`a[href="/leistungen/wohngeld/antrag"]`))},
	)
	run("login chooser",
		chromedp.WaitVisible(chromedp.CSS(`input[name="persona"][value="erika"]`)),
		chromedp.Click(chromedp.CSS(`input[name="persona"][value="erika"]`)),
		chromedp.SetValue(chromedp.ID("level"), "high"),
		shot("02-login"),
		navigation{chromedp.Click(chromedp.Search(`//button[. = "Anmelden"]`))},
	)
	run("start the application",
		chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Antrag starten")]`)),
		navigation{chromedp.Click(chromedp.Search(`//button[contains(., "Antrag starten")]`))},
		waitHeading("Angaben zur Person"),
	)
	given, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS(`[name="/antragsteller/vorname"]`)))
	if err != nil {
		fatal("prefilled name", err)
	}
	if given != "Erika" {
		t.Fatalf("given name not prefilled from the login: %q", given)
	}
	run("step person",
		set("/antragsteller/staatsangehoerigkeit", "deutsch"),
		set("/antragsteller/familienstand", "verheiratet"),
		set("/anschrift/strasse", "Heidestraße"),
		set("/anschrift/hausnummer", "17"),
		set("/anschrift/plz", "5114"), // wrong first: the error summary appears
		submitStep,
		chromedp.WaitVisible(chromedp.CSS(`.ozg-error-summary`)),
		shot("03-step-error"),
		set("/anschrift/plz", "51147"),
		submitStep,
		waitHeading("Wohnung und Miete"),
	)
	run("step wohnung",
		choose("/wohnung/nutzung", "miete"),
		set("/wohnung/einzugsdatum", "2019-04-01"),
		set("/wohnung/wohnflaeche", "68,5"),
		set("/wohnung/zimmer", "3"),
		set("/wohnung/kaltmiete", "620"),
		set("/wohnung/nebenkosten", "140"),
		submitStep,
		waitHeading("Haushalt"),
	)
	run("step haushalt with one member added",
		navigation{chromedp.Click(chromedp.CSS(`button[value="add:/haushalt/mitglieder"]`))},
		chromedp.WaitVisible(chromedp.CSS(`[name="/haushalt/mitglieder/0/vorname"]`)),
		set("/haushalt/mitglieder/0/vorname", "Hans"),
		set("/haushalt/mitglieder/0/nachname", "Mustermann"),
		set("/haushalt/mitglieder/0/geburtsdatum", "1962-02-03"),
		set("/haushalt/mitglieder/0/verhaeltnis", "ehegatte"),
		shot("04-haushalt"),
		// Enter in a text field submits the step; it must not press "remove" of member 1
		// (the summary below checks that Hans is still there).
		navigation{chromedp.SendKeys(chromedp.CSS(`[name="/haushalt/mitglieder/0/nachname"]`), "\r")},
		waitHeading("Einkommen"),
	)
	run("step einkommen",
		choose("/einkommen/art", "nichtselbststaendig"),
		set("/einkommen/bruttoMonatlich", "1450"),
		submitStep,
		waitHeading("Bankverbindung"),
	)
	run("step abschluss",
		set("/bankverbindung/kontoinhaber", "Erika Mustermann"),
		set("/bankverbindung/iban", "DE89 3704 0044 0532 0130 00"),
		choose("/erklaerungen/richtigkeit", "true"),
		choose("/erklaerungen/datenschutz", "true"),
		submitStep,
		waitHeading("Nachweise"),
	)
	run("evidence")
	run("evidence", upload("mietvertrag", "mietvertrag.pdf")...)
	run("evidence", upload("einkommen", "lohnabrechnung.pdf")...)
	run("evidence",
		shot("05-nachweise"),
		navigation{chromedp.Click(chromedp.Search(`//a[. = "Weiter"]`))},
		waitHeading("Angaben prüfen"),
		shot("06-pruefen"),
	)
	summary := text("summary", "main")
	for _, want := range []string{"Hans", "Ehegatte", "68,5", "mietvertrag.pdf", "lohnabrechnung.pdf"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, "noch nicht vollständig") {
		t.Fatalf("summary says incomplete:\n%s", summary)
	}
	run("submit",
		navigation{chromedp.Click(chromedp.CSS(`#absenden`))},
		waitHeading("Antrag eingereicht"),
		shot("07-bestaetigung"),
	)
	reference := text("Aktenzeichen", ".reference")
	if reference == "" {
		t.Fatal("no Aktenzeichen on the confirmation")
	}
	t.Logf("Aktenzeichen %s", reference)

	// The outbox delivers in the background; the receipt then lands in the mailbox.
	var box string
	for deadline := time.Now().Add(30 * time.Second); ; {
		run("mailbox", chromedp.Navigate(a.base+"/postfach"), waitHeading("Mein Postfach"))
		box = text("mailbox", "main")
		if strings.Contains(box, "Eingangsbestätigung: Wohngeld") || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	run("read the receipt",
		shot("08-postfach"),
		navigation{chromedp.Click(chromedp.Search(`//a[contains(., "Eingangsbestätigung: Wohngeld")]`))},
		waitHeading("Eingangsbestätigung"),
		shot("09-nachricht"),
	)
	body := text("receipt", ".message-body")
	if !strings.Contains(body, reference) {
		t.Errorf("receipt does not name the Aktenzeichen %s:\n%s", reference, body)
	}

	// The parking permit: the fee is paid on the pay page before submitting.
	run("parking permit form",
		chromedp.Navigate(a.base+"/leistungen/bewohnerparkausweis/antrag"),
		navigation{chromedp.Click(chromedp.Search(`//button[contains(., "Antrag starten")]`))},
		chromedp.WaitVisible(chromedp.CSS(`[name="/fahrzeug/kennzeichen"]`)),
		set("/fahrzeug/kennzeichen", "KI-AB 1234"),
		submitStep,
		waitHeading("Nachweise"),
	)
	run("parking evidence", upload("zulassung", "zulassung.pdf")...)
	run("parking fee",
		navigation{chromedp.Click(chromedp.Search(`//a[. = "Weiter"]`))},
		waitHeading("Gebühr bezahlen"),
		navigation{chromedp.Click(chromedp.Search(`//button[contains(., "bezahlen")]`))},
	)
	run("pay page",
		chromedp.WaitVisible(chromedp.CSS(`button[name="action"][value="pay"]`)),
		shot("10-bezahlseite"),
		navigation{chromedp.Click(chromedp.CSS(`button[name="action"][value="pay"]`))},
		chromedp.WaitVisible(chromedp.Search(`//h2[. = "Bezahlt"]`)),
		shot("11-bezahlt"),
		navigation{chromedp.Click(chromedp.Search(`//a[. = "Weiter"]`))},
		waitHeading("Angaben prüfen"),
		navigation{chromedp.Click(chromedp.CSS(`#absenden`))},
		waitHeading("Antrag eingereicht"),
	)
	body = text("parking confirmation", "main")
	if !strings.Contains(body, "Kassenzeichen") {
		t.Errorf("parking confirmation does not mention the payment:\n%s", body)
	}
	t.Logf("screenshots in %s", shots)
}

// navigation is a step that loads a page: the browser test waits for the new page.
type navigation struct {
	click chromedp.Action[chromedp.Void]
}
