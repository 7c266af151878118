package portal_test

import (
	"strings"
	"testing"
)

// A step whose questions depend on an earlier answer is in the journey only while that answer
// asks for it: who lives alone never sees the household step; who says otherwise gets it next.
func TestConditionalSteps(t *testing.T) {
	w := newWorld(t)
	if err := w.idp.SetAutoLogin("lena"); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, w.base)
	person := c.submit(c.get("/leistungen/wohnberechtigung/antrag"), "Antrag starten", "", "", nil)
	person.mustContain(t, 200, "Schritt 1 von 3")
	base := "/antraege/" + strings.Split(person.URL.Path, "/")[2]
	answers := map[string]string{"/person/name": "Lena Beispiel", "/person/geburtsdatum": "1990-05-17",
		"/person/weiterePersonen": "false", "/person/familienstand": "ledig"}
	wohnung := c.submit(person, "ozg-form", "_action", "submit", answers)
	wohnung.mustContain(t, 200, "Wohnfläche", "Schritt 2 von 3")
	if strings.Contains(wohnung.Body, base+"/angaben/haushalt") {
		t.Fatal("the journey offers the household step to a citizen who lives alone")
	}
	c.get(base+"/angaben/haushalt").mustContain(t, 404, "Seite nicht gefunden")
	done := c.submit(wohnung, "ozg-form", "_action", "submit", map[string]string{"/wohnung/nutzung": "miete",
		"/wohnung/einzug": "2020-01-01", "/wohnung/flaeche": "48", "/wohnung/kaltmiete": "510"})
	done.mustContain(t, 200, "Abschluss", "Schritt 3 von 3")

	// Lena now says she does not live alone: the household step follows the first.
	answers["/person/weiterePersonen"] = "true"
	household := c.submit(c.get(base+"/angaben/person"), "ozg-form", "_action", "submit", answers)
	household.mustContain(t, 200, "Wohnung", "Schritt 2 von 4", base+"/angaben/haushalt")
	c.submit(c.get(base+"/angaben/wohnung"), "ozg-form", "_action", "submit", nil).mustContain(t, 200, "Haushalt", "Schritt 3 von 4")
	sum := c.get(base + "/pruefen")
	sum.mustContain(t, 200, "Im Schritt „Haushalt“ fehlen Angaben", "Im Schritt „Abschluss“ fehlen Angaben")
}
