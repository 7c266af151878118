package portal_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/portal"
)

// The citizen's HTML pages of a catalogue with one free service, themed and with the legal
// links German law asks for. A real portal gives the Gate an Authenticator (OpenID Connect or
// SAML) and mounts its login, callback and logout handlers; portal.New does all of it.
func ExampleNewPages() {
	form, err := forms.Load("sperrmuell.json", []byte(`{"type": "object", "required": ["anschrift"],
		"properties": {"anschrift": {"type": "string", "minLength": 3, "x-ui": {"label": "Abholanschrift"}}}}`))
	if err != nil {
		log.Fatal(err)
	}
	catalog := ozg.NewCatalog(nil)
	err = catalog.Register(&ozg.Service{
		ID: "sperrmuell", Name: "Sperrmüll anmelden", Description: "Abholung von Sperrmüll.",
		LeikaKey: "99032004000000", Topic: ozg.TopicBauenWohnen, Level: identity.LevelBasic, Form: form,
		Authority: ozg.Authority{Name: "Abfallwirtschaftsbetrieb Kiel", Region: "010020000000",
			Contact: ozg.Contact{Email: "sperrmuell@kiel.example"},
			Address: ozg.Address{Street: "Daimlerstraße 1", PostalCode: "24109", City: "Kiel"}},
		LegalBasis: "Abfallwirtschaftssatzung, § 12", ProcessingDays: 5, Delivery: "fachverfahren",
	})
	if err != nil {
		log.Fatal(err)
	}
	keys, _ := identity.NewKeyring(identity.Key{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")})
	sessions, _ := identity.NewSessions(keys, nil)
	gate := identity.NewGate(sessions, nil, nil, nil) // no Authenticator: nobody can log in here

	pages, err := portal.NewPages(portal.PagesConfig{
		Catalog:      catalog,
		Applications: ozg.NewApplications(catalog, ozg.NewMemoryStore(), nil),
		Gate:         gate,
		Theme: portal.Theme{
			Name: "Serviceportal Kiel", PrimaryColor: "#003064",
			ImprintURL: "/impressum", PrivacyURL: "/datenschutz", AccessibilityURL: "/barrierefreiheit",
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(pages.Handler())
	defer srv.Close()

	// The service's public page, where the catalogue's JSON-LD and sitemap point.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+ozg.ServicePagePath+"sperrmuell", nil)
	req.Header.Set("Accept-Language", "de-DE")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println(strings.Contains(string(body), "<title>Sperrmüll anmelden – Serviceportal Kiel</title>"))
	fmt.Println(strings.Contains(string(body), "in der Regel etwa 5 Tage"))
	// Output:
	// 200 text/html; charset=utf-8
	// true
	// true
}
