package portal_test

import (
	"github.com/ozgkit/ozgkit/internal/browsertest"

	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserJourney drives the pages in headless Chromium as a citizen would, on a desktop
// (1280 px) and on a phone (375 px), and asserts on every page of the portal that nothing is
// wider than the window (document.documentElement.scrollWidth). The journey: the start page and
// a public service page; a cancelled login and a login too weak for Wohngeld, each answered
// with a page and a way back; Erika's login at level high; a refused early submit, whose error
// summary takes the focus; the Wohngeld form step by step, two PDFs, submit, the Aktenzeichen,
// the receipt in the Postfach; the page in English; the parking permit paid on the pay page.
// Screenshots go to $OZGKIT_SCREENSHOTS when it is set.
func TestBrowserJourney(t *testing.T) {
	browsertest.Skip(t)
	for _, width := range []int64{1280, 375} {
		t.Run(fmt.Sprintf("%d px wide", width), func(t *testing.T) { browserJourney(t, width) })
	}
}

func browserJourney(t *testing.T, width int64) {
	w := newWorld(t)
	shots := os.Getenv("OZGKIT_SCREENSHOTS")
	files := t.TempDir()
	for _, n := range []string{"mietvertrag", "lohnabrechnung", "zulassung"} {
		if err := os.WriteFile(filepath.Join(files, n+".pdf"), samplePDF(n), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bctx := browsertest.New(t, ctx)

	type step = chromedp.Action[chromedp.Void]
	fatal := func(what string, err error) {
		t.Helper()
		url, _ := chromedp.Run(bctx, chromedp.Location())
		body, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nat %s:\n%s", what, err, url, body)
	}
	pagesSeen := 0
	// fits asserts that the page of the portal now shown is no wider than the window.
	fits := func(name string) step {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			loc, err := chromedp.Location()(ctx, tg)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(loc, w.base) || strings.Contains(loc, "/idp/") || strings.Contains(loc, "/xbezahldienste/") {
				return nil
			}
			sw, err := chromedp.Evaluate[int64]("document.documentElement.scrollWidth")(ctx, tg)
			if err != nil {
				return err
			}
			pagesSeen++
			if sw > width {
				t.Errorf("%s (%s) is %d px wide in a %d px window", name, loc, sw, width)
			}
			if shots != "" {
				png, err := chromedp.FullScreenshot(100)(ctx, tg)
				if err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(shots, fmt.Sprintf("%d-%02d-%s.png", width, pagesSeen, name)), png, 0o600)
			}
			return nil
		})
	}
	// run runs the steps in order; a navigation (a click that loads a page) waits until the
	// new page has loaded and then checks its width.
	run := func(what string, steps ...any) {
		t.Helper()
		for _, s := range steps {
			var err error
			switch s := s.(type) {
			case navigation:
				tctx, cancel := context.WithTimeout(bctx, 30*time.Second)
				_, err = chromedp.RunResponse(tctx, s.click)
				cancel()
				if err == nil {
					err = chromedp.Do(bctx, fits(what))
				}
			case step:
				tctx, cancel := context.WithTimeout(bctx, 30*time.Second)
				err = chromedp.Do(tctx, s)
				cancel()
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
	visit := func(path string) navigation { return navigation{chromedp.Navigate(w.base + path)} }
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
	login := func(persona, level string) []any {
		return []any{
			chromedp.WaitVisible(chromedp.CSS(`input[name="persona"][value="` + persona + `"]`)),
			chromedp.Click(chromedp.CSS(`input[name="persona"][value="` + persona + `"]`)),
			chromedp.SetValue(chromedp.ID("level"), level),
			navigation{chromedp.Click(chromedp.Search(`//button[. = "Anmelden"]`))},
		}
	}
	upload := func(req, file string) []any {
		return []any{
			chromedp.SetUploadFiles(chromedp.ID("datei-"+req), []string{filepath.Join(files, file)}),
			navigation{chromedp.Click(chromedp.Search(`//form[.//input[@id="datei-` + req + `"]]//button`))},
			chromedp.WaitVisible(chromedp.Search(`//span[@class="file-name"][. = "` + file + `"]`)),
		}
	}

	viewport := chromedp.EmulateViewport(width, 900)
	if width < 600 {
		viewport = chromedp.EmulateViewport(width, 812, chromedp.EmulateMobile)
	}
	run("start page", viewport, visit("/"), waitHeading("Leistungen online beantragen"))
	run("service page",
		navigation{chromedp.Click(chromedp.CSS(`a[href="/leistungen/wohngeld"]`))},
		waitHeading("Wohngeld beantragen"),
	)
	run("cancelled login",
		navigation{chromedp.Click(chromedp.CSS(`a[href="/leistungen/wohngeld/antrag"]`))},
		chromedp.WaitVisible(chromedp.CSS(`button[name="cancel"]`)),
		navigation{chromedp.Click(chromedp.CSS(`button[name="cancel"]`))},
		waitHeading("Anmeldung nicht abgeschlossen"),
	)
	run("login at basic", append([]any{navigation{chromedp.Click(chromedp.Search(`//a[contains(., "Erneut anmelden")]`))}},
		append(login("lena", "basic"), waitHeading("Meine Anträge"))...)...)
	if who := text("header", ".who"); !strings.Contains(who, "Nutzerkonto (Basisregistrierung)") || strings.Contains(who, "bPK2") {
		t.Errorf("header names Lena %q", who)
	}
	run("login too weak", append([]any{visit("/leistungen/wohngeld/antrag")},
		append(login("lena", "basic"), waitHeading("Anmeldung reicht nicht aus"))...)...)
	run("login at high", append([]any{visit("/leistungen/wohngeld/antrag")},
		append(login("erika", "high"), chromedp.WaitVisible(chromedp.Search(`//button[contains(., "Antrag starten")]`)))...)...)
	run("start the application",
		navigation{chromedp.Click(chromedp.Search(`//button[contains(., "Antrag starten")]`))},
		waitHeading("Angaben zur Person"),
	)
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		fatal("location", err)
	}
	base := strings.TrimSuffix(loc, "/angaben/person")
	run("an early submit",
		navigation{chromedp.Navigate(base + "/pruefen")},
		navigation{chromedp.Click(chromedp.CSS(`#absenden`))},
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
	)
	if focus, err := chromedp.Run(bctx, chromedp.Evaluate[string]("document.activeElement.className")); err != nil || focus != "error-summary" {
		t.Errorf("after a refused submit the focus is on %q (%v), not the error summary", focus, err)
	}
	run("step person",
		navigation{chromedp.Navigate(base + "/angaben/person")},
		set("/antragsteller/staatsangehoerigkeit", "deutsch"),
		set("/antragsteller/familienstand", "verheiratet"),
		set("/anschrift/strasse", "Heidestraße"),
		set("/anschrift/hausnummer", "17"),
		set("/anschrift/plz", "5114"), // wrong first: the error summary appears
		submitStep,
		chromedp.WaitVisible(chromedp.CSS(`.ozg-error-summary`)),
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
	run("evidence", upload("mietvertrag", "mietvertrag.pdf")...)
	run("evidence", upload("einkommen", "lohnabrechnung.pdf")...)
	run("summary",
		navigation{chromedp.Click(chromedp.Search(`//a[. = "Weiter"]`))},
		waitHeading("Angaben prüfen"),
	)
	summary := text("summary", "main")
	for _, want := range []string{"Hans", "Ehegatte", "68,5", "1450", "mietvertrag.pdf", "lohnabrechnung.pdf"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	run("submit",
		navigation{chromedp.Click(chromedp.CSS(`#absenden`))},
		waitHeading("Antrag eingereicht"),
	)
	reference := text("Aktenzeichen", ".reference")
	if reference == "" {
		t.Fatal("no Aktenzeichen on the confirmation")
	}
	var box string
	for deadline := time.Now().Add(30 * time.Second); ; {
		run("mailbox", visit("/postfach"), waitHeading("Mein Postfach"))
		box = text("mailbox", "main")
		if strings.Contains(box, "Eingangsbestätigung: Wohngeld") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(box, "1 ungelesene Nachricht.") {
		t.Errorf("mailbox does not count one unread message:\n%s", box)
	}
	run("read the receipt",
		navigation{chromedp.Click(chromedp.Search(`//a[contains(., "Eingangsbestätigung: Wohngeld")]`))},
		waitHeading("Eingangsbestätigung"),
	)
	if body := text("receipt", ".message-body"); !strings.Contains(body, reference) {
		t.Errorf("receipt does not name the Aktenzeichen %s:\n%s", reference, body)
	}
	run("my applications", visit("/antraege"), waitHeading("Meine Anträge"), navigation{chromedp.Navigate(base)}, waitHeading("Wohngeld"))
	run("in English",
		navigation{chromedp.Click(chromedp.Search(`//a[. = "English"]`))},
		waitHeading("Apply for housing benefit"),
		visit("/antraege"), waitHeading("My applications"),
		visit("/postfach"), waitHeading("My mailbox"),
		navigation{chromedp.Click(chromedp.Search(`//a[. = "Deutsch"]`))},
		waitHeading("Mein Postfach"),
	)

	run("parking permit form",
		visit("/leistungen/bewohnerparkausweis"),
		navigation{chromedp.Click(chromedp.CSS(`a[href="/leistungen/bewohnerparkausweis/antrag"]`))},
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
		navigation{chromedp.Click(chromedp.CSS(`button[name="action"][value="pay"]`))},
		chromedp.WaitVisible(chromedp.Search(`//h2[. = "Bezahlt"]`)),
		navigation{chromedp.Click(chromedp.Search(`//a[. = "Weiter"]`))},
		waitHeading("Angaben prüfen"),
		navigation{chromedp.Click(chromedp.CSS(`#absenden`))},
		waitHeading("Antrag eingereicht"),
	)
	if body := text("parking confirmation", "main"); !strings.Contains(body, "Kassenzeichen") || !strings.Contains(body, "1.850,50") {
		t.Errorf("parking confirmation does not mention the payment:\n%s", body)
	}
	run("not found", visit("/gibt/es/nicht"), waitHeading("Seite nicht gefunden"))
	if pagesSeen < 25 {
		t.Errorf("only %d pages measured", pagesSeen)
	}
	t.Logf("%d pages measured at %d px", pagesSeen, width)
}

// navigation is a step that loads a page: the browser test waits for the new page and measures
// it.
type navigation struct {
	click chromedp.Action[chromedp.Void]
}
