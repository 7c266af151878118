package ozg_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

func exampleService(id, region string) *ozg.Service {
	form, err := forms.Load("wohngeld.schema.json", []byte(`{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}`))
	if err != nil {
		log.Fatal(err)
	}
	return &ozg.Service{
		ID:          id,
		Name:        "Wohngeld beantragen",
		Description: "Zuschuss zur Miete für Haushalte mit geringem Einkommen.",
		LeikaKey:    "99107004017000",
		Topic:       ozg.TopicBauenWohnen,
		Authority: ozg.Authority{
			Name:    "Wohngeldbehörde",
			Region:  region,
			Contact: ozg.Contact{Email: "wohngeld@behoerde.example"},
			Address: ozg.Address{Street: "Rathausplatz 1", PostalCode: "24103", City: "Kiel"},
		},
		Level: identity.LevelSubstantial,
		Form:  form,
		Evidence: []evidence.Requirement{{
			ID: "mietvertrag", Title: "Mietvertrag", Required: true, MaxCount: 3,
			MediaTypes: []string{"application/pdf"}, MaxSize: 10 << 20,
		}},
		LegalBasis: "§ 22 WoGG",
		Delivery:   "fachverfahren",
	}
}

func ExampleCatalog() {
	catalog := ozg.NewCatalog(&ozg.CatalogOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, s := range []*ozg.Service{
		exampleService("wohngeld-kiel", "010020000000"), // Kiel
		exampleService("wohngeld-sh", "010000000000"),   // the rest of Schleswig-Holstein
	} {
		if err := catalog.Register(s); err != nil {
			log.Fatal(err)
		}
	}
	// A broken descriptor is refused with every problem named.
	broken := exampleService("wohngeld-x", "0100200000")
	broken.LeikaKey = "12345"
	fmt.Println(catalog.Register(broken))

	// Route a citizen of Kiel and one of Plön to the responsible authority.
	for _, ars := range []string{"010020000000", "010570000000"} {
		s, _ := catalog.Route("99107004017000", ars)
		fmt.Println(ars, "→", s.ID, s.LeikaURN())
	}
	// Output:
	// ozg: service "wohngeld-x" is invalid: leikaKey: must be a Leistungsschlüssel of 14 digits starting with 99; authority.region: must be an Amtlicher Regionalschlüssel of 12 digits starting with a Land code 01–16
	// 010020000000 → wohngeld-kiel urn:de:fim:leika:leistung:99107004017000
	// 010570000000 → wohngeld-sh urn:de:fim:leika:leistung:99107004017000
}

func ExampleAssess() {
	s := exampleService("wohngeld", "010020000000")
	a := ozg.Assess(s, ozg.Deployment{
		Information:    true,
		Form:           ozg.FormOnline,
		Account:        true,
		AuthLevel:      identity.LevelHigh,
		EvidenceUpload: true,
	})
	fmt.Printf("Reifegrad %d (model %s)\n", a.Level, a.Model)
	for _, c := range a.Criteria {
		fmt.Printf("%-15s %d  %s\n", c.Name, c.Level, c.Reason)
	}
	// Output:
	// Reifegrad 3 (model 1.1)
	// information     4  the service is described online
	// form            4  the form is filled in and submitted online
	// authentication  4  citizens log in at level substantial or higher as the service requires
	// payment         4  the service is free of charge
	// evidence        4  evidence can be uploaded for every requirement (1)
	// notice          3  the notice (Bescheid) is not delivered digitally
	// once-only       3  data and evidence the administration holds are asked again (no once-only)
}
