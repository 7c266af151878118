package casework_test

import (
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"

	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path"
	"sync/atomic"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/casework/caseworktest"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// world is the citizen side and the authority side wired as an integrator would: one
// catalogue, the journey over a store, an outbox that delivers to the casework inbox, one
// blob store for evidence and mailbox files, and the mailbox whose reply hook is the casework.
type world struct {
	provider *paymenttest.MemoryProvider
	catalog  *ozg.Catalog
	store    ozg.Store
	apps     *ozg.Applications
	blobs    mailbox.BlobStore
	mb       *mailbox.Mailbox
	cw       *casework.Casework
	outbox   *ozg.Outbox
	log      syncBuffer // the casework's log
}

// stores are the backends of a world.
type stores struct {
	journey  ozg.Store
	casework casework.Store
	mailbox  mailbox.Store
	blobs    mailbox.BlobStore
}

func memoryStores() stores {
	return stores{ozg.NewMemoryStore(), casework.NewMemoryStore(), mailbox.NewMemoryStore(), mailbox.NewMemoryBlobStore()}
}

// roles are the example's assignment: the role "wohngeld" handles Wohngeld, "parkausweis"
// the residents' parking permit.
var roles = map[string][]string{"wohngeld": {"wohngeld"}, "parkausweis": {"bewohnerparkausweis"}}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newWorld(t testing.TB, st stores) *world {
	t.Helper()
	w := &world{catalog: ozg.NewCatalog(nil), store: st.journey, blobs: st.blobs}
	for _, s := range []*ozg.Service{caseworktest.Service(), caseworktest.ParkingService()} {
		if err := w.catalog.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	// Evidence and fees go through the journey's real parts: the evidence manager over the
	// shared blob store, a payment service on paymenttest's provider.
	ev, err := evidence.New(evidence.NewMemoryStore(), st.blobs, evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	w.provider = paymenttest.NewMemoryProvider()
	pays := payment.NewService(payment.NewMemoryStore(), w.provider, &payment.Options{Logger: quiet})
	w.apps = ozg.NewApplications(w.catalog, w.store, &ozg.ApplicationsOptions{Evidence: ev, Fees: portal.PaymentFees(pays), Logger: quiet})
	w.mb, err = mailbox.New(st.mailbox, st.blobs, &mailbox.Options{
		OnReply: func(ctx context.Context, q, r mailbox.Message) error { return w.cw.ReceiveReply(ctx, q, r) },
	})
	if err != nil {
		t.Fatal(err)
	}
	w.cw, err = casework.New(st.casework, casework.Journey{Catalog: w.catalog, Applications: w.apps, Store: w.store, Files: st.blobs}, w.mb,
		&casework.Options{Authority: caseworktest.Authority.Name, Roles: roles, OperatorRole: operatorRole, Logger: slog.New(slog.NewTextHandler(&w.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	w.outbox = ozg.NewOutbox(w.store, map[string]ozg.Delivery{"casework": w.cw}, st.blobs, &ozg.OutboxOptions{Logger: quiet})
	return w
}

// samplePDF is evidencetest.SamplePDF: a small valid PDF showing title.
var samplePDF = evidencetest.SamplePDF

var seq atomic.Int64

// citizen is the test citizen of the submissions.
var citizen = mailbox.Citizen{Subject: "bPK2-ERIKA-7f3a9c", Level: mailbox.LevelHigh}

// submit makes citizen apply for service with the fixture data and one evidence PDF (and the
// fee for the parking permit), and runs the outbox once, so the case is in the inbox. It
// returns the delivered submission.
func (w *world) submit(t testing.TB, service string) *ozg.Submission {
	return w.submitWith(t, service, samplePDF("Mietvertrag Weiß"))
}

// submitWith is submit with pdf as the evidence file's bytes.
func (w *world) submitWith(t testing.TB, service string, pdf []byte) *ozg.Submission {
	t.Helper()
	sub := w.apply(t, service, pdf)
	for range 2 { // the delivery, then the work after it
		if n, err := w.outbox.RunOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("outbox: %d delivered, %v", n, err)
		}
	}
	return sub
}

// apply makes citizen apply for service as submit does, with pdf as the evidence file's
// bytes, and leaves the submission in the outbox.
func (w *world) apply(t testing.TB, service string, pdf []byte) *ozg.Submission {
	t.Helper()
	ctx := context.Background()
	a, err := w.apps.Create(ctx, service, citizen.Subject, caseworktest.Data)
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := w.catalog.Service(service)
	for _, r := range svc.Evidence {
		if _, err := w.apps.AttachEvidence(ctx, citizen.Subject, a.ID, r.ID, "Mietvertrag Weiß.pdf", bytes.NewReader(pdf)); err != nil {
			t.Fatal(err)
		}
	}
	if svc.FeeDueOnline() {
		pay, err := w.apps.StartPayment(ctx, citizen.Subject, a.ID, "https://portal.example/zurueck")
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(pay.RedirectURL)
		if err := w.provider.Act(path.Base(u.Path), paymenttest.ActionPay, payment.MethodCreditCard); err != nil {
			t.Fatal(err)
		}
		if _, err := w.apps.PaymentReturned(ctx, citizen.Subject, a.ID, pay.ID); err != nil {
			t.Fatal(err)
		}
	}
	req := ozg.SubmitRequest{
		IdempotencyKey: fmt.Sprintf("key-%d", seq.Add(1)),
		Identity:       ozg.IdentityFacts{Subject: citizen.Subject, Level: identity.LevelHigh, Method: "eid"},
	}
	_, sub, err := w.apps.Submit(ctx, citizen.Subject, a.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// messages lists the citizen's Postfach, newest first, as "kind:subject" lines.
func (w *world) messages(t testing.TB) []mailbox.Entry {
	t.Helper()
	p, err := w.mb.List(context.Background(), citizen, mailbox.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return p.Entries
}

var (
	sabine = casework.Staff{Subject: "kc-sabine", Name: "Sabine Sachbearbeiterin", Roles: []string{"wohngeld"}}
	tom    = casework.Staff{Subject: "kc-tom", Name: "Tom Teamleiter", Roles: []string{"wohngeld", "parkausweis"}}
	paula  = casework.Staff{Subject: "kc-paula", Name: "Paula Praktikantin"}
	parker = casework.Staff{Subject: "kc-park", Name: "Pia Park", Roles: []string{"parkausweis"}}
)
