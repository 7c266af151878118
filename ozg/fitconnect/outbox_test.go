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
		Evidence: []evidence.Requirement{{ID: "mietvertrag", Title: "Mietvertrag", Required: true, MaxCount: 1,
			MediaTypes: []string{"application/pdf"}, MaxSize: 1 << 20}},
		LegalBasis: "§ 22 WoGG", Delivery: "fitconnect",
	}
	catalog := ozg.NewCatalog(nil)
	if err := catalog.Register(svc); err != nil {
		t.Fatal(err)
	}
	store := ozg.NewMemoryStore()
	blobs := evidence.NewMemoryBlobStore()
	ev, err := evidence.New(evidence.NewMemoryStore(), blobs, evidence.NewNoScanner(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	apps := ozg.NewApplications(catalog, store, &ozg.ApplicationsOptions{Evidence: ev})

	srv := newServer(t, nil)
	id, secret := srv.Credentials()
	sender, err := fitconnect.NewSender(fitconnect.Config{
		SubmissionAPI: srv.URL, TokenURL: srv.TokenURL(), ClientID: id, ClientSecret: secret,
		Routes: map[string]fitconnect.Route{"wohngeld": route(srv)},
	}, &fitconnect.SenderOptions{Logger: quiet, KeyPolicy: &fitconnect.KeyPolicy{InsecureSkipChainCheck: true}})
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.7\n% Mietvertrag\n")
	var receipts []ozg.Receipt
	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"fitconnect": sender}, blobs, &ozg.OutboxOptions{
		Logger: quiet,
		OnDelivered: func(ctx context.Context, s *ozg.Submission, r ozg.Receipt) error {
			receipts = append(receipts, r)
			return nil
		},
	})

	a, err := apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika Mustermann"}`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := apps.AttachEvidence(ctx, "alice", a.ID, "mietvertrag", "mietvertrag.pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	_, sub, err := apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Attachments) != 1 || sub.Attachments[0].SHA512 != sha(pdf) {
		t.Fatalf("attachments %+v", sub.Attachments)
	}
	for round := range 2 { // the delivery, then the work after it
		if n, err := outbox.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce %d = %d, %v", round, n, err)
		}
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
	if !bytes.Equal(got.Data, sub.Data) || !bytes.Equal(got.Attachments[e.ID], pdf) ||
		got.Metadata.AdditionalReferenceInfo.SenderReference != sub.Reference {
		t.Errorf("received %s, metadata %+v", got.Data, got.Metadata.AdditionalReferenceInfo)
	}
	events, err := sender.SubmissionEvents(ctx, sub, receipts[0])
	if err != nil || len(events) != 3 || !events[2].Accepted() {
		t.Errorf("events %+v, %v", events, err)
	}
}
