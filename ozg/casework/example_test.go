package casework_test

import (
	"context"
	"fmt"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/casework/caseworktest"
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
