package ozg

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/identity"
)

// XZuFi (XÖV Zuständigkeitsfinder) is the standard in which Redaktionen exchange service
// descriptions (Leistungen), the authorities responsible for them (Organisationseinheiten with
// their Zuständigkeiten by region) and online services (Onlinedienste) with the
// Portalverbund Online-Gateway (PVOG), which feeds every Land's service search.

// XZuFi namespace and the code lists the export uses.
const (
	XZuFiNamespace = "http://xoev.de/schemata/xzufi/2_2_0"
	XZuFiVersion   = "2.2.0"

	// xzufiMessage is the transfer message that writes (creates or replaces) objects.
	xzufiMessage = "xzufi:transfer.operation.040102"

	leikaListURI        = "urn:de:fim:leika:leistung"
	textModulListURI    = "urn:de:xzufi:codeliste:leistungstextmodulleika"
	textModulListVer    = "20240216"
	linkTypListURI      = "urn:xoev-de:fim:codeliste:onlinedienstlinktyp"
	linkTypOnlineDienst = "01" // the link that starts the online service
	arsSchemeID         = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs"
)

// Codes of the LeiKa text modules (Leistungstextmodul) the export writes.
const (
	textModulBezeichnung     = "02" // Leistungsbezeichnung
	textModulVolltext        = "06" // Volltext
	textModulRechtsgrundlage = "07" // Handlungsgrundlagen (Rechtsgrundlagen)
)

// XZuFiCodeList is a code list as XZuFi writes it: list URI, version and the code of each trust
// level.
type XZuFiCodeList struct {
	URI     string
	Version string
	Codes   map[identity.Level]string
}

// DefaultXZuFiVertrauensniveau is the Vertrauensniveau code list used unless
// XZuFiOptions say otherwise: the eIDAS levels by their German names, and "basisregistrierung"
// for a BundID login with username and password, which does not meet eIDAS low. A service
// with LevelNone has no Vertrauensniveau. Check the URI and the codes against the version of
// the list in XRepository that your Landesredaktion imports with, and set
// XZuFiOptions.Vertrauensniveau when they differ.
var DefaultXZuFiVertrauensniveau = XZuFiCodeList{
	URI: "urn:de:xzufi:codeliste:vertrauensniveau",
	Codes: map[identity.Level]string{
		identity.LevelBasic:       "basisregistrierung",
		identity.LevelLow:         "niedrig",
		identity.LevelSubstantial: "substanziell",
		identity.LevelHigh:        "hoch",
	},
}

// XZuFiOptions configure WriteXZuFi.
type XZuFiOptions struct {
	// BaseURL is the portal's public URL (required). The Onlinedienst of a service links to
	// its public page, BaseURL + "/leistungen/" + id.
	BaseURL string
	// Redaktion identifies who publishes the descriptions (required): the sender of the
	// message and the schemeAgencyID of every id written, e.g. the id the Landesredaktion
	// gave the municipality. Letters, digits, ".", "_", ":" and "-", at most 64.
	Redaktion string
	// Vertrauensniveau is the code list of trust levels; zero means DefaultXZuFiVertrauensniveau.
	Vertrauensniveau XZuFiCodeList
	// Producer and Product name the software in the message's attributes (produkthersteller,
	// produktbezeichnung); default "ozgkit".
	Producer, Product string
	// Now gives the creation time of the message; nil means time.Now.
	Now func() time.Time
	// MessageID is the message's id; "" means a random UUID.
	MessageID string
}

var validRedaktion = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// ErrXZuFiOptions is returned by WriteXZuFi for missing or malformed options.
var ErrXZuFiOptions = errors.New("ozg: XZuFi options")

// xzufi elements. encoding/xml writes the prefixed names as they are; the namespace is
// declared on the root. The code element of XÖV code types is unqualified.
type (
	xzCode struct {
		ListURI     string `xml:"listURI,attr"`
		ListVersion string `xml:"listVersionID,attr,omitempty"`
		Code        string `xml:"code"`
	}
	xzID struct {
		SchemeAgencyID string `xml:"schemeAgencyID,attr,omitempty"`
		SchemeID       string `xml:"schemeID,attr,omitempty"`
		Value          string `xml:",chardata"`
	}
	xzText struct {
		Lang  string `xml:"languageCode,attr"`
		Value string `xml:",chardata"`
	}
	xzModulText struct {
		Inhalt []xzText `xml:"xzufi:inhalt"`
		Modul  xzCode   `xml:"xzufi:leikaTextmodul"`
	}
	xzLeistung struct {
		ID        xzID          `xml:"xzufi:id"`
		LeiKa     xzCode        `xml:"xzufi:referenzLeiKa"`
		ModulText []xzModulText `xml:"xzufi:modulText"`
	}
	xzZustaendigkeit struct {
		ID         xzID `xml:"xzufi:id"`
		LeistungID xzID `xml:"xzufi:leistungID"`
		GebietID   xzID `xml:"xzufi:gebietID"`
	}
	// xzZustaendigkeitTransfer assigns a Zuständigkeit to the object named by Parent, an
	// Organisationseinheit or an Onlinedienst.
	xzZustaendigkeitTransfer struct {
		Parent         xzID             `xml:"xzufi:uebergeordnetesObjektID"`
		Zustaendigkeit xzZustaendigkeit `xml:"xzufi:zustaendigkeit"`
	}
	xzOrganisationseinheit struct {
		ID   xzID     `xml:"xzufi:id"`
		Name []xzText `xml:"xzufi:name>xzufi:name"`
	}
	xzLink struct {
		Lang  string `xml:"languageCode,attr"`
		Typ   xzCode `xml:"xzufi:typ"`
		Link  string `xml:"xzufi:link"`
		Titel string `xml:"xzufi:titel"`
	}
	xzOnlinedienst struct {
		ID               xzID     `xml:"xzufi:id"`
		Bezeichnung      []xzText `xml:"xzufi:bezeichnung"`
		Link             []xzLink `xml:"xzufi:link"`
		Vertrauensniveau *xzCode  `xml:"xzufi:vertrauensniveau"`
	}
	// xzSchreibe writes one object.
	xzSchreibe struct {
		Leistung             *xzLeistung               `xml:"xzufi:leistung"`
		Organisationseinheit *xzOrganisationseinheit   `xml:"xzufi:organisationseinheit"`
		Onlinedienst         *xzOnlinedienst           `xml:"xzufi:onlinedienst"`
		Zustaendigkeit       *xzZustaendigkeitTransfer `xml:"xzufi:zustaendigkeitTransferObjekt"`
	}
	xzMessage struct {
		XMLName  xml.Name
		XMLNS    string `xml:"xmlns:xzufi,attr"`
		Producer string `xml:"produkthersteller,attr"`
		Product  string `xml:"produktbezeichnung,attr"`
		Version  string `xml:"xzufiVersion,attr"`
		Kopf     struct {
			NachrichtID          string `xml:"xzufi:nachrichtID"`
			Erstellungszeitpunkt string `xml:"xzufi:erstellungszeitpunkt"`
			Sender               string `xml:"xzufi:sender"`
		} `xml:"xzufi:nachrichtenkopf"`
		Schreibe []xzSchreibe `xml:"xzufi:schreibe"`
	}
)

// WriteXZuFi writes the catalogue as an XZuFi 2.2 transfer message for a Landesredaktion or
// the PVOG to import: per service a Leistung (Leistungsschlüssel, name, description and legal
// basis as LeiKa text modules, German and, where given, English), an Onlinedienst (the link to
// the service's page and the Vertrauensniveau a citizen logs in at) and the Zuständigkeit of
// its authority (an Organisationseinheit) for the service's region by Amtlicher
// Regionalschlüssel. Each object is written in a schreibe element of its own, the
// Zuständigkeiten as zustaendigkeitTransferObjekt naming the Organisationseinheit or
// Onlinedienst they belong to. Services of the same authority share one
// Organisationseinheit. Ids are
// the service ids (the Onlinedienst's with "-online") under the Redaktion's schemeAgencyID,
// so that a repeated export replaces the objects of the previous one.
//
// Fees and processing times are not written (their XZuFi modules are structured data this
// export does not produce); descriptions of the authority's address and contact neither.
func (c *Catalog) WriteXZuFi(w io.Writer, opts XZuFiOptions) error {
	base, err := CheckBaseURL(opts.BaseURL)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrXZuFiOptions, err)
	}
	if !validRedaktion.MatchString(opts.Redaktion) {
		return fmt.Errorf("%w: Redaktion %q: 1 to 64 letters, digits, '.', '_', ':' or '-'", ErrXZuFiOptions, opts.Redaktion)
	}
	vn := opts.Vertrauensniveau
	if vn.URI == "" {
		vn = DefaultXZuFiVertrauensniveau
	}
	services := c.Services()
	for _, s := range services {
		if s.Level != identity.LevelNone && vn.Codes[s.Level] == "" {
			return fmt.Errorf("%w: the Vertrauensniveau code list %s has no code for level %s of service %q", ErrXZuFiOptions, vn.URI, s.Level, s.ID)
		}
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	m := xzMessage{
		XMLName:  xml.Name{Local: xzufiMessage},
		XMLNS:    XZuFiNamespace,
		Producer: or(opts.Producer, "ozgkit"),
		Product:  or(opts.Product, "ozgkit"),
		Version:  XZuFiVersion,
	}
	m.Kopf.NachrichtID = opts.MessageID
	if m.Kopf.NachrichtID == "" {
		m.Kopf.NachrichtID = uuid.NewString()
	}
	m.Kopf.Erstellungszeitpunkt = now().UTC().Format(time.RFC3339)
	m.Kopf.Sender = opts.Redaktion

	id := func(v string) xzID { return xzID{SchemeAgencyID: opts.Redaktion, Value: v} }
	write := func(o xzSchreibe) { m.Schreibe = append(m.Schreibe, o) }
	oeSeen := map[string]bool{}
	for _, s := range services {
		texts := func(code string, de, en string) xzModulText {
			t := xzModulText{Modul: xzCode{ListURI: textModulListURI, ListVersion: textModulListVer, Code: code}}
			t.Inhalt = append(t.Inhalt, xzText{Lang: "de", Value: de})
			if en != "" {
				t.Inhalt = append(t.Inhalt, xzText{Lang: "en", Value: en})
			}
			return t
		}
		write(xzSchreibe{Leistung: &xzLeistung{
			ID:    id(s.ID),
			LeiKa: xzCode{ListURI: leikaListURI, Code: s.LeikaKey},
			ModulText: []xzModulText{
				texts(textModulBezeichnung, s.Name, s.NameEN),
				texts(textModulVolltext, s.Description, s.DescriptionEN),
				texts(textModulRechtsgrundlage, s.LegalBasis, ""),
			},
		}})
		zust := func(parent, kind string) xzSchreibe {
			return xzSchreibe{Zustaendigkeit: &xzZustaendigkeitTransfer{
				Parent: id(parent),
				Zustaendigkeit: xzZustaendigkeit{
					ID:         id(s.ID + "-" + kind + "-" + s.Authority.Region),
					LeistungID: id(s.ID),
					GebietID:   xzID{SchemeID: arsSchemeID, Value: s.Authority.Region},
				},
			}}
		}
		oe := authorityID(s.Authority)
		if !oeSeen[oe] {
			oeSeen[oe] = true
			write(xzSchreibe{Organisationseinheit: &xzOrganisationseinheit{
				ID:   id(oe),
				Name: []xzText{{Lang: "de", Value: s.Authority.Name}},
			}})
		}
		write(zust(oe, "oe"))

		online := s.ID + "-online"
		od := &xzOnlinedienst{
			ID:          id(online),
			Bezeichnung: []xzText{{Lang: "de", Value: s.Name}},
			Link: []xzLink{{
				Lang:  "de",
				Typ:   xzCode{ListURI: linkTypListURI, Code: linkTypOnlineDienst},
				Link:  base + ServicePagePath + url.PathEscape(s.ID),
				Titel: s.Name,
			}},
		}
		if s.NameEN != "" {
			od.Bezeichnung = append(od.Bezeichnung, xzText{Lang: "en", Value: s.NameEN})
		}
		if s.Level != identity.LevelNone {
			od.Vertrauensniveau = &xzCode{ListURI: vn.URI, ListVersion: vn.Version, Code: vn.Codes[s.Level]}
		}
		write(xzSchreibe{Onlinedienst: od})
		write(zust(online, "online"))
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("ozg: write XZuFi: %w", err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// authorityID is a stable id of an authority in the export: "oe-" and the first 16 hex digits
// of the SHA-256 of its name and region.
func authorityID(a Authority) string {
	sum := sha256.Sum256([]byte(a.Name + "\x00" + a.Region))
	return "oe-" + hex.EncodeToString(sum[:8])
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
