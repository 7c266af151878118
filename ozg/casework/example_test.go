package casework_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/casework/caseworktest"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// Example wires the authority's inbox as the delivery target of a service and decides a
// delivered application.
func Example() {
	ctx := context.Background()
	catalog := ozg.NewCatalog(nil)
	svc := caseworktest.Service()
	svc.Evidence = nil // evidence would be uploaded with Applications.AttachEvidence
	if err := catalog.Register(svc); err != nil {
		panic(err)
	}
	store := ozg.NewMemoryStore()
	apps := ozg.NewApplications(catalog, store, nil)
	var cw *casework.Casework
	mb, _ := mailbox.New(mailbox.NewMemoryStore(), mailbox.NewMemoryBlobStore(), &mailbox.Options{
		OnReply: func(ctx context.Context, q, r mailbox.Message) error { return cw.ReceiveReply(ctx, q, r) },
	})
	cw, err := casework.New(casework.NewMemoryStore(), casework.Journey{Catalog: catalog, Applications: apps, Store: store}, mb,
		&casework.Options{Authority: caseworktest.Authority.Name, Roles: map[string][]string{"wohngeld": {"wohngeld"}}})
	if err != nil {
		panic(err)
	}
	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"casework": cw}, nil, nil)

	// a citizen applies
	a, _ := apps.Create(ctx, "wohngeld", "citizen-1", caseworktest.Data)
	_, sub, err := apps.Submit(ctx, "citizen-1", a.ID, ozg.SubmitRequest{IdempotencyKey: "k1"})
	if err != nil {
		panic(err)
	}
	_, _ = outbox.RunOnce(ctx)

	// a case worker decides
	sabine := casework.Staff{Subject: "kc-sabine", Name: "Sabine Sachbearbeiterin", Roles: []string{"wohngeld"}}
	cases, _, _ := cw.List(ctx, sabine, casework.Query{State: ozg.StateDelivered})
	fmt.Println(len(cases), cases[0].ID == sub.ID)
	if _, err := cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "Ihrem Antrag wird stattgegeben."}); err != nil {
		panic(err)
	}
	app, _ := store.Get(ctx, a.ID)
	fmt.Println(app.State)
	// Output:
	// 1 true
	// decided
}

// ExampleCasework_AskFor asks the citizen for the tenancy agreement again (Nachforderung);
// the citizen's file goes through the evidence pipeline and shows in the case.
func ExampleCasework_AskFor() {
	ctx := context.Background()
	catalog := ozg.NewCatalog(nil)
	if err := catalog.Register(caseworktest.Service()); err != nil {
		panic(err)
	}
	store, blobs := ozg.NewMemoryStore(), evidence.NewMemoryBlobStore()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ev, _ := evidence.New(evidence.NewMemoryStore(), blobs, evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	apps := ozg.NewApplications(catalog, store, &ozg.ApplicationsOptions{Evidence: ev})
	var cw *casework.Casework
	mb, _ := mailbox.New(mailbox.NewMemoryStore(), mailbox.NewMemoryBlobStore(), &mailbox.Options{
		OnReply: func(ctx context.Context, q, r mailbox.Message) error { return cw.ReceiveReply(ctx, q, r) },
	})
	cw, _ = casework.New(casework.NewMemoryStore(), casework.Journey{Catalog: catalog, Applications: apps, Store: store, Files: blobs}, mb,
		&casework.Options{Authority: caseworktest.Authority.Name, Roles: map[string][]string{"wohngeld": {"wohngeld"}}})
	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"casework": cw}, blobs, nil)

	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
	a, _ := apps.Create(ctx, "wohngeld", "citizen-1", caseworktest.Data)
	_, _ = apps.AttachEvidence(ctx, "citizen-1", a.ID, "mietvertrag", "mietvertrag.pdf", bytes.NewReader(pdf))
	_, sub, err := apps.Submit(ctx, "citizen-1", a.ID, ozg.SubmitRequest{IdempotencyKey: "k1"})
	if err != nil {
		panic(err)
	}
	_, _ = outbox.RunOnce(ctx)

	sabine := casework.Staff{Subject: "kc-sabine", Name: "Sabine Sachbearbeiterin", Roles: []string{"wohngeld"}}
	q, err := cw.AskFor(ctx, sabine, sub.ID, casework.Question{Text: "Bitte senden Sie Seite 2 des Mietvertrags.", Requirements: []string{"mietvertrag"}})
	if err != nil {
		panic(err)
	}
	// the citizen's side (ozg/portal's Postfach does this from the answer form)
	if _, err := apps.AttachRequestedEvidence(ctx, cw, "citizen-1", a.ID, q.ID, "mietvertrag", "seite-2.pdf", bytes.NewReader(pdf)); err != nil {
		panic(err)
	}
	citizen := mailbox.Citizen{Subject: "citizen-1", Level: mailbox.LevelHigh}
	if _, err := mb.Reply(ctx, citizen, q.ID, "Anbei Seite 2."); err != nil {
		panic(err)
	}
	_, err = apps.AttachRequestedEvidence(ctx, cw, "citizen-1", a.ID, q.ID, "mietvertrag", "seite-3.pdf", bytes.NewReader(pdf))
	fmt.Println("after the answer:", errors.Is(err, ozg.ErrNotRequested))

	v, _ := cw.Open(ctx, sabine, sub.ID, "de")
	for _, r := range v.Received {
		fmt.Println(r.RequirementID, r.FileName, r.MediaType, r.Size, len(r.SHA512))
	}
	// Output:
	// after the answer: true
	// mietvertrag seite-2.pdf application/pdf 35 128
}
