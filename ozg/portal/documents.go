package portal

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
)

// maxDocumentSize bounds a document the portal generates for a delivery.
const maxDocumentSize = 20 << 20

// documentKeyPrefix marks the blob keys of generated documents; they exist only for the
// delivery that carries them.
const documentKeyPrefix = "generated-document/"

// withDocuments wraps a delivery target so that every submission it receives also carries the
// documents generate makes for it (e.g. the Antragsübersicht as PDF), as attachments with
// their size and SHA-512 like the evidence. The documents are made anew for each attempt.
func withDocuments(catalog *ozg.Catalog, target ozg.Delivery, generate func(*ozg.Service, *ozg.Submission) ([]mailbox.NewAttachment, error)) ozg.Delivery {
	d := &documentsDelivery{catalog: catalog, target: target, generate: generate}
	if w, ok := target.(ozg.Withdrawer); ok {
		return &withdrawingDocumentsDelivery{d, w}
	}
	return d
}

type documentsDelivery struct {
	catalog  *ozg.Catalog
	target   ozg.Delivery
	generate func(*ozg.Service, *ozg.Submission) ([]mailbox.NewAttachment, error)
}

type withdrawingDocumentsDelivery struct {
	*documentsDelivery
	ozg.Withdrawer
}

// Deliver implements ozg.Delivery.
func (d *documentsDelivery) Deliver(ctx context.Context, s *ozg.Submission, files ozg.Files) (ozg.Receipt, error) {
	svc, err := d.catalog.Service(s.ServiceID)
	if err != nil {
		return ozg.Receipt{}, ozg.Permanent(err)
	}
	docs, err := d.generate(svc, s)
	if err != nil {
		return ozg.Receipt{}, fmt.Errorf("portal: documents for %s: %w", s.ID, err)
	}
	with := *s
	with.Attachments = append([]ozg.Attachment(nil), s.Attachments...)
	generated := map[string][]byte{}
	for i, doc := range docs {
		b, err := io.ReadAll(io.LimitReader(doc.Content, maxDocumentSize+1))
		if err != nil {
			return ozg.Receipt{}, fmt.Errorf("portal: document %s for %s: %w", doc.Name, s.ID, err)
		}
		if len(b) > maxDocumentSize {
			return ozg.Receipt{}, ozg.Permanent(fmt.Errorf("portal: document %s for %s is larger than %d bytes", doc.Name, s.ID, maxDocumentSize))
		}
		sum := sha512.Sum512(b)
		key := documentKeyPrefix + s.ID + "/" + strconv.Itoa(i)
		generated[key] = b
		with.Attachments = append(with.Attachments, ozg.Attachment{
			// a stable id per submission and document, so a repeated delivery names it alike
			ID:            uuid.NewSHA1(uuid.NameSpaceURL, []byte("ozgkit:"+key)).String(),
			RequirementID: "antragsuebersicht", FileName: doc.Name, MediaType: doc.MediaType,
			Size: int64(len(b)), SHA512: hex.EncodeToString(sum[:]), BlobKey: key,
		})
	}
	return d.target.Deliver(ctx, &with, generatedFiles{files, generated})
}

// generatedFiles opens the generated documents from memory and everything else from files.
type generatedFiles struct {
	ozg.Files
	docs map[string][]byte
}

func (g generatedFiles) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if b, ok := g.docs[key]; ok {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	return g.Files.Open(ctx, key)
}
