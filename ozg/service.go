package ozg

import (
	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// LeikaURNPrefix is the URN prefix of a Leistungsschlüssel as FIT-Connect expects it.
const LeikaURNPrefix = "urn:de:fim:leika:leistung:"

// Service describes one public service (Verwaltungsleistung, OZG-Leistung) of one authority:
// what it is, who offers it, how sure the authority must be of the citizen, what the citizen
// fills in, uploads and pays, and where submissions go.
//
// A Service is a descriptor: build it as a literal, check it with [Service.Validate] (a
// [Catalog] refuses an invalid one), and do not change it after registration.
type Service struct {
	// ID is the stable, URL-safe identifier used in routes, e.g. "wohngeld".
	ID string `json:"id" validate:"required,slug,max=64"`
	// Name is the German name shown to citizens, e.g. "Wohngeld beantragen".
	Name string `json:"name" validate:"required,max=200"`
	// NameEN is the optional English name.
	NameEN string `json:"nameEn,omitempty" validate:"max=200"`
	// Description tells citizens in German what the service is for.
	Description string `json:"description" validate:"required,max=5000"`
	// DescriptionEN is the optional English description.
	DescriptionEN string `json:"descriptionEn,omitempty" validate:"max=5000"`
	// LeikaKey is the Leistungsschlüssel from the LeiKa/FIM catalogue: 14 digits starting
	// with 99, e.g. "99107004017000". See [Service.LeikaURN].
	LeikaKey string `json:"leikaKey" validate:"required,leika"`
	// Topic is the OZG Themenfeld.
	Topic Topic `json:"topic" validate:"required,topic"`
	// Authority is the responsible authority (zuständige Behörde).
	Authority Authority `json:"authority"`
	// Level is the trust level (Vertrauensniveau) a citizen must log in at to apply.
	// LevelNone means no login is needed.
	Level identity.Level `json:"level" validate:"trustlevel"`
	// Form is the compiled application form. Required.
	Form *forms.Form `json:"-" validate:"required"`
	// Evidence lists the evidence (Nachweise) the citizen uploads; IDs are unique.
	Evidence []evidence.Requirement `json:"evidence,omitempty" validate:"max=50,unique=ID,dive"`
	// Fee is the fee (Gebühr) charged for the service, or nil when it is free of charge.
	Fee *Fee `json:"fee,omitempty" validate:"omitnil"`
	// LegalBasis names the law the service rests on, e.g. "§ 22 WoGG".
	LegalBasis string `json:"legalBasis" validate:"required,max=500"`
	// ProcessingDays is the usual processing time in days (Bearbeitungsdauer); 0 if unknown.
	ProcessingDays int `json:"processingDays,omitempty" validate:"gte=0,lte=3650"`
	// Delivery names the delivery target (an ozg.Delivery registered under that name) that
	// takes submissions to the back office (Fachverfahren).
	Delivery string `json:"delivery" validate:"required,slug,max=64"`
	// Retention says how long drafts, submissions, evidence and Postfach messages of the
	// service are kept (Löschfristen); the zero value keeps everything. It is operations'
	// configuration and not part of the catalogue's JSON.
	Retention Retention `json:"-"`
}

// Authority is the authority responsible for a service.
type Authority struct {
	// Name, e.g. "Stadt Kiel, Amt für Wohnen und Grundsicherung".
	Name string `json:"name" validate:"required,max=200"`
	// Region is the Amtlicher Regionalschlüssel (ARS) of the area the authority serves, 12 digits:
	// 2 Land, 1 Regierungsbezirk, 2 Kreis, 4 Gemeindeverband, 3 Gemeinde. Trailing levels that
	// are all zeros widen the area: "010020000000" is Kiel, "010000000000" all of
	// Schleswig-Holstein.
	Region string `json:"region" validate:"required,ars"`
	// Contact says how citizens reach the authority; at least one channel is required.
	Contact Contact `json:"contact"`
	// Address is the authority's postal address.
	Address Address `json:"address"`
}

// Contact holds an authority's contact channels.
type Contact struct {
	Email string `json:"email,omitempty" validate:"required_without_all=Phone URL,omitempty,email,max=254"`
	Phone string `json:"phone,omitempty" validate:"omitempty,phone"`
	URL   string `json:"url,omitempty" validate:"omitempty,http_url,max=2000"`
}

// Address is a German postal address.
type Address struct {
	Street     string `json:"street" validate:"required,max=200"`
	PostalCode string `json:"postalCode" validate:"required,plz"`
	City       string `json:"city" validate:"required,max=100"`
}

// Fee is the fee (Gebühr) of a service, in euro cents.
type Fee struct {
	// Amount in euro cents, more than 0 and at most 999,999.99 EUR (the XBezahldienste limit).
	Amount int64 `json:"amount" validate:"gte=1,lte=99999999"`
	// LegalBasis names the fee schedule, e.g. "Verwaltungsgebührensatzung der Stadt Kiel, Nr. 4.2".
	LegalBasis string `json:"legalBasis" validate:"required,max=500"`
	// DueBeforeSubmission: the fee is paid online before the application can be submitted
	// ("im Voraus"). When false the authority collects it later, e.g. with the notice.
	DueBeforeSubmission bool `json:"dueBeforeSubmission"`
}

// LeikaURN returns the Leistungsschlüssel as the URN FIT-Connect uses,
// "urn:de:fim:leika:leistung:<key>".
func (s *Service) LeikaURN() string { return LeikaURNPrefix + s.LeikaKey }

// FeeDueOnline reports whether the citizen must pay a fee online before submitting.
func (s *Service) FeeDueOnline() bool { return s.Fee != nil && s.Fee.DueBeforeSubmission }

// Requirement returns the evidence requirement with the given id.
func (s *Service) Requirement(id string) (evidence.Requirement, bool) {
	for _, r := range s.Evidence {
		if r.ID == id {
			return r, true
		}
	}
	return evidence.Requirement{}, false
}

// RequiresEvidence reports whether at least one evidence requirement is required.
func (s *Service) RequiresEvidence() bool {
	for _, r := range s.Evidence {
		if r.Required {
			return true
		}
	}
	return false
}
