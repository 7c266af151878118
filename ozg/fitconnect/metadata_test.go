package fitconnect_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/fitconnect"
)

var testRoute = fitconnect.Route{DestinationID: "0c7d1b8e-5d0b-4c2f-9f0a-2b9a1f6d3e44", ServiceName: "Wohngeld",
	SchemaURI: "https://schema.example.org/wohngeld/1.0.0/antrag.schema.json"}

func validate(t *testing.T, s *jsonschema.Schema, doc []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("document does not validate: %v\n%s", err, doc)
	}
}

func TestGeneratedMetadataValidatesAgainstTheSchema(t *testing.T) {
	schema := metadataSchema(t)
	cases := []struct {
		name   string
		change func(*ozg.Submission)
	}{
		{"a submission with attachments and payment", func(*ozg.Submission) {}},
		{"a submission without payment", func(s *ozg.Submission) { s.Payment = nil }},
		{"a submission without attachments", func(s *ozg.Submission) { s.Attachments = nil }},
		{"a payment with an unknown method falls back to OTHER", func(s *ozg.Submission) { s.Payment.Method = "BITCOIN" }},
		{"a media type with parameters is cut to its type", func(s *ozg.Submission) { s.Attachments[0].MediaType = "text/plain; charset=utf-8" }},
		{"an upper-case hash is written in lower case", func(s *ozg.Submission) { s.Attachments[0].SHA512 = strings.ToUpper(s.Attachments[0].SHA512) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, []byte("%PDF-1.7 one"), []byte("%PDF-1.7 two"))
			c.change(f.sub)
			m, err := fitconnect.BuildMetadata(f.sub, testRoute)
			if err != nil {
				t.Fatal(err)
			}
			doc, _ := json.Marshal(m)
			validate(t, schema, doc)
			if _, err := fitconnect.ParseMetadata(doc, schema); err != nil {
				t.Errorf("ParseMetadata: %v", err)
			}
		})
	}
}

func TestShippedExampleValidates(t *testing.T) {
	schema := metadataSchema(t)
	doc, err := os.ReadFile(examplePath)
	if err != nil {
		t.Skipf("example not available: %v", err)
	}
	validate(t, schema, doc)
	m, err := fitconnect.ParseMetadata(doc, schema)
	if err != nil {
		t.Fatal(err)
	}
	if m.PublicServiceType.Identifier != "urn:de:fim:leika:leistung:99123456760610" || len(m.ContentStructure.Attachments) != 1 {
		t.Errorf("example read as %+v", m)
	}
}

func TestMetadataCarriesTheFacts(t *testing.T) {
	f := newFixture(t, []byte("%PDF-1.7 one"), []byte("%PDF-1.7 two"))
	m, err := fitconnect.BuildMetadata(f.sub, testRoute)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.ContentStructure.Data.Hash.Content; got != sha(f.sub.Data) {
		t.Errorf("data hash %s, want the SHA-512 of the plaintext data", got)
	}
	if m.PublicServiceType.Identifier != "urn:de:fim:leika:leistung:99107004017000" {
		t.Errorf("service identifier %q", m.PublicServiceType.Identifier)
	}
	a := m.ContentStructure.Attachments
	if len(a) != 2 || a[0].AttachmentID != f.sub.Attachments[0].ID || a[0].Hash.Content != f.sub.Attachments[0].SHA512 || a[0].Purpose != "attachment" {
		t.Errorf("attachments %+v", a)
	}
	// A non-UUID evidence id gets a name-based UUID, the same every time.
	if a[1].AttachmentID == f.sub.Attachments[1].ID || a[1].AttachmentID != fitconnect.AttachmentID(f.sub, f.sub.Attachments[1]) {
		t.Errorf("derived attachment id %q", a[1].AttachmentID)
	}
	if got, ok := m.Attachment(a[1].AttachmentID); !ok || got != a[1] {
		t.Errorf("Attachment(%s) = %+v, %v", a[1].AttachmentID, got, ok)
	}
	if _, ok := m.Attachment("unknown"); ok {
		t.Error("Attachment of an unknown id")
	}
	var pay map[string]any
	if err := json.Unmarshal(m.PaymentInformation, &pay); err != nil {
		t.Fatal(err)
	}
	if pay["grossAmount"] != 25.5 || pay["status"] != "BOOKED" || pay["transactionReference"] != "KASSENZEICHEN-0815" || pay["paymentMethod"] != "CREDITCARD" {
		t.Errorf("paymentInformation %v", pay)
	}
	if r := m.AdditionalReferenceInfo; r.SenderReference != "WG-2026-000123" || r.ApplicationDate != "2026-11-28" {
		t.Errorf("additionalReferenceInfo %+v", r)
	}
}

func TestBuildMetadataRefusesFactsThatDoNotFit(t *testing.T) {
	cases := []struct {
		name   string
		change func(*ozg.Submission, *fitconnect.Route)
		want   string
	}{
		{"data that is not JSON", func(s *ozg.Submission, _ *fitconnect.Route) { s.Data = []byte("{") }, "data"},
		{"a route without a schema URI", func(_ *ozg.Submission, r *fitconnect.Route) { r.SchemaURI = "" }, "schema URI"},
		{"a relative schema URI", func(_ *ozg.Submission, r *fitconnect.Route) { r.SchemaURI = "antrag.json" }, "schema URI"},
		{"a LeiKa key with spaces", func(s *ozg.Submission, _ *fitconnect.Route) { s.LeikaKey = "99 107" }, "leikaKey"},
		{"an attachment hash that is not SHA-512", func(s *ozg.Submission, _ *fitconnect.Route) { s.Attachments[0].SHA512 = "abc" }, "sha512"},
		{"a media type without a slash", func(s *ozg.Submission, _ *fitconnect.Route) { s.Attachments[0].MediaType = "pdf" }, "media type"},
		{"a transaction id with a space", func(s *ozg.Submission, _ *fitconnect.Route) { s.Payment.TransactionID = "tx 1" }, "transactionId"},
		{"a payment of nothing", func(s *ozg.Submission, _ *fitconnect.Route) { s.Payment.GrossAmount = 0 }, "grossAmount"},
		{"the same attachment twice", func(s *ozg.Submission, _ *fitconnect.Route) { s.Attachments[1] = s.Attachments[0] }, "twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, []byte("one"), []byte("two"))
			r := testRoute
			c.change(f.sub, &r)
			_, err := fitconnect.BuildMetadata(f.sub, r)
			if !errors.Is(err, fitconnect.ErrMetadata) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrMetadata naming %q", err, c.want)
			}
		})
	}
}
