package caseworktest

import (
	"encoding/json"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// Authority is the test authority of the fixture services.
var Authority = ozg.Authority{
	Name:    "Stadt Musterstadt, Amt für Wohnen",
	Region:  "010020000000",
	Contact: ozg.Contact{Email: "wohnen@musterstadt.example", Phone: "+49 431 0000"},
	Address: ozg.Address{Street: "Rathausplatz 1", PostalCode: "24103", City: "Musterstadt"},
}

// schema is a small application form with steps, a group, a choice with labels, a date, a
// boolean and a repeated group: every shape Answers renders.
const schema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "required": ["person", "miete"],
  "x-ui": {"steps": [
    {"id": "person", "title": {"de": "Angaben zur Person", "en": "About you"}, "fields": ["person"]},
    {"id": "wohnung", "title": {"de": "Wohnung und Miete", "en": "Home and rent"}, "fields": ["miete", "haushalt", "erklaerung"]}
  ]},
  "properties": {
    "person": {"type": "object", "additionalProperties": false, "required": ["vorname", "nachname"],
      "x-ui": {"label": {"de": "Antragstellende Person", "en": "Applicant"}},
      "properties": {
        "vorname": {"type": "string", "maxLength": 100, "x-ui": {"label": {"de": "Vorname", "en": "Given name"}}},
        "nachname": {"type": "string", "maxLength": 100, "x-ui": {"label": {"de": "Familienname", "en": "Family name"}}},
        "geburtsdatum": {"type": "string", "format": "date", "x-ui": {"label": {"de": "Geburtsdatum", "en": "Date of birth"}}},
        "familienstand": {"type": "string", "enum": ["ledig", "verheiratet"],
          "x-ui": {"label": {"de": "Familienstand", "en": "Marital status"}, "enumLabels": {"ledig": "ledig", "verheiratet": "verheiratet"}}}
      }},
    "miete": {"type": "integer", "minimum": 0, "maximum": 100000, "x-ui": {"label": {"de": "Monatliche Miete in €", "en": "Monthly rent in €"}}},
    "haushalt": {"type": "array", "maxItems": 12,
      "x-ui": {"label": {"de": "Weitere Haushaltsmitglieder", "en": "Other household members"}, "itemLabel": {"de": "Haushaltsmitglied", "en": "Household member"}},
      "items": {"type": "object", "additionalProperties": false, "properties": {
        "name": {"type": "string", "maxLength": 100, "x-ui": {"label": {"de": "Name", "en": "Name"}}}
      }}},
    "erklaerung": {"type": "boolean", "x-ui": {"label": {"de": "Ich versichere die Richtigkeit meiner Angaben.", "en": "I confirm my details are correct."}}}
  }
}`

// Data is form data for the fixture service, with the German letters and signs that
// documents must carry.
var Data = json.RawMessage(`{"person":{"vorname":"Jürgen","nachname":"Weiß-Özdemir","geburtsdatum":"1980-02-29","familienstand":"verheiratet"},` +
	`"miete":650,"haushalt":[{"name":"Änne Weiß"},{"name":"Ülrich „Uli“ Weiß"}],"erklaerung":true}`)

// Service returns the fixture service "wohngeld" of Authority, with the form above, one
// evidence requirement ("mietvertrag") and delivery "casework".
func Service() *ozg.Service {
	f, err := forms.Load("antrag.schema.json", []byte(schema))
	if err != nil {
		panic("caseworktest: fixture form: " + err.Error())
	}
	return &ozg.Service{
		ID: "wohngeld", Name: "Wohngeld beantragen", NameEN: "Apply for housing benefit",
		Description: "Zuschuss zur Miete.", LeikaKey: "99107004017000", Topic: ozg.TopicBauenWohnen,
		Authority: Authority, Level: identity.LevelSubstantial, Form: f,
		Evidence: []evidence.Requirement{{ID: "mietvertrag", Title: "Mietvertrag", TitleEN: "Tenancy agreement",
			Required: true, MaxCount: 3, MediaTypes: []string{"application/pdf", "image/png", "image/jpeg"}, MaxSize: 10 << 20}},
		LegalBasis: "§ 22 WoGG", ProcessingDays: 30, Delivery: "casework",
	}
}

// ParkingService returns a second fixture service, "bewohnerparkausweis", of Authority.
func ParkingService() *ozg.Service {
	s := Service()
	s.ID, s.Name, s.NameEN, s.LeikaKey = "bewohnerparkausweis", "Bewohnerparkausweis beantragen", "Apply for a residents' parking permit", "99058013001000"
	s.Fee = &ozg.Fee{Amount: 3060, LegalBasis: "GebOSt Nr. 265", DueBeforeSubmission: true}
	s.Topic = ozg.TopicMobilitaetReisen
	return s
}
