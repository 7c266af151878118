package identity

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func bundIDClaims() map[string]any {
	return map[string]any{
		"sub":                 "keycloak-user-id-123",
		"acr":                 "STORK-QAA-Level-4",
		"auth_time":           float64(1764320000),
		ClaimBPK2:             "bPK2-pseudonym-erika",
		ClaimGivenName:        "Erika",
		ClaimSurname:          "Mustermann",
		ClaimBirthName:        "Gabler",
		ClaimBirthDate:        "12.08.1964",
		ClaimPlaceOfBirth:     "Berlin",
		ClaimPostalAddress:    "Heidestraße 17",
		ClaimPostalCode:       "51147",
		ClaimLocality:         "Köln",
		ClaimCountry:          "DE",
		ClaimNationality:      "D",
		ClaimMail:             "erika@example.org",
		ClaimPostkorbHandle:   "postkorb-erika",
		"email":               "other@example.org",
		ClaimEIDASIssuerState: "DE",
	}
}

func TestBundIDClaimsMapToAPrincipal(t *testing.T) {
	p, err := BundIDClaims().Principal(bundIDClaims(), "https://idp.example", DefaultACRMapping())
	if err != nil {
		t.Fatal(err)
	}
	want := &Principal{
		Subject: "bPK2-pseudonym-erika", Issuer: "https://idp.example", Level: LevelHigh,
		Method: MethodEID, AuthTime: time.Unix(1764320000, 0).UTC(),
		GivenNames: "Erika", FamilyName: "Mustermann", BirthName: "Gabler", BirthDate: "1964-08-12",
		PlaceOfBirth: "Berlin", Nationality: "D", Email: "erika@example.org", MailboxHandle: "postkorb-erika",
		Address: &Address{Street: "Heidestraße 17", PostalCode: "51147", City: "Köln", Country: "DE"},
	}
	gotJSON, _ := json.Marshal(p)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Fatalf("principal\n got %s\nwant %s", gotJSON, wantJSON)
	}
}

func TestStandardClaimsReadNestedAddressAndAmr(t *testing.T) {
	claims := map[string]any{
		"sub": "u1", "acr": "http://eidas.europa.eu/LoA/substantial", "amr": []any{"otp", "swk"},
		"given_name": "Max", "family_name": "Mustermann", "birthdate": "1970-01-31",
		"address": map[string]any{"street_address": "Hauptstr. 1", "postal_code": "10115", "locality": "Berlin"},
	}
	p, err := StandardClaims().Principal(claims, "iss", DefaultACRMapping())
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "u1" || p.Level != LevelSubstantial || p.Method != MethodELSTER {
		t.Errorf("principal = %+v", p)
	}
	if p.Address == nil || p.Address.Street != "Hauptstr. 1" || p.Address.City != "Berlin" {
		t.Errorf("address = %+v", p.Address)
	}
}

func TestAForeignEIDIsReportedAsEIDAS(t *testing.T) {
	c := bundIDClaims()
	c[ClaimEIDASIssuerState] = "AT"
	p, err := BundIDClaims().Principal(c, "iss", DefaultACRMapping())
	if err != nil || p.Method != MethodEIDAS {
		t.Fatalf("method = %v, %v", p, err)
	}
}

func TestBadClaimsAreRefusedNamingTheClaim(t *testing.T) {
	tests := []struct {
		name   string
		change func(map[string]any)
		claim  string
	}{
		{"a missing bPK2 is refused even when sub and email are there", func(c map[string]any) { delete(c, ClaimBPK2) }, ClaimBPK2},
		{"a missing level is refused", func(c map[string]any) { delete(c, "acr") }, "acr"},
		{"an unmapped acr is refused", func(c map[string]any) { c["acr"] = "gold" }, "acr"},
		{"a number as given name is refused", func(c map[string]any) { c[ClaimGivenName] = 42.0 }, ClaimGivenName},
		{"an overlong family name is refused", func(c map[string]any) { c[ClaimSurname] = strings.Repeat("x", 2000) }, ClaimSurname},
		{"an overlong subject is refused", func(c map[string]any) { c[ClaimBPK2] = strings.Repeat("x", 300) }, ClaimBPK2},
		{"a malformed birth date is refused", func(c map[string]any) { c[ClaimBirthDate] = "31.02.1990" }, "birth date"},
		{"a string auth_time is refused", func(c map[string]any) { c["auth_time"] = "yesterday" }, "auth_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := bundIDClaims()
			tt.change(c)
			_, err := BundIDClaims().Principal(c, "iss", DefaultACRMapping())
			var ce *ClaimsError
			if !errors.As(err, &ce) || !errors.Is(err, ErrClaims) {
				t.Fatalf("error = %v, want *ClaimsError", err)
			}
			if !strings.Contains(ce.Claim, tt.claim) {
				t.Errorf("error names %q, want %q", ce.Claim, tt.claim)
			}
		})
	}
}

func TestClaimMappingRoundTripsThroughJSON(t *testing.T) {
	b, err := json.Marshal(BundIDClaims())
	if err != nil {
		t.Fatal(err)
	}
	var m ClaimMapping
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	p, err := m.Principal(bundIDClaims(), "iss", DefaultACRMapping())
	if err != nil || p.Method != MethodEID || p.Subject != "bPK2-pseudonym-erika" {
		t.Fatalf("after JSON round trip: %+v, %v", p, err)
	}
}

func TestDatesAreNormalisedToISO(t *testing.T) {
	for in, want := range map[string]string{"1964-08-12": "1964-08-12", "19640812": "1964-08-12", "12.08.1964": "1964-08-12", "1964": "1964", "1964-08": "1964-08"} {
		if got, err := normaliseDate(in); err != nil || got != want {
			t.Errorf("normaliseDate(%q) = %q, %v", in, got, err)
		}
	}
}

func TestAnOrganisationAccountFillsTheOrganisationBlock(t *testing.T) {
	m := BundIDClaims()
	m.OrganisationID = []string{"organisation_id"}
	m.OrganisationName = []string{"organisation_name"}
	c := bundIDClaims()
	c["organisation_id"] = "ELSTER-ORG-4711"
	c["organisation_name"] = "Musterbau GmbH"
	p, err := m.Principal(c, "iss", DefaultACRMapping())
	if err != nil {
		t.Fatal(err)
	}
	if p.Organisation == nil || p.Organisation.ID != "ELSTER-ORG-4711" || p.Organisation.Name != "Musterbau GmbH" {
		t.Fatalf("organisation = %+v", p.Organisation)
	}
	if p, _ := BundIDClaims().Principal(bundIDClaims(), "iss", DefaultACRMapping()); p.Organisation != nil {
		t.Fatal("a citizen login must have no organisation block")
	}
}
