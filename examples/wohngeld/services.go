package main

import (
	"embed"
	"fmt"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

//go:embed *.schema.json
var schemas embed.FS

// kiel is the authority of both example services. The Leistungsschlüssel are examples in the
// catalogue's format.
var kiel = ozg.Authority{
	Name:    "Landeshauptstadt Kiel (Beispiel)",
	Region:  "010020000000",
	Contact: ozg.Contact{Email: "buergerservice@kiel.example", Phone: "+49 431 901-0"},
	Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"},
}

var documents = []string{"application/pdf", "image/jpeg", "image/png"}

// services returns Wohngeld (free of charge, ELSTER or eID card, evidence) and the residents'
// parking permit (a fee paid online before submission).
func services() ([]*ozg.Service, error) {
	wohngeldForm, err := forms.LoadFS(schemas, "wohngeld.schema.json", nil)
	if err != nil {
		return nil, fmt.Errorf("wohngeld form: %w", err)
	}
	parkForm, err := forms.LoadFS(schemas, "parkausweis.schema.json", nil)
	if err != nil {
		return nil, fmt.Errorf("parking form: %w", err)
	}
	return []*ozg.Service{
		{
			ID:            "wohngeld",
			Name:          "Wohngeld beantragen",
			NameEN:        "Apply for housing benefit",
			Description:   "Zuschuss zur Miete (Mietzuschuss) für Haushalte mit geringem Einkommen.",
			DescriptionEN: "A rent subsidy for households with a low income.",
			LeikaKey:      "99107004017000",
			Topic:         ozg.TopicBauenWohnen,
			Authority:     kiel,
			Level:         identity.LevelSubstantial,
			Form:          wohngeldForm,
			Evidence: []evidence.Requirement{
				{ID: "mietvertrag", Title: "Mietvertrag", TitleEN: "Tenancy agreement", Required: true, MaxCount: 3,
					MediaTypes: documents, MaxSize: 10 << 20},
				{ID: "einkommen", Title: "Einkommensnachweise der letzten 12 Monate", TitleEN: "Proof of income, last 12 months",
					Required: true, MinCount: 1, MaxCount: 12, MediaTypes: documents, MaxSize: 10 << 20},
			},
			LegalBasis:     "§§ 1, 22 Wohngeldgesetz (WoGG)",
			ProcessingDays: 42,
			Retention:      ozg.DefaultRetention(),
			Delivery:       "fachverfahren",
		},
		{
			ID:          "bewohnerparkausweis",
			Name:        "Bewohnerparkausweis beantragen",
			NameEN:      "Apply for a residents' parking permit",
			Description: "Parkberechtigung für Bewohnerinnen und Bewohner in Bewohnerparkgebieten.",
			LeikaKey:    "99058009000000",
			Topic:       ozg.TopicMobilitaetReisen,
			Authority:   kiel,
			Level:       identity.LevelBasic,
			Form:        parkForm,
			Evidence: []evidence.Requirement{
				{ID: "zulassung", Title: "Zulassungsbescheinigung Teil I", TitleEN: "Vehicle registration certificate",
					Required: true, MaxCount: 1, MediaTypes: documents, MaxSize: 5 << 20},
			},
			Fee:            &ozg.Fee{Amount: 3060, LegalBasis: "Gebührenordnung für Maßnahmen im Straßenverkehr (GebOSt), Nr. 265", DueBeforeSubmission: true},
			LegalBasis:     "§ 45 Abs. 1b Nr. 2a StVO",
			ProcessingDays: 7,
			Retention:      ozg.DefaultRetention(),
			Delivery:       "fachverfahren",
		},
	}, nil
}
