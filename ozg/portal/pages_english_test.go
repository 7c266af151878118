package portal_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// germanWords are words of the pages' German texts that no English page may show (the test
// data holds none of them).
var germanWords = regexp.MustCompile(`\b(Bitte|Weiter|Schritt|Zurück|Abmelden|Anmeldung|Meine|Postfach|hochladen|bezahlen|Nachweise|Antrag|Gebühr|Fehler|Leistungen|Zur Startseite|Ja|Nein)\b`)

// TestEnglishJourney switches to English with the header's link (a cookie) and walks the
// parking permit through every page in English: amounts, numbers and dates written the
// English way, no German text of the portal's own.
func TestEnglishJourney(t *testing.T) {
	w := newWorld(t)
	if err := w.idp.SetAutoLogin("max"); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, w.base)
	english := func(p page, status int, texts ...string) page {
		t.Helper()
		p.mustContain(t, status, append(texts, `<html lang="en">`)...)
		// The footer note and the authority's and the law's names are the municipality's
		// data, in German; the rest must be English.
		body := p.Body
		for _, data := range []string{testTheme.FooterNote, "Gebührenordnung für Maßnahmen im Straßenverkehr (GebOSt), Nr. 265"} {
			body = strings.ReplaceAll(body, data, "")
		}
		if m := germanWords.FindAllString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " "), -1); len(m) > 0 {
			t.Errorf("%s shows German words %q in English:\n%s", p.URL.Path, m, p.Body)
		}
		return p
	}
	start := c.get("/")
	start.mustContain(t, 200, `<html lang="de">`, ">English</a>")
	link := regexp.MustCompile(`href="(/sprache\?[^"]+)"`).FindStringSubmatch(start.Body)
	english(c.get(strings.ReplaceAll(link[1], "&amp;", "&")), 200, "Apply for services online", "Apply for a residents&#39; parking permit", "€1,850.50")
	if c.get("/").Body == start.Body {
		t.Fatal("the language switch did not stick")
	}
	english(c.get("/leistungen/bewohnerparkausweis"), 200, "What you need", "Vehicle registration certificate",
		"PDF document, JPEG image or PNG image", "about 7 days", "basic registration", "Apply online now")
	english(c.get("/leistungen/wohngeld"), 200, "substantial (ELSTER or online ID card)")

	begin := english(c.get("/leistungen/bewohnerparkausweis/antrag"), 200, "Logged in: Max Mustermann", "Start the application")
	form := english(c.submit(begin, "Start the application", "", "", nil), 200, "Registration number", "Step 1 of 1")
	base := "/antraege/" + strings.Split(form.URL.Path, "/")[2]
	english(c.submit(form, "ozg-form", "_action", "submit", map[string]string{"/fahrzeug/kennzeichen": "kein Kennzeichen"}), 422, "Error: ")
	ev := english(c.submit(form, "ozg-form", "_action", "submit", map[string]string{"/fahrzeug/kennzeichen": "KI-AB 1234"}), 200,
		"Upload evidence", "at most 5 MB per file, at most 1 file")
	english(c.upload(ev, "zulassung", "notiz.pdf", []byte("just text")), 422, "There is a problem", "This kind of file is not accepted here")
	english(c.upload(ev, "zulassung", "zulassung.pdf", samplePDF("Zulassung")), 200, "zulassung.pdf", "PDF document")
	english(c.submit(c.get(base+"/pruefen"), "idempotency_key", "", "", nil), 422, "The application is not complete yet", "Please pay the fee of €1,850.50 first.")
	pay := english(c.get(base+"/zahlung"), 200, "Pay the fee", "Pay €1,850.50 now")
	back, err := (&paymenttest.Citizen{Client: c.client}).Choose(context.Background(), startPayment(t, c, w.base, pay), paymenttest.ActionPay, "")
	if err != nil {
		t.Fatal(err)
	}
	english(c.get(back), 200, "Paid", "The payment service has confirmed your payment of €1,850.50.")
	sum := english(c.get(base+"/pruefen"), 200, "Check your answers", "KI-AB 1234", "zulassung.pdf")
	english(c.submit(sum, "idempotency_key", "", "", nil), 200, "Application submitted", "Your reference number", "Evidence submitted: 1 file")
	english(c.get(base), 200, "submitted", "History")
	english(c.get("/antraege"), 200, "My applications", "Reference number")
	english(c.get(base+"/zurueckziehen"), 200, "Do you want to withdraw your application")
	english(c.submit(c.get(base+"/zurueckziehen"), "Yes, withdraw", "", "", nil), 200, "You have withdrawn the application.", "withdrawn")
	english(c.get("/postfach"), 200, "My mailbox")
	english(c.get("/gibt/es/nicht"), 404, "Page not found", "To the start page")
}
