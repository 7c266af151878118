package fitconnect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/fitconnect"
	"github.com/ozgkit/ozgkit/ozg/fitconnect/fitconnecttest"
)

// A Sender delivers a submission to a destination; the local submission service decrypts it,
// checks the hashes and logs an accept-submission event, which the sender reads back.
func ExampleSender() {
	service, err := fitconnecttest.NewServer(nil) // in production: FIT-Connect's Submission API
	if err != nil {
		panic(err)
	}
	defer service.Close()
	id, secret := service.Credentials()
	sender, err := fitconnect.NewSender(fitconnect.Config{
		SubmissionAPI: service.URL, TokenURL: service.TokenURL(), ClientID: id, ClientSecret: secret,
		Routes: map[string]fitconnect.Route{"wohngeld-kiel": {
			DestinationID: service.DestinationID(), ServiceName: "Wohngeld",
			SchemaURI: "https://schema.example.org/wohngeld/1.0.0/antrag.schema.json",
		}},
	}, &fitconnect.SenderOptions{
		Logger: slog.New(slog.DiscardHandler),
		// The local service has no PKI; production sets KeyPolicy{Roots: the V-PKI roots}.
		KeyPolicy: &fitconnect.KeyPolicy{InsecureSkipChainCheck: true},
	})
	if err != nil {
		panic(err)
	}

	ctx := context.Background()
	files := evidence.NewMemoryBlobStore()
	pdf := []byte("%PDF-1.7 Einkommensnachweis")
	files.Put(ctx, "blob/1", bytes.NewReader(pdf))
	sub := &ozg.Submission{
		ID: "6f0c1d7e-3b9a-4a51-8d2e-0d7f6c1e2a90", ServiceID: "wohngeld-kiel", LeikaKey: "99107004017000",
		Reference: "WG-2026-000123", Data: json.RawMessage(`{"name":"Erika Mustermann"}`),
		Attachments: []ozg.Attachment{{ID: "7c1e0f5a-7d55-4ec4-9d62-1a5c2b8e9f30", FileName: "einkommen.pdf",
			MediaType: "application/pdf", Size: int64(len(pdf)), SHA512: sha(pdf), BlobKey: "blob/1"}},
		SubmittedAt: time.Now(),
	}
	receipt, err := sender.Deliver(ctx, sub, files)
	if err != nil {
		panic(err)
	}
	events, err := sender.SubmissionEvents(ctx, sub, receipt)
	if err != nil {
		panic(err)
	}
	for _, e := range events {
		fmt.Println(e.Name, e.Accepted())
	}
	// Output:
	// create-submission false
	// submit-submission false
	// accept-submission true
}

// An authority's back office checks the callback FIT-Connect sends before it fetches anything.
func ExampleVerifyCallback() {
	secret := []byte("callback secret from the self-service portal")
	body := []byte(`{"type":"https://schema.fitko.de/fit-connect/callbacks/new-submissions","submissionIds":[]}`)
	now := time.Now()
	ts, mac := fitconnect.SignCallback(secret, now, body) // what the Submission API sends

	fmt.Println(fitconnect.VerifyCallback(secret, ts, mac, body, now))
	fmt.Println(fitconnect.VerifyCallback(secret, ts, mac, body, now.Add(6*time.Minute)) != nil)
	// Output:
	// <nil>
	// true
}
