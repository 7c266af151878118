package ozg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
)

// refusingTarget is a back office that refuses every submission for good.
type refusingTarget struct{}

func (refusingTarget) Deliver(context.Context, *ozg.Submission, ozg.Files) (ozg.Receipt, error) {
	return ozg.Receipt{}, ozg.Permanent(errors.New("the back office does not know this service"))
}

// An operator lists the work the outbox gave up, inspects it and requeues it once the cause
// is fixed.
func ExampleOutbox_FailedWork() {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	catalog := ozg.NewCatalog(nil)
	svc := exampleService("wohngeld", "010020000000")
	svc.Evidence = nil
	if err := catalog.Register(svc); err != nil {
		log.Fatal(err)
	}
	store := ozg.NewMemoryStore()
	apps := ozg.NewApplications(catalog, store, &ozg.ApplicationsOptions{Clock: clock})
	outbox := ozg.NewOutbox(store, map[string]ozg.Delivery{"fachverfahren": refusingTarget{}}, nil,
		&ozg.OutboxOptions{Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})

	a, _ := apps.Create(ctx, "wohngeld", "citizen-1", json.RawMessage(`{"name":"Erika Mustermann"}`))
	if _, _, err := apps.Submit(ctx, "citizen-1", a.ID, ozg.SubmitRequest{IdempotencyKey: "1"}); err != nil {
		log.Fatal(err)
	}
	if _, err := outbox.RunOnce(ctx); err != nil {
		log.Fatal(err)
	}

	failed, err := outbox.FailedWork(ctx, 50)
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range failed {
		fmt.Println(w.Reference, w.ServiceID, w.Delivery, w.State, "in", w.FailedStep(), "after", w.Attempts, "attempt:", w.LastError)
		if err := outbox.Requeue(ctx, w.SubmissionID); err != nil {
			log.Fatal(err)
		}
		again, _ := outbox.Entry(ctx, w.SubmissionID)
		fmt.Println(again.Reference, again.State, "due", again.NextAttempt.Format(time.RFC3339))
	}
	// Output:
	// WOHNGELD-2026-000001 wohngeld fachverfahren failed in pending after 1 attempt: ozg: permanent delivery failure: the back office does not know this service
	// WOHNGELD-2026-000001 pending due 2026-11-28T09:00:00Z
}
