package fitconnect_test

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/internal/vectors"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/fitconnect"
	"github.com/ozgkit/ozgkit/ozg/fitconnect/fitconnecttest"
)

const serviceID = "wohngeld-kiel"

// The outside reference (never copied into the repository): shared/vectors beside it.
var (
	schemaPath, _  = vectors.Path("fitconnect", "metadata.schema.v1.0.0.json")
	examplePath, _ = vectors.Path("fitconnect", "example-metadata-v1.0.0.json")
)

var quiet = slog.New(slog.DiscardHandler)

// metadataSchema compiles the outside reference schema, or skips the test without it.
func metadataSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Skipf("metadata schema not available (%v); the outside reference lives in shared/vectors/fitconnect beside the repository (or set OZGKIT_VECTORS)", err)
	}
	defer f.Close()
	s, err := fitconnect.CompileMetadataSchema(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func keys(t testing.TB) *fitconnecttest.Keys {
	t.Helper()
	k, err := fitconnecttest.SharedKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sha(b []byte) string {
	s := sha512.Sum512(b)
	return hex.EncodeToString(s[:])
}

// fixture is a submission with its evidence in a blob store.
type fixture struct {
	sub   *ozg.Submission
	files *evidence.MemoryBlobStore
	blobs map[string][]byte // by ozg attachment id
}

func newFixture(t testing.TB, attachments ...[]byte) *fixture {
	t.Helper()
	f := &fixture{files: evidence.NewMemoryBlobStore(), blobs: map[string][]byte{}}
	f.sub = &ozg.Submission{
		ID: "6f0c1d7e-3b9a-4a51-8d2e-0d7f6c1e2a90", ApplicationID: "app-1", ServiceID: serviceID,
		LeikaKey: "99107004017000", Reference: "WG-2026-000123", Delivery: "fitconnect",
		Owner: "citizen-1", IdempotencyKey: "k1",
		Identity: ozg.IdentityFacts{Subject: "citizen-1", Level: identity.LevelSubstantial, Method: "eID"},
		Data:     json.RawMessage(`{"antragsteller":{"name":"Erika Mustermann","geburtsdatum":"1964-08-12"},"haushalt":2}`),
		Payment: &ozg.PaymentFacts{Method: "CREDITCARD", Status: "PAYED", TransactionID: "tx-4711",
			Reference: "KASSENZEICHEN-0815", Timestamp: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), GrossAmount: 2550},
		SubmittedAt: time.Date(2026, 11, 28, 10, 15, 0, 0, time.UTC),
	}
	ids := []string{"0b9d9d55-7e1c-4c8a-9a43-5f1f3f7e8c01", "evidence-2", "evidence-3"}
	for i, content := range attachments {
		id := ids[i%len(ids)]
		key := "blob/" + id
		if _, err := f.files.Put(context.Background(), key, bytes.NewReader(content)); err != nil {
			t.Fatal(err)
		}
		f.blobs[id] = content
		f.sub.Attachments = append(f.sub.Attachments, ozg.Attachment{
			ID: id, RequirementID: "einkommensnachweis", FileName: "nachweis.pdf", MediaType: "application/pdf",
			Size: int64(len(content)), SHA512: sha(content), BlobKey: key,
		})
	}
	return f
}

func route(s *fitconnecttest.Server) fitconnect.Route {
	return fitconnect.Route{DestinationID: s.DestinationID(), ServiceName: "Wohngeld",
		SchemaURI: "https://schema.example.org/wohngeld/1.0.0/antrag.schema.json"}
}

func newServer(t testing.TB, opts *fitconnecttest.Options) *fitconnecttest.Server {
	t.Helper()
	if opts == nil {
		opts = &fitconnecttest.Options{}
	}
	if opts.Keys == nil {
		opts.Keys = keys(t)
	}
	s, err := fitconnecttest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func newSender(t testing.TB, s *fitconnecttest.Server, opts *fitconnect.SenderOptions) *fitconnect.Sender {
	t.Helper()
	if opts == nil {
		opts = &fitconnect.SenderOptions{}
	}
	if opts.KeyPolicy == nil {
		opts.KeyPolicy = &fitconnect.KeyPolicy{InsecureSkipChainCheck: true}
	}
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	id, secret := s.Credentials()
	snd, err := fitconnect.NewSender(fitconnect.Config{
		SubmissionAPI: s.URL, TokenURL: s.TokenURL(), ClientID: id, ClientSecret: secret,
		Routes: map[string]fitconnect.Route{serviceID: route(s)},
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return snd
}
