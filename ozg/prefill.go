package ozg

import (
	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
)

// Fact names a form's "fact" hints use for citizen facts from the login (once-only): a form
// field with "x-ui": {"fact": "birthdate"} is prefilled with the Principal's birth date.
const (
	FactGivenName     = "given_name"
	FactFamilyName    = "family_name"
	FactBirthName     = "birth_name"
	FactBirthDate     = "birthdate"
	FactPlaceOfBirth  = "place_of_birth"
	FactNationality   = "nationality"
	FactEmail         = "email"
	FactStreetAddress = "street_address"
	FactPostalCode    = "postal_code"
	FactLocality      = "locality"
)

// PrincipalFacts turns what the identity provider vouched for into a prefill source for forms,
// named "identity" in the provenance. Facts the provider did not hand over are left out, so the
// citizen enters them.
func PrincipalFacts(p *identity.Principal) *forms.FactSource {
	facts := map[string]any{}
	add := func(name, v string) {
		if v != "" {
			facts[name] = v
		}
	}
	add(FactGivenName, p.GivenNames)
	add(FactFamilyName, p.FamilyName)
	add(FactBirthName, p.BirthName)
	add(FactBirthDate, p.BirthDate)
	add(FactPlaceOfBirth, p.PlaceOfBirth)
	add(FactNationality, p.Nationality)
	add(FactEmail, p.Email)
	if a := p.Address; a != nil {
		add(FactStreetAddress, a.Street)
		add(FactPostalCode, a.PostalCode)
		add(FactLocality, a.City)
	}
	return &forms.FactSource{Source: "identity", Facts: facts}
}
