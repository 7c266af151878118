package fitconnect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/fitconnect"
)

// The Sender as the outbox's delivery target: an application submitted through
// ozg.Applications reaches the local service and ends delivered.
func TestOutboxDeliversThroughFITConnect(t *testing.T) {
	ctx := context.Background()
	form, err := forms.Load("antrag.schema.json", []byte(`{"$schema":"https://json-schema.org/draft/2020-12/schema",
		"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	svc := &ozg.Service{
		ID: "wohngeld", Name: "Wohngeld beantragen", Description: "Zuschuss zur Miete.",
		LeikaKey: "99107004017000", Topic: ozg.TopicBauenWohnen, Level: identity.LevelSubstantial, Form: form,
		Authority: ozg.Authority{Name: "Landeshauptstadt Kiel", Region: "010020000000",
			Contact: ozg.Contact{Email: "wohngeld@kiel.example"}, Address: ozg.Address{Street: "Fleethörn 9", PostalCode: "24103", City: "Kiel"}},
		LegalBasis: "§ 22 WoGG", Delivery: "fitconnect",
	}
	catalog := ozg.NewCatalog(nil)
	if err := catalog.Register(svc); err != nil {
		t.Fatal(err)
	}
	store := ozg.NewMemoryStore()
	apps := ozg.NewApplications(catalog, store, nil)

	srv := newServer(t, nil)
	id, secret := srv.Credentials()
	sender, err := fitconnect.NewSender(fitconnect.Config{
		SubmissionAPI: srv.URL, TokenURL: srv.TokenURL(), ClientID: id, ClientSecret: secret,
		Routes: map[string]fitconnect.Route{"wohngeld": route(srv)},
	}, &fitconnect.SenderOptions{Logger: quiet, KeyPolicy: &fitconnect.KeyPolicy{InsecureSkipChainCheck: true}})
	if err != nil {
		t.Fatal(err)
	}
	blobs := evidence.NewMemoryBlobStore()
	pdf := []byte("%PDF-1.7 Mietvertrag")
	if _, err := blobs.Put(ctx, "blob/mietvertrag", bytes.NewReader(pdf)); err != nil {
		t.Fatal(err)
	}
	var receipts []ozg.Receipt
	onDelivered := ozg.OnDelivered(catalog, apps, nil)
	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"fitconnect": sender}, blobs, &ozg.OutboxOptions{
		Logger: quiet,
		OnDelivered: func(ctx context.Context, s *ozg.Submission, r ozg.Receipt) error {
			receipts = append(receipts, r)
			return onDelivered(ctx, s, r)
		},
	})

	a, err := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika Mustermann"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, sub, err := apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: "k1",
		Attachments: []ozg.Attachment{{ID: "2d3c4b5a-6f7e-4d8c-9b0a-1c2d3e4f5a6b", RequirementID: "mietvertrag",
			FileName: "mietvertrag.pdf", MediaType: "application/pdf", Size: int64(len(pdf)), SHA512: sha(pdf), BlobKey: "blob/mietvertrag"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := outbox.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if e, _ := store.OutboxEntry(ctx, sub.ID); e.State != ozg.DeliveryDelivered {
		t.Fatalf("outbox entry %+v", e)
	}
	if got, _ := apps.Get(ctx, "alice", a.ID); got.State != ozg.StateDelivered {
		t.Errorf("application is %s, want delivered", got.State)
	}
	_, subID, err := fitconnect.ParseReceiptID(receipts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := srv.Received(subID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data, sub.Data) || !bytes.Equal(got.Attachments["2d3c4b5a-6f7e-4d8c-9b0a-1c2d3e4f5a6b"], pdf) ||
		got.Metadata.AdditionalReferenceInfo.SenderReference != sub.Reference {
		t.Errorf("received %s, metadata %+v", got.Data, got.Metadata.AdditionalReferenceInfo)
	}
	events, err := sender.SubmissionEvents(ctx, sub, receipts[0])
	if err != nil || len(events) != 3 || !events[2].Accepted() {
		t.Errorf("events %+v, %v", events, err)
	}
}
