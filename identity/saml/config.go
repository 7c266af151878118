package saml

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/crewjam/saml"

	"github.com/ozgkit/ozgkit/identity"
)

// Binding is how the AuthnRequest travels to the identity provider.
type Binding string

// The two bindings for AuthnRequests. Responses always come back with HTTP-POST.
const (
	// BindingRedirect sends the deflated request in the query of a redirect, signed over the
	// query string (SAML bindings §3.4). The default.
	BindingRedirect Binding = saml.HTTPRedirectBinding
	// BindingPOST sends the request, signed with an enveloped XML signature, in a form the
	// browser posts to the provider (SAML bindings §3.5).
	BindingPOST Binding = saml.HTTPPostBinding
)

// RequestedAttribute names an attribute the portal asks BundID for, in the AKDB request
// extension.
type RequestedAttribute struct {
	Name     string // the attribute's OID URN, e.g. identity.ClaimGivenName
	Required bool
}

// BundIDAttributes returns the attributes a portal usually asks BundID for: bPK2 (required),
// names, birth data, address, nationality, e-mail, Postfach handle and the trust level.
func BundIDAttributes() []RequestedAttribute {
	return []RequestedAttribute{
		{Name: identity.ClaimBPK2, Required: true},
		{Name: identity.ClaimGivenName}, {Name: identity.ClaimSurname}, {Name: identity.ClaimBirthName},
		{Name: identity.ClaimPersonalTitle}, {Name: identity.ClaimBirthDate}, {Name: identity.ClaimPlaceOfBirth},
		{Name: identity.ClaimPostalAddress}, {Name: identity.ClaimPostalCode}, {Name: identity.ClaimLocality},
		{Name: identity.ClaimCountry}, {Name: identity.ClaimNationality}, {Name: identity.ClaimMail},
		{Name: identity.ClaimPostkorbHandle}, {Name: identity.ClaimTrustLevel, Required: true},
	}
}

// Config describes the portal as a SAML service provider of one identity provider. Like an
// OIDC Config it is data: a Config for BundID differs from one for another SAML IdP only in
// its values.
type Config struct {
	// EntityID names the portal at the identity provider (often its metadata URL).
	EntityID string
	// ACSURL is the absolute URL of the assertion consumer service: where the identity provider
	// posts its responses, the path the Gate's callback handler is mounted at (wrapped in
	// [ServiceProvider.ACS]). An https URL makes the transaction cookie Secure.
	ACSURL string
	// IdPMetadata is the identity provider's SAML metadata (an EntityDescriptor, or an
	// EntitiesDescriptor holding it) as configured by the operator. It is never fetched: the
	// signing certificates in it are the only keys responses are verified with (pinned).
	IdPMetadata []byte
	// IdPEntityID picks the identity provider from an EntitiesDescriptor; it may be empty when
	// the metadata holds one identity provider.
	IdPEntityID string

	// Key signs AuthnRequests; it must hold an RSA key (BundID requires RSA). Certificate is
	// its certificate, published in the SP metadata.
	Key         crypto.Signer
	Certificate *x509.Certificate
	// EncryptionKey decrypts encrypted assertions and EncryptionCertificate is published for
	// it. Default: Key and Certificate.
	EncryptionKey         *rsa.PrivateKey
	EncryptionCertificate *x509.Certificate
	// DecryptionKeys are earlier encryption keys still accepted while rotating.
	DecryptionKeys []*rsa.PrivateKey

	// Binding for AuthnRequests. Default BindingRedirect.
	Binding Binding
	// Attributes are requested in the AKDB extension. Default BundIDAttributes(); an empty,
	// non-nil list sends no extension.
	Attributes []RequestedAttribute
	// OrganizationDisplayName and OnlineServiceID, when set, go into the AKDB extension's
	// DisplayInformation: the name BundID shows the citizen and the service's identifier.
	OrganizationDisplayName string
	OnlineServiceID         string

	// Claims maps attributes (by OID) to a Principal. Default identity.BundIDClaims(). The
	// AuthnContextClassRef is offered as "acr", the NameID as [ClaimNameID].
	Claims *identity.ClaimMapping
	// ACR maps AuthnContextClassRefs to levels and back. Default identity.DefaultACRMapping().
	ACR *identity.ACRMapping
}

// ClaimNameID is the claim name under which the assertion's NameID is offered to the
// ClaimMapping (a deployment whose IdP identifies citizens by a persistent NameID maps its
// Subject from it).
const ClaimNameID = "saml:NameID"

// Options tune a ServiceProvider; nil means defaults.
type Options struct {
	// Keys seal the login transaction cookie. Default: a fresh random key, which works only
	// while one process serves both the login and its callback; give the session keyring when
	// running several replicas.
	Keys *identity.Keyring
	// Replay records the ids of accepted assertions so each is accepted once. Default: an
	// identity.MemoryReplayCache, right for one replica; give a shared one (ozg/sqlstore's)
	// when running several.
	Replay identity.ReplayCache
	// Leeway is the clock skew allowed for NotBefore and NotOnOrAfter (default 30 s).
	Leeway time.Duration
	// LoginTTL is how long a begun login may take (default 10 minutes).
	LoginTTL time.Duration
	// AllowCBCWithoutSignedResponse accepts assertions encrypted with AES-CBC in a response
	// whose Response element is not signed. Off by default: decrypting unauthenticated CBC
	// ciphertext is what padding-oracle attacks need; AES-GCM is unaffected.
	AllowCBCWithoutSignedResponse bool
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger gets a few structured lines; never personal data. Default slog.Default().
	Logger *slog.Logger
}

// ParseIdPMetadata reads the identity provider's entity from SAML metadata: an
// EntityDescriptor, or the one in an EntitiesDescriptor named entityID (or, with entityID
// empty, the only one with an IDPSSODescriptor). It checks that the entity has a single
// sign-on service and a signing certificate.
func ParseIdPMetadata(data []byte, entityID string) (*saml.EntityDescriptor, error) {
	if len(data) == 0 || len(data) > maxMetadata {
		return nil, fmt.Errorf("%w: %d bytes (want 1 byte to 4 MiB)", ErrMetadata, len(data))
	}
	var probe struct{ XMLName xml.Name }
	if err := xml.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
	}
	var candidates []saml.EntityDescriptor
	switch probe.XMLName.Local {
	case "EntityDescriptor":
		var ed saml.EntityDescriptor
		if err := xml.Unmarshal(data, &ed); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
		}
		candidates = append(candidates, ed)
	case "EntitiesDescriptor":
		var eds saml.EntitiesDescriptor
		if err := xml.Unmarshal(data, &eds); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
		}
		candidates = flattenEntities(&eds)
	default:
		return nil, fmt.Errorf("%w: root element %q is neither EntityDescriptor nor EntitiesDescriptor", ErrMetadata, probe.XMLName.Local)
	}
	var found []*saml.EntityDescriptor
	for i := range candidates {
		ed := &candidates[i]
		if len(ed.IDPSSODescriptors) == 0 || (entityID != "" && ed.EntityID != entityID) {
			continue
		}
		found = append(found, ed)
	}
	switch {
	case len(found) == 0 && entityID != "":
		return nil, fmt.Errorf("%w: no identity provider %q in it", ErrMetadata, entityID)
	case len(found) == 0:
		return nil, fmt.Errorf("%w: no identity provider (IDPSSODescriptor) in it", ErrMetadata)
	case len(found) > 1:
		return nil, fmt.Errorf("%w: %d identity providers in it; name one with IdPEntityID", ErrMetadata, len(found))
	}
	ed := found[0]
	if ed.EntityID == "" {
		return nil, fmt.Errorf("%w: the identity provider has no entityID", ErrMetadata)
	}
	hasSSO, hasCert := false, false
	for _, d := range ed.IDPSSODescriptors {
		for _, s := range d.SingleSignOnServices {
			if s.Binding == saml.HTTPRedirectBinding || s.Binding == saml.HTTPPostBinding {
				hasSSO = true
			}
		}
		for _, k := range d.KeyDescriptors {
			if (k.Use == "" || k.Use == "signing") && len(k.KeyInfo.X509Data.X509Certificates) > 0 {
				hasCert = true
			}
		}
	}
	if !hasSSO {
		return nil, fmt.Errorf("%w: %s has no HTTP-Redirect or HTTP-POST single sign-on service", ErrMetadata, ed.EntityID)
	}
	if !hasCert {
		return nil, fmt.Errorf("%w: %s publishes no signing certificate", ErrMetadata, ed.EntityID)
	}
	return ed, nil
}

func flattenEntities(eds *saml.EntitiesDescriptor) []saml.EntityDescriptor {
	out := append([]saml.EntityDescriptor(nil), eds.EntityDescriptors...)
	for i := range eds.EntitiesDescriptors {
		out = append(out, flattenEntities(&eds.EntitiesDescriptors[i])...)
	}
	return out
}

// maxMetadata bounds configured metadata; federation aggregates are larger, but a portal
// configures the one identity provider it uses.
const maxMetadata = 4 << 20

func absoluteHTTP(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	return u, err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.Fragment == ""
}

var errNoRSA = errors.New("saml: Config.Key must hold an RSA key")
