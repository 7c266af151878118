package ozg

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// ServicePagePath is the path below a portal's base URL where each service has its public page
// (ServicePagePath + id): the URL the catalogue exports (JSON-LD, sitemap, XZuFi) point to.
const ServicePagePath = "/leistungen/"

// serviceURL returns base + ServicePagePath + id.
func serviceURL(base, id string) string { return base + ServicePagePath + url.PathEscape(id) }

// CheckBaseURL validates the portal's public base URL and returns it without a trailing slash.
func CheckBaseURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("ozg: base URL %q must be an absolute http(s) URL without query or fragment", base)
	}
	return strings.TrimRight(base, "/"), nil
}

type ldValue struct {
	Type       string `json:"@type"`
	PropertyID string `json:"propertyID"`
	Value      string `json:"value"`
}

type ldAddress struct {
	Type            string `json:"@type"`
	StreetAddress   string `json:"streetAddress"`
	PostalCode      string `json:"postalCode"`
	AddressLocality string `json:"addressLocality"`
	AddressCountry  string `json:"addressCountry"`
}

type ldOrganization struct {
	Type      string    `json:"@type"`
	Name      string    `json:"name"`
	Address   ldAddress `json:"address"`
	Email     string    `json:"email,omitempty"`
	Telephone string    `json:"telephone,omitempty"`
	URL       string    `json:"url,omitempty"`
}

type ldArea struct {
	Type       string  `json:"@type"`
	Identifier ldValue `json:"identifier"`
}

type ldChannel struct {
	Type              string   `json:"@type"`
	ServiceURL        string   `json:"serviceUrl"`
	AvailableLanguage []string `json:"availableLanguage"`
}

type ldOffer struct {
	Type          string `json:"@type"`
	Price         string `json:"price"`
	PriceCurrency string `json:"priceCurrency"`
	Description   string `json:"description,omitempty"`
}

type ldService struct {
	Type             string         `json:"@type"`
	ID               string         `json:"@id"`
	Identifier       []ldValue      `json:"identifier"`
	Name             string         `json:"name"`
	AlternateName    string         `json:"alternateName,omitempty"`
	Description      string         `json:"description"`
	ServiceType      string         `json:"serviceType"`
	URL              string         `json:"url"`
	Provider         ldOrganization `json:"provider"`
	AreaServed       ldArea         `json:"areaServed"`
	AvailableChannel ldChannel      `json:"availableChannel"`
	Offers           *ldOffer       `json:"offers,omitempty"`
}

// formatEuro formats cents as a decimal euro amount, e.g. 1550 → "15.50".
func formatEuro(cents int64) string {
	return strconv.FormatInt(cents/100, 10) + "." + fmt.Sprintf("%02d", cents%100)
}

func jsonLDService(base string, s *Service) ldService {
	u := serviceURL(base, s.ID)
	langs := []string{"de"}
	if s.NameEN != "" {
		langs = append(langs, "en")
	}
	ld := ldService{
		Type: "GovernmentService",
		ID:   u,
		Identifier: []ldValue{
			{Type: "PropertyValue", PropertyID: "LeiKa", Value: s.LeikaKey},
			{Type: "PropertyValue", PropertyID: "URN", Value: s.LeikaURN()},
		},
		Name:          s.Name,
		AlternateName: s.NameEN,
		Description:   s.Description,
		ServiceType:   s.Topic.Title(),
		URL:           u,
		Provider: ldOrganization{
			Type: "GovernmentOrganization",
			Name: s.Authority.Name,
			Address: ldAddress{
				Type:            "PostalAddress",
				StreetAddress:   s.Authority.Address.Street,
				PostalCode:      s.Authority.Address.PostalCode,
				AddressLocality: s.Authority.Address.City,
				AddressCountry:  "DE",
			},
			Email:     s.Authority.Contact.Email,
			Telephone: s.Authority.Contact.Phone,
			URL:       s.Authority.Contact.URL,
		},
		AreaServed: ldArea{
			Type:       "AdministrativeArea",
			Identifier: ldValue{Type: "PropertyValue", PropertyID: "ARS", Value: s.Authority.Region},
		},
		AvailableChannel: ldChannel{Type: "ServiceChannel", ServiceURL: u, AvailableLanguage: langs},
	}
	if s.Fee != nil {
		ld.Offers = &ldOffer{Type: "Offer", Price: formatEuro(s.Fee.Amount), PriceCurrency: "EUR", Description: s.Fee.LegalBasis}
	}
	return ld
}

// JSONLD returns the catalogue as a schema.org JSON-LD document: a graph of GovernmentService
// nodes, one per service, with its Leistungsschlüssel, provider, area served (ARS) and fee, so
// that search engines and the Portalverbund crawler find the services. baseURL is the portal's
// public URL; each service's page is baseURL + ServicePagePath + id.
func (c *Catalog) JSONLD(baseURL string) ([]byte, error) {
	base, err := CheckBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	services := c.Services()
	graph := make([]ldService, 0, len(services))
	for _, s := range services {
		graph = append(graph, jsonLDService(base, s))
	}
	return json.MarshalIndent(struct {
		Context string      `json:"@context"`
		Graph   []ldService `json:"@graph"`
	}{"https://schema.org", graph}, "", "  ")
}

// ServiceJSONLD returns one service as a schema.org GovernmentService JSON-LD document, for
// embedding in the service's page in a <script type="application/ld+json"> element.
func ServiceJSONLD(baseURL string, s *Service) ([]byte, error) {
	base, err := CheckBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(struct {
		Context string `json:"@context"`
		ldService
	}{"https://schema.org", jsonLDService(base, s)}, "", "  ")
}

// WriteSitemap writes a sitemap (sitemaps.org 0.9) with one URL per service page,
// baseURL + ServicePagePath + id, ordered by id.
func (c *Catalog) WriteSitemap(w io.Writer, baseURL string) error {
	base, err := CheckBaseURL(baseURL)
	if err != nil {
		return err
	}
	type loc struct {
		Loc string `xml:"loc"`
	}
	set := struct {
		XMLName xml.Name `xml:"urlset"`
		XMLNS   string   `xml:"xmlns,attr"`
		URLs    []loc    `xml:"url"`
	}{XMLNS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, s := range c.Services() {
		set.URLs = append(set.URLs, loc{serviceURL(base, s.ID)})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(set); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}
