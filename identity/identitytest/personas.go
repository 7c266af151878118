package identitytest

import "github.com/ozgkit/ozgkit/identity"

// Persona is a test citizen (or an organisation account) the provider can log in.
type Persona struct {
	// ID names the persona in the chooser and in [Provider.SetAutoLogin], e.g. "erika".
	ID string
	// Label is what the chooser page shows.
	Label string
	// MaxLevel is the strongest level the persona can log in at (the means they own: eID card
	// for high, ELSTER certificate for substantial, only a password for basic). They can always
	// log in at a weaker level.
	MaxLevel identity.Level
	// Claims are the persona's attributes, BundID OIDs as claim names. The provider adds sub,
	// acr, amr, auth_time, nonce and the trust level attribute itself.
	Claims map[string]any
}

// DefaultPersonas returns the shipped test citizens:
//   - "erika": Erika Mustermann, eID card, up to high;
//   - "max": Max Mustermann, ELSTER certificate, up to substantial;
//   - "lena": Lena Beispiel, username and password only, basic;
//   - "firma": Jonas Muster for Musterbau GmbH, an ELSTER-based organisation account at substantial.
func DefaultPersonas() []Persona {
	return []Persona{
		{
			ID: "erika", Label: "Erika Mustermann (Online-Ausweis)", MaxLevel: identity.LevelHigh,
			Claims: map[string]any{
				identity.ClaimBPK2: "bPK2-ERIKA-7f3a9c", identity.ClaimGivenName: "Erika",
				identity.ClaimSurname: "Mustermann", identity.ClaimBirthName: "Gabler",
				identity.ClaimBirthDate: "1964-08-12", identity.ClaimPlaceOfBirth: "Berlin",
				identity.ClaimPostalAddress: "Heidestraße 17", identity.ClaimPostalCode: "51147",
				identity.ClaimLocality: "Köln", identity.ClaimCountry: "DE",
				identity.ClaimNationality: "D", identity.ClaimMail: "erika.mustermann@example.org",
				identity.ClaimPostkorbHandle: "postkorb-erika-0001",
			},
		},
		{
			ID: "max", Label: "Max Mustermann (ELSTER-Zertifikat)", MaxLevel: identity.LevelSubstantial,
			Claims: map[string]any{
				identity.ClaimBPK2: "bPK2-MAX-21be04", identity.ClaimGivenName: "Max",
				identity.ClaimSurname: "Mustermann", identity.ClaimBirthDate: "1970-01-31",
				identity.ClaimPostalAddress: "Hauptstraße 1", identity.ClaimPostalCode: "10115",
				identity.ClaimLocality: "Berlin", identity.ClaimCountry: "DE",
				identity.ClaimMail:           "max.mustermann@example.org",
				identity.ClaimPostkorbHandle: "postkorb-max-0002",
			},
		},
		{
			ID: "lena", Label: "Lena Beispiel (Benutzername und Passwort)", MaxLevel: identity.LevelBasic,
			Claims: map[string]any{
				identity.ClaimBPK2: "bPK2-LENA-90dd11", identity.ClaimMail: "lena@example.org",
				identity.ClaimPostkorbHandle: "postkorb-lena-0003",
			},
		},
		{
			ID: "firma", Label: "Jonas Muster für Musterbau GmbH (Unternehmenskonto)", MaxLevel: identity.LevelSubstantial,
			Claims: map[string]any{
				identity.ClaimBPK2: "bPK2-JONAS-55c0e2", identity.ClaimGivenName: "Jonas",
				identity.ClaimSurname: "Muster", identity.ClaimMail: "jonas@musterbau.example",
				"organisation_id": "ELSTER-ORG-4711", "organisation_name": "Musterbau GmbH",
				"organisation_kind": "GmbH",
			},
		},
	}
}

// methodFor is the amr value of a login at level l.
func methodFor(l identity.Level) string {
	switch l {
	case identity.LevelHigh:
		return "eid"
	case identity.LevelSubstantial:
		return "elster"
	}
	return "pwd"
}
