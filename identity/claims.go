package identity

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// BundID attribute names (OIDs) as brokers pass them on as claims.
const (
	ClaimBPK2             = "urn:oid:1.3.6.1.4.1.25484.494450.3" // bPK2 pseudonym
	ClaimGivenName        = "urn:oid:2.5.4.42"
	ClaimSurname          = "urn:oid:2.5.4.4"
	ClaimBirthDate        = "urn:oid:1.2.40.0.10.2.1.1.55"
	ClaimBirthName        = "urn:oid:1.2.40.0.10.2.1.1.225566"
	ClaimPlaceOfBirth     = "urn:oid:1.3.6.1.5.5.7.9.2"
	ClaimPostalAddress    = "urn:oid:2.5.4.16" // street and house number
	ClaimPostalCode       = "urn:oid:2.5.4.17"
	ClaimLocality         = "urn:oid:2.5.4.7"
	ClaimCountry          = "urn:oid:1.2.40.0.10.2.1.1.225599"
	ClaimNationality      = "urn:oid:1.2.40.0.10.2.1.1.225577"
	ClaimMail             = "urn:oid:0.9.2342.19200300.100.1.3"
	ClaimPersonalTitle    = "urn:oid:0.9.2342.19200300.100.1.40"
	ClaimPostkorbHandle   = "urn:oid:2.5.4.18"
	ClaimTrustLevel       = "urn:oid:1.2.40.0.10.2.1.1.261.94" // STORK-QAA-Level-1..4
	ClaimEIDASIssuerState = "urn:oid:1.3.6.1.4.1.25484.494450.10.1"
)

// ErrClaims is returned (wrapped in a *ClaimsError) when a provider's claims do not make a
// valid [Principal].
var ErrClaims = errors.New("identity: claims")

// ClaimsError names the claim that is missing or malformed.
type ClaimsError struct {
	Claim  string // the claim name, or the Principal field when no claim was found
	Reason string
}

func (e *ClaimsError) Error() string {
	return fmt.Sprintf("identity: claim %s: %s", e.Claim, e.Reason)
}

// Unwrap makes a *ClaimsError match [ErrClaims].
func (e *ClaimsError) Unwrap() error { return ErrClaims }

// ClaimMapping says, as data, which claims carry which [Principal] field. Each field lists
// claim names tried in order; the first present, non-empty one wins. A name with dots
// ("address.street_address") reaches into a JSON object claim. Claim values are strings;
// a list of strings contributes its first entry, joined names aside.
//
// [BundIDClaims] and [StandardClaims] are the two shipped mappings; write your own for other
// brokers (it marshals to and from JSON).
type ClaimMapping struct {
	Subject       []string `json:"subject"`
	Level         []string `json:"level"` // acr values, read through an ACRMapping
	Method        []string `json:"method,omitempty"`
	AuthTime      []string `json:"authTime,omitempty"` // seconds since the epoch
	GivenNames    []string `json:"givenNames,omitempty"`
	FamilyName    []string `json:"familyName,omitempty"`
	BirthName     []string `json:"birthName,omitempty"`
	Title         []string `json:"title,omitempty"`
	BirthDate     []string `json:"birthDate,omitempty"`
	PlaceOfBirth  []string `json:"placeOfBirth,omitempty"`
	Nationality   []string `json:"nationality,omitempty"`
	Email         []string `json:"email,omitempty"`
	MailboxHandle []string `json:"mailboxHandle,omitempty"`
	Street        []string `json:"street,omitempty"`
	PostalCode    []string `json:"postalCode,omitempty"`
	City          []string `json:"city,omitempty"`
	Country       []string `json:"country,omitempty"`
	// Organisation account: OrganisationID present makes the principal an organisation login.
	OrganisationID   []string `json:"organisationId,omitempty"`
	OrganisationName []string `json:"organisationName,omitempty"`
	OrganisationKind []string `json:"organisationKind,omitempty"`

	// Roles names claims that carry roles or groups, e.g. "roles", "groups" or Keycloak's
	// "realm_access.roles": a list of strings, or one string of space-separated names. Every
	// named claim that is present contributes; duplicates are dropped.
	Roles []string `json:"roles,omitempty"`

	// MethodValues maps the values of the Method claims (amr entries, say) to methods.
	MethodValues map[string]Method `json:"methodValues,omitempty"`
	// MethodByLevel gives the method when no Method claim says it: BundID's levels each
	// belong to one method.
	MethodByLevel map[Level]Method `json:"methodByLevel,omitempty"`
	// EIDASCountry names claims holding the issuing member state of a foreign eID; a value
	// other than "DE" makes the method [MethodEIDAS].
	EIDASCountry []string `json:"eidasCountry,omitempty"`

	// AssumedLevel is the level given to a login whose claims name no level at all (none of
	// the Level claims present). Zero, the default, refuses such a login ("trust level
	// missing"), which is right for BundID and every broker that sends acr. Set it only for a
	// provider that never sends acr and whose own login is known to reach that level; a
	// level claim that is present but not mapped is still refused.
	AssumedLevel Level `json:"assumedLevel,omitempty"`
}

// BundIDClaims maps the BundID attribute set (OIDs), with the OpenID Connect standard claims
// as fall-backs for names a broker may have translated. The level comes from acr, then from
// the BundID trust level attribute.
func BundIDClaims() ClaimMapping {
	return ClaimMapping{
		Subject:       []string{ClaimBPK2},
		Level:         []string{"acr", ClaimTrustLevel},
		Method:        []string{"amr"},
		AuthTime:      []string{"auth_time"},
		GivenNames:    []string{ClaimGivenName, "given_name"},
		FamilyName:    []string{ClaimSurname, "family_name"},
		BirthName:     []string{ClaimBirthName, "birth_family_name"},
		Title:         []string{ClaimPersonalTitle, "title"},
		BirthDate:     []string{ClaimBirthDate, "birthdate"},
		PlaceOfBirth:  []string{ClaimPlaceOfBirth, "place_of_birth.locality"},
		Nationality:   []string{ClaimNationality, "nationalities"},
		Email:         []string{ClaimMail, "email"},
		MailboxHandle: []string{ClaimPostkorbHandle},
		Street:        []string{ClaimPostalAddress, "address.street_address"},
		PostalCode:    []string{ClaimPostalCode, "address.postal_code"},
		City:          []string{ClaimLocality, "address.locality"},
		Country:       []string{ClaimCountry, "address.country"},
		MethodValues:  standardMethodValues(),
		MethodByLevel: map[Level]Method{
			LevelBasic:       MethodPassword,
			LevelSubstantial: MethodELSTER,
			LevelHigh:        MethodEID,
		},
		EIDASCountry: []string{ClaimEIDASIssuerState},
	}
}

// StandardClaims maps the OpenID Connect Core standard claims (sub, given_name, address...)
// and OpenID Connect for Identity Assurance's birth_family_name and place_of_birth.
func StandardClaims() ClaimMapping {
	return ClaimMapping{
		Subject:      []string{"sub"},
		Level:        []string{"acr"},
		Method:       []string{"amr"},
		AuthTime:     []string{"auth_time"},
		GivenNames:   []string{"given_name"},
		FamilyName:   []string{"family_name"},
		BirthName:    []string{"birth_family_name"},
		BirthDate:    []string{"birthdate"},
		PlaceOfBirth: []string{"place_of_birth.locality"},
		Nationality:  []string{"nationalities"},
		Email:        []string{"email"},
		Street:       []string{"address.street_address"},
		PostalCode:   []string{"address.postal_code"},
		City:         []string{"address.locality"},
		Country:      []string{"address.country"},
		MethodValues: standardMethodValues(),
	}
}

func standardMethodValues() map[string]Method {
	return map[string]Method{
		"pwd": MethodPassword, "password": MethodPassword,
		"elster": MethodELSTER, "swk": MethodELSTER,
		"eid": MethodEID, "hwk": MethodEID,
		"eidas": MethodEIDAS,
	}
}

// Bounds on claim values: a provider's claims are outside input.
const (
	maxClaimLen = 1024
	maxSubject  = 255
)

// Principal builds a principal from a provider's claims (an ID token's or userinfo's, merged
// by the caller). issuer is the verified token issuer. The subject and a level mapped by acr
// are required; every other fact is optional. Values longer than 1024 bytes or not strings
// are refused with a *ClaimsError naming the claim.
func (m ClaimMapping) Principal(claims map[string]any, issuer string, acr ACRMapping) (*Principal, error) {
	p := &Principal{Issuer: issuer}
	var err error
	str := func(names []string, dst *string) {
		if err != nil {
			return
		}
		var v string
		v, _, err = m.lookup(claims, names)
		*dst = v
	}

	sub, subName, e := m.lookup(claims, m.Subject)
	if e != nil {
		return nil, e
	}
	switch {
	case sub == "":
		return nil, &ClaimsError{Claim: strings.Join(m.Subject, " or "), Reason: "subject missing"}
	case len(sub) > maxSubject:
		return nil, &ClaimsError{Claim: subName, Reason: "subject longer than 255 bytes"}
	}
	p.Subject = sub

	lv, lvName, e := m.lookup(claims, m.Level)
	if e != nil {
		return nil, e
	}
	switch {
	case lv == "" && m.AssumedLevel > LevelNone && m.AssumedLevel.Valid():
		p.Level = m.AssumedLevel
	case lv == "":
		return nil, &ClaimsError{Claim: strings.Join(m.Level, " or "), Reason: "trust level missing"}
	default:
		if p.Level, e = acr.Level(lv); e != nil {
			return nil, &ClaimsError{Claim: lvName, Reason: e.Error()}
		}
	}

	for _, n := range m.AuthTime {
		v, ok := lookupPath(claims, n)
		if !ok {
			continue
		}
		f, ok := v.(float64)
		if !ok || f < 0 || f > 1e11 {
			return nil, &ClaimsError{Claim: n, Reason: "not seconds since the epoch"}
		}
		p.AuthTime = time.Unix(int64(f), 0).UTC()
		break
	}

	str(m.GivenNames, &p.GivenNames)
	str(m.FamilyName, &p.FamilyName)
	str(m.BirthName, &p.BirthName)
	str(m.Title, &p.Title)
	str(m.PlaceOfBirth, &p.PlaceOfBirth)
	str(m.Nationality, &p.Nationality)
	str(m.Email, &p.Email)
	str(m.MailboxHandle, &p.MailboxHandle)
	var bd string
	str(m.BirthDate, &bd)
	var a Address
	str(m.Street, &a.Street)
	str(m.PostalCode, &a.PostalCode)
	str(m.City, &a.City)
	str(m.Country, &a.Country)
	var o Organisation
	str(m.OrganisationID, &o.ID)
	str(m.OrganisationName, &o.Name)
	str(m.OrganisationKind, &o.Kind)
	var eidasCountry string
	str(m.EIDASCountry, &eidasCountry)
	if err != nil {
		return nil, err
	}
	if bd != "" {
		if p.BirthDate, err = normaliseDate(bd); err != nil {
			return nil, &ClaimsError{Claim: "birth date", Reason: err.Error()}
		}
	}
	if a != (Address{}) {
		p.Address = &a
	}
	if o.ID != "" {
		p.Organisation = &o
	}
	p.Method, err = m.method(claims, p.Level, eidasCountry)
	if err != nil {
		return nil, err
	}
	if p.Roles, err = m.roles(claims); err != nil {
		return nil, err
	}
	return p, nil
}

// Bounds on roles: a provider's claims are outside input.
const (
	maxRoles      = 64
	maxRoleLength = 128
)

// roles collects the values of the role claims, in order, without duplicates.
func (m ClaimMapping) roles(claims map[string]any) ([]string, error) {
	var out []string
	add := func(claim, r string) error {
		r = strings.TrimSpace(r)
		switch {
		case r == "" || slices.Contains(out, r):
			return nil
		case len(r) > maxRoleLength:
			return &ClaimsError{Claim: claim, Reason: fmt.Sprintf("a role is longer than %d bytes", maxRoleLength)}
		case len(out) == maxRoles:
			return &ClaimsError{Claim: claim, Reason: fmt.Sprintf("more than %d roles", maxRoles)}
		}
		out = append(out, r)
		return nil
	}
	for _, n := range m.Roles {
		v, ok := lookupPath(claims, n)
		if !ok || v == nil {
			continue
		}
		switch x := v.(type) {
		case string:
			for _, r := range strings.Fields(x) {
				if err := add(n, r); err != nil {
					return nil, err
				}
			}
		case []any:
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, &ClaimsError{Claim: n, Reason: "list entries are not strings"}
				}
				if err := add(n, s); err != nil {
					return nil, err
				}
			}
		case []string:
			for _, s := range x {
				if err := add(n, s); err != nil {
					return nil, err
				}
			}
		default:
			return nil, &ClaimsError{Claim: n, Reason: fmt.Sprintf("want a list of strings, got %T", v)}
		}
	}
	return out, nil
}

func (m ClaimMapping) method(claims map[string]any, l Level, eidasCountry string) (Method, error) {
	if eidasCountry != "" && !strings.EqualFold(eidasCountry, "DE") {
		return MethodEIDAS, nil
	}
	for _, n := range m.Method {
		v, ok := lookupPath(claims, n)
		if !ok {
			continue
		}
		var vals []any
		switch x := v.(type) {
		case string:
			vals = []any{x}
		case []any:
			vals = x
		default:
			return MethodUnknown, &ClaimsError{Claim: n, Reason: "neither a string nor a list of strings"}
		}
		for i, e := range vals {
			if i >= 16 {
				break
			}
			if s, ok := e.(string); ok {
				if meth, ok := m.MethodValues[s]; ok {
					return meth, nil
				}
			}
		}
	}
	return m.MethodByLevel[l], nil
}

// lookup returns the first present non-empty string value among names.
func (m ClaimMapping) lookup(claims map[string]any, names []string) (string, string, error) {
	for _, n := range names {
		v, ok := lookupPath(claims, n)
		if !ok || v == nil {
			continue
		}
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []any:
			if len(x) == 0 {
				continue
			}
			first, ok := x[0].(string)
			if !ok {
				return "", n, &ClaimsError{Claim: n, Reason: "list entries are not strings"}
			}
			s = first
		default:
			return "", n, &ClaimsError{Claim: n, Reason: fmt.Sprintf("want a string, got %T", v)}
		}
		if len(s) > maxClaimLen {
			return "", n, &ClaimsError{Claim: n, Reason: "longer than 1024 bytes"}
		}
		if s = strings.TrimSpace(s); s != "" {
			return s, n, nil
		}
	}
	return "", "", nil
}

// lookupPath finds a claim by exact name first (OID names contain dots), then by a dotted
// path into nested objects.
func lookupPath(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	if !strings.Contains(name, ".") || strings.HasPrefix(name, "urn:") {
		return nil, false
	}
	cur := any(claims)
	for _, part := range strings.Split(name, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

var (
	isoDate    = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	germanDate = regexp.MustCompile(`^(\d{2})\.(\d{2})\.(\d{4})$`)
)

// normaliseDate accepts YYYY-MM-DD (or YYYY-MM, YYYY: eID cards may lack day or month),
// YYYYMMDD and DD.MM.YYYY, and returns the ISO form.
func normaliseDate(s string) (string, error) {
	switch {
	case isoDate.MatchString(s):
	case len(s) == 8 && isoDate.MatchString(s[:4]) && strings.Trim(s, "0123456789") == "":
		s = s[:4] + "-" + s[4:6] + "-" + s[6:]
	case germanDate.MatchString(s):
		g := germanDate.FindStringSubmatch(s)
		s = g[3] + "-" + g[2] + "-" + g[1]
	default:
		return "", fmt.Errorf("%q is no date (want YYYY-MM-DD or DD.MM.YYYY)", s)
	}
	if len(s) == 10 {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return "", fmt.Errorf("%q is no calendar date", s)
		}
	}
	return s, nil
}
