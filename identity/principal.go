package identity

import (
	"context"
	"time"
)

// Method is how the citizen proved who they are (Authentifizierungsmittel).
type Method string

// The authentication methods BundID and its brokers report.
const (
	MethodUnknown  Method = ""
	MethodPassword Method = "password" // BundID username and password (Benutzername/Passwort)
	MethodELSTER   Method = "elster"   // ELSTER software certificate
	MethodEID      Method = "eid"      // German eID card (Online-Ausweis) or eID for EU citizens
	MethodEIDAS    Method = "eidas"    // a notified eID of another EU member state via eIDAS
)

// Principal is an authenticated citizen or organisation: who logged in, at which trust level,
// how, and the facts the identity provider vouched for. Every fact is optional: providers and
// levels hand over different attribute sets, and an empty string means "not provided".
//
// Subject is stable for one person at one provider: for BundID it is the bPK2 pseudonym
// (bereichsspezifisches Personenkennzeichen), never the e-mail address, which the citizen may
// change.
type Principal struct {
	Subject  string    `json:"sub"`
	Issuer   string    `json:"iss"`
	Level    Level     `json:"level"`
	Method   Method    `json:"method,omitempty"`
	AuthTime time.Time `json:"authTime,omitzero"`

	// Citizen facts (Personendaten) a form may prefill.
	GivenNames    string   `json:"givenNames,omitempty"`   // Vornamen
	FamilyName    string   `json:"familyName,omitempty"`   // Familienname
	BirthName     string   `json:"birthName,omitempty"`    // Geburtsname
	Title         string   `json:"title,omitempty"`        // Doktorgrad
	BirthDate     string   `json:"birthDate,omitempty"`    // Geburtsdatum, YYYY-MM-DD (or partial: YYYY-MM, YYYY)
	PlaceOfBirth  string   `json:"placeOfBirth,omitempty"` // Geburtsort
	Nationality   string   `json:"nationality,omitempty"`  // Staatsangehörigkeit, as the provider codes it
	Email         string   `json:"email,omitempty"`
	MailboxHandle string   `json:"mailboxHandle,omitempty"` // BundID Postfach reference (Postkorb-Handle)
	Address       *Address `json:"address,omitempty"`

	// Organisation is set when the login is an organisation account (Mein Unternehmenskonto,
	// ELSTER-based): the person above acts for it.
	Organisation *Organisation `json:"organisation,omitempty"`

	// LogoutHint is what the authenticator that made this principal needs to end the
	// citizen's session at the identity provider: for OpenID Connect the ID token, sent as
	// id_token_hint. It is at most [MaxLogoutHint] bytes, kept in the session cookie (and
	// dropped from it when the cookie would grow beyond what browsers keep), and never
	// written as JSON, so API answers that show the principal do not carry it.
	LogoutHint string `json:"-"`

	// Roles are the roles or groups the provider grants, read from the claims that
	// [ClaimMapping.Roles] names. Citizen logins have none; staff logins at an authority's own
	// provider carry the roles that decide which services a case worker may handle.
	Roles []string `json:"roles,omitempty"`
}

// MaxLogoutHint bounds [Principal.LogoutHint]; an authenticator leaves a longer hint out.
const MaxLogoutHint = 3072

// Address is a postal address (Anschrift) as the provider reported it.
type Address struct {
	Street     string `json:"street,omitempty"` // street and house number
	PostalCode string `json:"postalCode,omitempty"`
	City       string `json:"city,omitempty"`
	Country    string `json:"country,omitempty"` // ISO 3166-1 alpha-2 where the provider says so
}

// Organisation is the organisation an organisation account acts for.
type Organisation struct {
	ID      string   `json:"id"`   // the provider's stable organisation identifier
	Name    string   `json:"name"` // registered name
	Kind    string   `json:"kind,omitempty"`
	Address *Address `json:"address,omitempty"`
}

// Authenticated reports whether p is a login at all: it has a subject and a valid level.
func (p *Principal) Authenticated() bool {
	return p != nil && p.Subject != "" && p.Level.Valid()
}

type principalKey struct{}

// WithPrincipal returns a context carrying p. The middleware ([Gate.Authenticate]) calls it;
// handlers read it with [PrincipalFrom].
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal the request was authenticated as, if any.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p.Authenticated()
}
