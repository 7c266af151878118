package fitconnect

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/payment"
)

// MetadataSchema is the $schema of the metadata documents this package writes.
const MetadataSchema = "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json"

// Metadata is the FIT-Connect metadata document (schema 1.0.0): what the submission
// contains, for which public service, and how it was paid. It travels encrypted next to the
// data; its hashes bind the data and every attachment to it.
type Metadata struct {
	Schema                  string                   `json:"$schema,omitempty"`
	ContentStructure        ContentStructure         `json:"contentStructure"`
	PublicServiceType       *PublicServiceType       `json:"publicServiceType,omitempty"`
	PaymentInformation      json.RawMessage          `json:"paymentInformation,omitempty"`
	AdditionalReferenceInfo *AdditionalReferenceInfo `json:"additionalReferenceInfo,omitempty"`
}

// ContentStructure names the data (Fachdaten) and the attachments (Anlagen).
type ContentStructure struct {
	Data        *DataInfo        `json:"data,omitempty"`
	Attachments []AttachmentInfo `json:"attachments"`
}

// DataInfo describes the form data: its hash and the schema it follows.
type DataInfo struct {
	Hash             Hash             `json:"hash"`
	SubmissionSchema SubmissionSchema `json:"submissionSchema"`
}

// SubmissionSchema references the schema of the data (Fachdatenschema).
type SubmissionSchema struct {
	SchemaURI string `json:"schemaUri"`
	MimeType  string `json:"mimeType"`
}

// Hash is a hex SHA-512 of unencrypted content.
type Hash struct {
	Type    string `json:"type"`
	Content string `json:"content"`
}

// AttachmentInfo describes one attachment.
type AttachmentInfo struct {
	AttachmentID string `json:"attachmentId"`
	Hash         Hash   `json:"hash"`
	// Purpose is "form", "attachment" (uploaded by the citizen) or "report".
	Purpose     string `json:"purpose"`
	Filename    string `json:"filename,omitempty"`
	Description string `json:"description,omitempty"`
	MimeType    string `json:"mimeType"`
}

// PublicServiceType names the public service (Verwaltungsleistung) by its LeiKa URN.
type PublicServiceType struct {
	Name       string `json:"name,omitempty"`
	Identifier string `json:"identifier"`
}

// AdditionalReferenceInfo carries the sender's reference and the application date.
type AdditionalReferenceInfo struct {
	SenderReference string `json:"senderReference,omitempty"`
	ApplicationDate string `json:"applicationDate,omitempty"`
}

// Route says where the submissions of one service go and how they are described.
type Route struct {
	// DestinationID is the FIT-Connect destination (Zustellpunkt) of the authority, a UUID.
	DestinationID string
	// ServiceName is publicServiceType.name; optional.
	ServiceName string
	// SchemaURI is the URI of the data's schema (Fachdatenschema), required by the
	// metadata schema; the data is JSON.
	SchemaURI string
}

var (
	leikaURN    = regexp.MustCompile(`^urn:[a-z0-9][a-z0-9-]{0,31}:[a-z0-9()+,.:=@;$_!*'%/?#-]+$`)
	mimePattern = regexp.MustCompile(`^[-\w.]+/[-\w.+]+$`)
	txnPattern  = regexp.MustCompile(`^[\w-]{1,36}$`)
)

// AttachmentID returns the FIT-Connect attachment id of a, a UUID: a's own id when it is a
// UUID, otherwise a name-based UUID (v5) derived from the submission id and a's id, so that
// it is the same on every delivery attempt.
func AttachmentID(s *ozg.Submission, a ozg.Attachment) string {
	if u, err := uuid.Parse(a.ID); err == nil && len(a.ID) == 36 {
		return u.String()
	}
	ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:ozgkit:submission:"+s.ID))
	return uuid.NewSHA1(ns, []byte(a.ID)).String()
}

// BuildMetadata returns the metadata document of s as the route describes it: the SHA-512
// of s.Data as it will be encrypted, each attachment with its id (see AttachmentID), SHA-512,
// media type and file name (purpose "attachment"), the LeiKa URN of the service, the payment
// as paymentInformation and the submission's reference and date. A fact that does not fit the
// schema (a bad hash, media type, transaction id, no schema URI) is an error wrapping
// ErrMetadata that names it.
func BuildMetadata(s *ozg.Submission, r Route) (*Metadata, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: submission %s: %s", ErrMetadata, s.ID, fmt.Sprintf(format, args...))
	}
	if len(s.Data) == 0 || !json.Valid(s.Data) {
		return nil, bad("data is not JSON")
	}
	if u, err := url.Parse(r.SchemaURI); r.SchemaURI == "" || err != nil || u.Scheme == "" {
		return nil, bad("route needs an absolute schema URI for the data, got %q", r.SchemaURI)
	}
	urn := ozg.LeikaURNPrefix + s.LeikaKey
	if s.LeikaKey == "" || len(urn) > 255 || !leikaURN.MatchString(urn) {
		return nil, bad("leikaKey %q does not make a service URN", s.LeikaKey)
	}
	sum := sha512.Sum512(s.Data)
	m := &Metadata{
		Schema: MetadataSchema,
		ContentStructure: ContentStructure{
			Data: &DataInfo{
				Hash:             Hash{Type: "sha512", Content: hex.EncodeToString(sum[:])},
				SubmissionSchema: SubmissionSchema{SchemaURI: r.SchemaURI, MimeType: "application/json"},
			},
			Attachments: make([]AttachmentInfo, 0, len(s.Attachments)),
		},
		PublicServiceType: &PublicServiceType{Name: r.ServiceName, Identifier: urn},
	}
	seen := make(map[string]bool, len(s.Attachments))
	for i, a := range s.Attachments {
		h := strings.ToLower(a.SHA512)
		if !isSHA512Hex(h) {
			return nil, bad("attachment %d (%s): sha512 is not 128 hex digits", i, a.ID)
		}
		mt := a.MediaType
		if i := strings.IndexByte(mt, ';'); i >= 0 {
			mt = strings.TrimSpace(mt[:i])
		}
		if !mimePattern.MatchString(mt) {
			return nil, bad("attachment %d (%s): media type %q", i, a.ID, a.MediaType)
		}
		id := AttachmentID(s, a)
		if seen[id] {
			return nil, bad("attachment %d (%s): id appears twice", i, a.ID)
		}
		seen[id] = true
		m.ContentStructure.Attachments = append(m.ContentStructure.Attachments, AttachmentInfo{
			AttachmentID: id, Hash: Hash{Type: "sha512", Content: h},
			Purpose: "attachment", Filename: a.FileName, MimeType: mt, Description: a.RequirementID,
		})
	}
	if p := s.Payment; p != nil {
		pi, err := NewPaymentInformation(p)
		if err != nil {
			return nil, bad("%v", err)
		}
		if m.PaymentInformation, err = jsonMarshal(pi); err != nil {
			return nil, bad("%v", err)
		}
	}
	ref := &AdditionalReferenceInfo{SenderReference: s.Reference}
	if !s.SubmittedAt.IsZero() {
		ref.ApplicationDate = s.SubmittedAt.In(berlin()).Format(time.DateOnly)
	}
	if *ref != (AdditionalReferenceInfo{}) {
		m.AdditionalReferenceInfo = ref
	}
	return m, nil
}

// PaymentInformation is the metadata's paymentInformation (schema 1.0.0): what the payment
// provider reported of the paid fee.
type PaymentInformation struct {
	TransactionURL       string `json:"transactionUrl,omitempty"`
	TransactionID        string `json:"transactionId"`
	TransactionReference string `json:"transactionReference"`
	TransactionTimestamp string `json:"transactionTimestamp,omitempty"`
	// PaymentMethod is GIROPAY, PAYDIRECT, CREDITCARD, PAYPAL, INVOICE or OTHER.
	PaymentMethod string `json:"paymentMethod"`
	// PaymentMethodDetail is 1 to 36 of [A-Za-z0-9_-].
	PaymentMethodDetail string `json:"paymentMethodDetail,omitempty"`
	// Status is INITIAL, BOOKED, FAILED or CANCELED.
	Status string `json:"status"`
	// GrossAmount is a decimal number of euros, at least 0.01.
	GrossAmount json.Number `json:"grossAmount,omitempty"`
}

var (
	paymentStatuses = map[string]string{"INITIAL": "INITIAL", "BOOKED": "BOOKED", "PAYED": "BOOKED", "FAILED": "FAILED", "CANCELED": "CANCELED"}
	paymentMethods  = map[string]bool{"GIROPAY": true, "PAYDIRECT": true, "CREDITCARD": true, "PAYPAL": true, "INVOICE": true, "OTHER": true}
)

// NewPaymentInformation writes the payment facts of a submission in paymentInformation
// terms, keeping everything the schema can carry: the status (XBezahldienste's PAYED is
// FIT-Connect's BOOKED), the method (one the schema does not name becomes OTHER, with its
// name as detail when there is no detail), the method detail (characters the schema's
// [A-Za-z0-9_-] does not allow become '-', umlauts ae, oe, ue, at most 36), the transaction
// id, URL, reference, time and gross amount. A fact the schema cannot carry at all (no
// status, a transaction id that is not 1 to 36 of [A-Za-z0-9_-], a URL that is not absolute,
// an amount below 0.01) is an error.
func NewPaymentInformation(p *ozg.PaymentFacts) (*PaymentInformation, error) {
	status, ok := paymentStatuses[p.Status]
	if !ok {
		return nil, fmt.Errorf("payment status %q is not INITIAL, BOOKED (PAYED), FAILED or CANCELED", truncate(p.Status, 32))
	}
	if !txnPattern.MatchString(p.TransactionID) {
		return nil, fmt.Errorf("payment transactionId %q is not 1 to 36 of [A-Za-z0-9_-]", truncate(p.TransactionID, 64))
	}
	if p.GrossAmount < 1 || p.GrossAmount > payment.MaxAmount {
		return nil, fmt.Errorf("payment grossAmount %d cents is not between 1 and %d", p.GrossAmount, payment.MaxAmount)
	}
	pi := &PaymentInformation{
		TransactionID: p.TransactionID, TransactionReference: p.Reference, Status: status,
		PaymentMethod: p.Method, PaymentMethodDetail: detailWord(p.MethodDetail),
		GrossAmount: json.Number(payment.FormatEuro(p.GrossAmount)),
	}
	if !paymentMethods[p.Method] {
		pi.PaymentMethod = "OTHER"
		if pi.PaymentMethodDetail == "" {
			pi.PaymentMethodDetail = detailWord(p.Method)
		}
	}
	if p.TransactionURL != "" {
		if u, err := url.Parse(p.TransactionURL); err != nil || !u.IsAbs() || len(p.TransactionURL) > 2048 {
			return nil, fmt.Errorf("payment transactionUrl %q is not an absolute URL", truncate(p.TransactionURL, 64))
		}
		pi.TransactionURL = p.TransactionURL
	}
	if !p.Timestamp.IsZero() {
		pi.TransactionTimestamp = p.Timestamp.UTC().Format(time.RFC3339Nano)
	}
	return pi, nil
}

// Facts reads the paymentInformation back into the submission's terms. The amount is read
// without floating point; a value the schema does not allow is an error wrapping ErrMetadata.
func (pi *PaymentInformation) Facts() (*ozg.PaymentFacts, error) {
	bad := func(format string, args ...any) (*ozg.PaymentFacts, error) {
		return nil, fmt.Errorf("%w: paymentInformation: %s", ErrMetadata, fmt.Sprintf(format, args...))
	}
	if s, ok := paymentStatuses[pi.Status]; !ok || s != pi.Status {
		return bad("status %q", truncate(pi.Status, 32))
	}
	if !paymentMethods[pi.PaymentMethod] {
		return bad("paymentMethod %q", truncate(pi.PaymentMethod, 32))
	}
	if !txnPattern.MatchString(pi.TransactionID) {
		return bad("transactionId %q", truncate(pi.TransactionID, 64))
	}
	if d := pi.PaymentMethodDetail; d != "" && !txnPattern.MatchString(d) {
		return bad("paymentMethodDetail %q", truncate(d, 64))
	}
	f := &ozg.PaymentFacts{
		Status: pi.Status, Method: pi.PaymentMethod, MethodDetail: pi.PaymentMethodDetail,
		TransactionID: pi.TransactionID, TransactionURL: pi.TransactionURL, Reference: pi.TransactionReference,
	}
	if pi.GrossAmount != "" {
		c, err := payment.ParseEuro(string(pi.GrossAmount))
		if err != nil {
			return bad("grossAmount: %v", err)
		}
		f.GrossAmount = c
	}
	if pi.TransactionTimestamp != "" {
		t, err := time.Parse(time.RFC3339Nano, pi.TransactionTimestamp)
		if err != nil {
			return bad("transactionTimestamp %q", truncate(pi.TransactionTimestamp, 40))
		}
		f.Timestamp = t.UTC()
	}
	return f, nil
}

// Payment returns the metadata's paymentInformation in the submission's terms, nil when
// there is none.
func (m *Metadata) Payment() (*ozg.PaymentFacts, error) {
	if len(m.PaymentInformation) == 0 || string(m.PaymentInformation) == "null" {
		return nil, nil
	}
	var pi PaymentInformation
	dec := json.NewDecoder(bytes.NewReader(m.PaymentInformation))
	dec.UseNumber()
	if err := dec.Decode(&pi); err != nil {
		return nil, fmt.Errorf("%w: paymentInformation: %v", ErrMetadata, err)
	}
	return pi.Facts()
}

var detailUmlauts = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss")

// detailWord writes s in paymentMethodDetail's characters: [A-Za-z0-9_-], at most 36;
// umlauts become ae, oe, ue, accents go, anything else becomes '-' (runs of it one).
func detailWord(s string) string {
	s = norm.NFD.String(detailUmlauts.Replace(norm.NFC.String(s)))
	var b strings.Builder
	dash := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
		default:
			dash = true
		}
		if b.Len() >= 36 {
			break
		}
	}
	out := b.String()
	if len(out) > 36 {
		out = out[:36]
	}
	return out
}

func isSHA512Hex(s string) bool {
	if len(s) != 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// berlin is the authorities' time zone, for the application date.
var berlin = ozg.Berlin

// Attachment returns the metadata entry of the attachment with the given id.
func (m *Metadata) Attachment(id string) (AttachmentInfo, bool) {
	for _, a := range m.ContentStructure.Attachments {
		if a.AttachmentID == id {
			return a, true
		}
	}
	return AttachmentInfo{}, false
}
