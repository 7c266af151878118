package identity_test

import (
	"fmt"

	"github.com/ozgkit/ozgkit/identity"
)

func ExampleParseSTORK() {
	for _, acr := range []string{"STORK-QAA-Level-1", "STORK-QAA-Level-3", "STORK-QAA-Level-4"} {
		l, _ := identity.ParseSTORK(acr)
		eidas, err := l.EIDAS()
		if err != nil {
			eidas = "no eIDAS level"
		}
		fmt.Printf("%s = %v (%s), meets eIDAS low: %v\n", acr, l, eidas, l.Meets(identity.LevelLow))
	}
	// Output:
	// STORK-QAA-Level-1 = basic (no eIDAS level), meets eIDAS low: false
	// STORK-QAA-Level-3 = substantial (http://eidas.europa.eu/LoA/substantial), meets eIDAS low: true
	// STORK-QAA-Level-4 = high (http://eidas.europa.eu/LoA/high), meets eIDAS low: true
}

func ExampleClaimMapping_Principal() {
	claims := map[string]any{ // as a BundID broker passes them on
		"sub":                   "keycloak-internal-id",
		"acr":                   "STORK-QAA-Level-3",
		identity.ClaimBPK2:      "bPK2-MAX",
		identity.ClaimGivenName: "Max",
		identity.ClaimSurname:   "Mustermann",
		identity.ClaimBirthDate: "31.01.1970",
		identity.ClaimLocality:  "Berlin",
	}
	p, err := identity.BundIDClaims().Principal(claims, "https://id.example", identity.DefaultACRMapping())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Subject, p.Level, p.Method, p.GivenNames, p.FamilyName, p.BirthDate, p.Address.City)
	// Output: bPK2-MAX substantial elster Max Mustermann 1970-01-31 Berlin
}
