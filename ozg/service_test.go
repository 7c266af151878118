package ozg_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

const testSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["name"],
  "properties": {"name": {"type": "string", "minLength": 1}, "members": {"type": "integer", "minimum": 1}}
}`

func mustForm(t testing.TB) *forms.Form {
	t.Helper()
	f, err := forms.Load("test.schema.json", []byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// wohngeld returns a valid descriptor; tests break one field at a time.
func wohngeld(t testing.TB) *ozg.Service {
	return &ozg.Service{
		ID:          "wohngeld",
		Name:        "Wohngeld beantragen",
		NameEN:      "Apply for housing benefit",
		Description: "Zuschuss zur Miete oder zur Belastung bei selbst genutztem Wohneigentum.",
		LeikaKey:    "99107004017000",
		Topic:       ozg.TopicBauenWohnen,
		Authority: ozg.Authority{
			Name:    "Landeshauptstadt Kiel, Amt für Wohnen und Grundsicherung",
			Region:  "010020000000",
			Contact: ozg.Contact{Email: "wohngeld@kiel.example", Phone: "+49 431 901-0"},
			Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"},
		},
		Level: identity.LevelSubstantial,
		Form:  mustForm(t),
		Evidence: []evidence.Requirement{
			{ID: "mietvertrag", Title: "Mietvertrag", Required: true, MaxCount: 3,
				MediaTypes: []string{"application/pdf", "image/jpeg", "image/png"}, MaxSize: 20 << 20},
			{ID: "einkommen", Title: "Einkommensnachweise", Required: true, MinCount: 1, MaxCount: 12,
				MediaTypes: []string{"application/pdf"}, MaxSize: 10 << 20},
		},
		LegalBasis:     "§ 22 WoGG",
		ProcessingDays: 42,
		Delivery:       "fachverfahren",
	}
}

// withoutEvidence drops the service's evidence requirements, for tests of the lifecycle alone.
func withoutEvidence(s *ozg.Service) *ozg.Service {
	s.Evidence = nil
	return s
}

func TestAValidDescriptorPasses(t *testing.T) {
	s := wohngeld(t)
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got, want := s.LeikaURN(), "urn:de:fim:leika:leistung:99107004017000"; got != want {
		t.Errorf("LeikaURN = %q, want %q", got, want)
	}
	s.Fee = &ozg.Fee{Amount: 1500, LegalBasis: "Gebührensatzung Nr. 1", DueBeforeSubmission: true}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate with fee: %v", err)
	}
	s.Retention = ozg.DefaultRetention()
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate with the default retention: %v", err)
	}
	s.Retention = ozg.Retention{Messages: ozg.MinRetention, Evidence: ozg.MaxRetention}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate with retention at its bounds and submissions kept: %v", err)
	}
}

func TestMalformedDescriptorsAreRefusedNamingTheField(t *testing.T) {
	tests := []struct {
		name   string
		field  string
		break_ func(s *ozg.Service)
	}{
		{"an empty id", "id", func(s *ozg.Service) { s.ID = "" }},
		{"an id with a slash", "id", func(s *ozg.Service) { s.ID = "wohn/geld" }},
		{"an id in upper case", "id", func(s *ozg.Service) { s.ID = "Wohngeld" }},
		{"an empty name", "name", func(s *ozg.Service) { s.Name = "" }},
		{"a name of 201 characters", "name", func(s *ozg.Service) { s.Name = strings.Repeat("x", 201) }},
		{"an empty description", "description", func(s *ozg.Service) { s.Description = "" }},
		{"a LeiKa key of 13 digits", "leikaKey", func(s *ozg.Service) { s.LeikaKey = "9910700401700" }},
		{"a LeiKa key not starting with 99", "leikaKey", func(s *ozg.Service) { s.LeikaKey = "10107004017000" }},
		{"a LeiKa key with letters", "leikaKey", func(s *ozg.Service) { s.LeikaKey = "99107004O17000" }},
		{"an unknown Themenfeld", "topic", func(s *ozg.Service) { s.Topic = "wohnen" }},
		{"a missing Themenfeld", "topic", func(s *ozg.Service) { s.Topic = "" }},
		{"an authority without a name", "authority.name", func(s *ozg.Service) { s.Authority.Name = "" }},
		{"an 11-digit ARS", "authority.region", func(s *ozg.Service) { s.Authority.Region = "01002000000" }},
		{"an ARS of Land 17", "authority.region", func(s *ozg.Service) { s.Authority.Region = "170020000000" }},
		{"no contact channel at all", "authority.contact.email", func(s *ozg.Service) { s.Authority.Contact = ozg.Contact{} }},
		{"a malformed e-mail", "authority.contact.email", func(s *ozg.Service) { s.Authority.Contact.Email = "wohngeld-at-kiel" }},
		{"a phone number with letters", "authority.contact.phone", func(s *ozg.Service) { s.Authority.Contact.Phone = "call us" }},
		{"a contact URL without scheme", "authority.contact.url", func(s *ozg.Service) { s.Authority.Contact.URL = "kiel.de/wohngeld" }},
		{"a 4-digit postal code", "authority.address.postalCode", func(s *ozg.Service) { s.Authority.Address.PostalCode = "2410" }},
		{"an address without city", "authority.address.city", func(s *ozg.Service) { s.Authority.Address.City = "" }},
		{"an undefined trust level", "level", func(s *ozg.Service) { s.Level = identity.Level(9) }},
		{"no form", "Form", func(s *ozg.Service) { s.Form = nil }},
		{"a negative fee", "fee.amount", func(s *ozg.Service) { s.Fee = &ozg.Fee{Amount: -500, LegalBasis: "GebO"} }},
		{"a fee of zero", "fee.amount", func(s *ozg.Service) { s.Fee = &ozg.Fee{Amount: 0, LegalBasis: "GebO"} }},
		{"a fee above the payment limit", "fee.amount", func(s *ozg.Service) { s.Fee = &ozg.Fee{Amount: 100_000_000, LegalBasis: "GebO"} }},
		{"a fee without legal basis", "fee.legalBasis", func(s *ozg.Service) { s.Fee = &ozg.Fee{Amount: 500} }},
		{"no legal basis", "legalBasis", func(s *ozg.Service) { s.LegalBasis = "" }},
		{"a negative processing time", "processingDays", func(s *ozg.Service) { s.ProcessingDays = -1 }},
		{"no delivery target", "delivery", func(s *ozg.Service) { s.Delivery = "" }},
		{"an unknown media type", "evidence[0].mediaTypes[1]", func(s *ozg.Service) {
			s.Evidence[0].MediaTypes = []string{"application/pdf", "application/x-wohngeld"}
		}},
		{"a media type with parameters", "evidence[0].mediaTypes[0]", func(s *ozg.Service) {
			s.Evidence[0].MediaTypes = []string{"text/plain; charset=utf-8"}
		}},
		{"a requirement without media types", "evidence[1].mediaTypes", func(s *ozg.Service) { s.Evidence[1].MediaTypes = nil }},
		{"required evidence with max 0", "evidence[0].maxCount", func(s *ozg.Service) { s.Evidence[0].MaxCount = 0 }},
		{"a min count above the max count", "evidence[1].minCount", func(s *ozg.Service) { s.Evidence[1].MinCount = 13 }},
		{"a min count on an optional requirement", "evidence[0].minCount", func(s *ozg.Service) {
			s.Evidence[0].Required, s.Evidence[0].MinCount = false, 1
		}},
		{"a max size of zero", "evidence[0].maxSize", func(s *ozg.Service) { s.Evidence[0].MaxSize = 0 }},
		{"a max size above 1 GiB", "evidence[0].maxSize", func(s *ozg.Service) { s.Evidence[0].MaxSize = 2 << 30 }},
		{"a requirement id with spaces", "evidence[0].id", func(s *ozg.Service) { s.Evidence[0].ID = "miet vertrag" }},
		{"a requirement without title", "evidence[1].title", func(s *ozg.Service) { s.Evidence[1].Title = "" }},
		{"two requirements with one id", "evidence", func(s *ozg.Service) { s.Evidence[1].ID = s.Evidence[0].ID }},
		{"drafts kept for one hour", "retention.drafts", func(s *ozg.Service) { s.Retention.Drafts = time.Hour }},
		{"a negative retention of submissions", "retention.submissions", func(s *ozg.Service) { s.Retention.Submissions = -24 * time.Hour }},
		{"messages kept for eleven years", "retention.messages", func(s *ozg.Service) { s.Retention.Messages = 11 * 365 * 24 * time.Hour }},
		{"submissions kept for less than the processing time", "retention.submissions", func(s *ozg.Service) {
			s.ProcessingDays, s.Retention.Submissions = 90, 30*24*time.Hour
		}},
		{"evidence kept longer than its submission", "retention.evidence", func(s *ozg.Service) {
			s.Retention.Submissions, s.Retention.Evidence = 30*24*time.Hour, 60*24*time.Hour
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := wohngeld(t)
			tt.break_(s)
			err := s.Validate()
			if !errors.Is(err, ozg.ErrInvalidService) {
				t.Fatalf("Validate = %v, want ErrInvalidService", err)
			}
			var de *ozg.DescriptorError
			if !errors.As(err, &de) {
				t.Fatalf("Validate = %T, want *DescriptorError", err)
			}
			if !de.Has(tt.field) {
				t.Fatalf("problems %+v do not name field %q", de.Problems, tt.field)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("message %q does not name field %q", err, tt.field)
			}
			if c := ozg.NewCatalog(nil); c.Register(s) == nil {
				t.Error("the catalogue registered a broken descriptor")
			}
		})
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	s := wohngeld(t)
	s.LeikaKey = "123"
	s.Authority.Region = "1"
	s.Evidence[0].MaxCount = 0
	var de *ozg.DescriptorError
	if err := s.Validate(); !errors.As(err, &de) {
		t.Fatalf("Validate = %v", err)
	}
	for _, f := range []string{"leikaKey", "authority.region", "evidence[0].maxCount"} {
		if !de.Has(f) {
			t.Errorf("missing problem for %s in %v", f, de.Problems)
		}
	}
}
