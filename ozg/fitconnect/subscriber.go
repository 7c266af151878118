package fitconnect

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// maxMetadata bounds the plaintext of a metadata document.
const maxMetadata = 1 << 20

// maxAttachments bounds the number of attachments one submission may have.
const maxAttachments = 1000

// OpenOptions tune OpenSubmission; nil means the defaults.
type OpenOptions struct {
	// MaxPayload bounds the data and each attachment (0 means MaxPayload).
	MaxPayload int64
	// Schema, when set, is the compiled metadata schema the document must validate against.
	Schema *jsonschema.Schema
}

// Received is a decrypted submission whose contents match its metadata.
type Received struct {
	Metadata *Metadata
	// MetadataJSON is the metadata document as it was decrypted.
	MetadataJSON []byte
	Data         []byte
	// Attachments by attachment id.
	Attachments map[string][]byte
}

// OpenSubmission is the authority's (subscriber's) side: it decrypts the metadata, the data
// and every attachment with the destination's private key and checks that the data and each
// attachment have the SHA-512 the metadata announces, that every announced attachment is
// there and no other. Errors wrap ErrDecrypt, ErrMetadata, ErrHashMismatch or ErrTooLarge.
func OpenSubmission(priv *rsa.PrivateKey, encryptedMetadata, encryptedData []byte, encryptedAttachments map[string][]byte, opts *OpenOptions) (*Received, error) {
	if opts == nil {
		opts = &OpenOptions{}
	}
	metaJSON, err := Decrypt(encryptedMetadata, priv, maxMetadata)
	if err != nil {
		return nil, fmt.Errorf("fitconnect: metadata: %w", err)
	}
	m, err := ParseMetadata(metaJSON, opts.Schema)
	if err != nil {
		return nil, err
	}
	r := &Received{Metadata: m, MetadataJSON: metaJSON, Attachments: make(map[string][]byte, len(encryptedAttachments))}
	if len(encryptedData) > 0 {
		if m.ContentStructure.Data == nil {
			return nil, fmt.Errorf("%w: data was sent but contentStructure.data is missing", ErrMetadata)
		}
		if r.Data, err = Decrypt(encryptedData, priv, opts.MaxPayload); err != nil {
			return nil, fmt.Errorf("fitconnect: data: %w", err)
		}
		if err := checkHash(r.Data, m.ContentStructure.Data.Hash); err != nil {
			return nil, fmt.Errorf("fitconnect: data: %w", err)
		}
	} else if m.ContentStructure.Data != nil {
		return nil, fmt.Errorf("%w: contentStructure.data is announced but no data was sent", ErrMetadata)
	}
	for _, a := range m.ContentStructure.Attachments {
		enc, ok := encryptedAttachments[a.AttachmentID]
		if !ok {
			return nil, fmt.Errorf("%w: attachment %s is announced but missing", ErrMetadata, a.AttachmentID)
		}
		plain, err := Decrypt(enc, priv, opts.MaxPayload)
		if err != nil {
			return nil, fmt.Errorf("fitconnect: attachment %s: %w", a.AttachmentID, err)
		}
		if err := checkHash(plain, a.Hash); err != nil {
			return nil, fmt.Errorf("fitconnect: attachment %s: %w", a.AttachmentID, err)
		}
		r.Attachments[a.AttachmentID] = plain
	}
	for id := range encryptedAttachments {
		if _, ok := r.Attachments[id]; !ok {
			return nil, fmt.Errorf("%w: attachment %s is not in the metadata", ErrMetadata, truncate(id, 64))
		}
	}
	return r, nil
}

// ParseMetadata reads a metadata document, validates it against schema when that is not
// nil, and checks what this package relies on: sha512 hashes of 128 hex digits and unique
// attachment ids. Errors wrap ErrMetadata.
func ParseMetadata(doc []byte, schema *jsonschema.Schema) (*Metadata, error) {
	if len(doc) > maxMetadata {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, len(doc), maxMetadata)
	}
	if schema != nil {
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
		}
		if err := schema.Validate(v); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
		}
	}
	var m Metadata
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
	}
	if d := m.ContentStructure.Data; d != nil && (d.Hash.Type != "sha512" || !isSHA512Hex(d.Hash.Content)) {
		return nil, fmt.Errorf("%w: contentStructure.data.hash is not a sha512 hex digest", ErrMetadata)
	}
	if n := len(m.ContentStructure.Attachments); n > maxAttachments {
		return nil, fmt.Errorf("%w: %d attachments, more than %d", ErrMetadata, n, maxAttachments)
	}
	seen := make(map[string]bool, len(m.ContentStructure.Attachments))
	for i, a := range m.ContentStructure.Attachments {
		if a.AttachmentID == "" || seen[a.AttachmentID] {
			return nil, fmt.Errorf("%w: contentStructure.attachments[%d]: attachmentId %q missing or repeated", ErrMetadata, i, truncate(a.AttachmentID, 64))
		}
		seen[a.AttachmentID] = true
		if a.Hash.Type != "sha512" || !isSHA512Hex(a.Hash.Content) {
			return nil, fmt.Errorf("%w: contentStructure.attachments[%d].hash is not a sha512 hex digest", ErrMetadata, i)
		}
	}
	return &m, nil
}

// CompileMetadataSchema compiles the metadata schema (as FITKO publishes it, JSON Schema
// draft 2020-12) read from r, with formats (uuid, date-time, uri, email) asserted.
func CompileMetadataSchema(r io.Reader) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	if err := c.AddResource(MetadataSchema, io.LimitReader(r, maxMetadata)); err != nil {
		return nil, fmt.Errorf("fitconnect: metadata schema: %w", err)
	}
	s, err := c.Compile(MetadataSchema)
	if err != nil {
		return nil, fmt.Errorf("fitconnect: metadata schema: %w", err)
	}
	return s, nil
}

func checkHash(plain []byte, want Hash) error {
	sum := sha512.Sum512(plain)
	if got := hex.EncodeToString(sum[:]); got != want.Content {
		return fmt.Errorf("%w: sha512 %s…, metadata says %s…", ErrHashMismatch, got[:16], truncate(want.Content, 16))
	}
	return nil
}
