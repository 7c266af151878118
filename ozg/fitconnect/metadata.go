package fitconnect

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

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
		raw, err := paymentInformation(p)
		if err != nil {
			return nil, bad("%v", err)
		}
		m.PaymentInformation = raw
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

// paymentInformation maps the submission's payment facts onto payment.Facts, whose JSON is the
// paymentInformation object.
func paymentInformation(p *ozg.PaymentFacts) (json.RawMessage, error) {
	if !txnPattern.MatchString(p.TransactionID) {
		return nil, fmt.Errorf("payment transactionId %q is not 1 to 36 of [A-Za-z0-9_-]", p.TransactionID)
	}
	if p.GrossAmount < 1 {
		return nil, fmt.Errorf("payment grossAmount %d cents is not positive", p.GrossAmount)
	}
	m := payment.Method(p.Method)
	if !m.Valid() {
		m = payment.MethodOther
	}
	f := payment.Facts{
		TransactionID: p.TransactionID, TransactionReference: p.Reference,
		TransactionTimestamp: p.Timestamp, PaymentMethod: m, GrossAmount: p.GrossAmount,
	}
	return json.Marshal(f)
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

func berlin() *time.Location {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
}

// Attachment returns the metadata entry of the attachment with the given id.
func (m *Metadata) Attachment(id string) (AttachmentInfo, bool) {
	for _, a := range m.ContentStructure.Attachments {
		if a.AttachmentID == id {
			return a, true
		}
	}
	return AttachmentInfo{}, false
}
