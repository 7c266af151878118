package ozg_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// withdrawFixture is Wohngeld with its evidence in memory, delivered to a local inbox.
type withdrawFixture struct {
	apps   *ozg.Applications
	store  *ozg.MemoryStore
	ev     *evidence.Manager
	inbox  *delivery.Inbox
	outbox *ozg.Outbox
}

func newWithdrawFixture(t *testing.T) *withdrawFixture {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := ozg.NewCatalog(nil)
	svc := wohngeld(t)
	svc.Evidence = svc.Evidence[:1]
	if err := c.Register(svc); err != nil {
		t.Fatal(err)
	}
	blobs := evidence.NewMemoryBlobStore()
	ev, err := evidence.New(evidence.NewMemoryStore(), blobs, evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	f := &withdrawFixture{store: ozg.NewMemoryStore(), ev: ev, inbox: delivery.NewInbox()}
	f.apps = ozg.NewApplications(c, f.store, &ozg.ApplicationsOptions{Evidence: ev, Logger: quiet})
	f.outbox = ozg.NewOutbox(f.store, map[string]ozg.Delivery{"fachverfahren": f.inbox}, blobs, &ozg.OutboxOptions{Logger: quiet})
	return f
}

// submitted makes a complete Wohngeld draft with its contract and submits it.
func (f *withdrawFixture) submitted(t *testing.T, key string) (*ozg.Application, *ozg.Submission) {
	t.Helper()
	ctx := context.Background()
	a, err := f.apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.apps.AttachEvidence(ctx, "alice", a.ID, "mietvertrag", "mietvertrag.pdf", bytes.NewReader([]byte("%PDF-1.4\n%%EOF\n"))); err != nil {
		t.Fatal(err)
	}
	a, sub, err := f.apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return a, sub
}

// Regression: a withdrawal after submit used to leave the outbox entry pending (the authority
// still got the application and the citizen a receipt) and deleted evidence the pending
// delivery needed.
func TestAWithdrawalBeforeDeliveryCancelsTheDelivery(t *testing.T) {
	ctx := context.Background()
	f := newWithdrawFixture(t)
	a, sub := f.submitted(t, "k1")
	if _, err := f.apps.Withdraw(ctx, "alice", a.ID, "changed my mind"); err != nil {
		t.Fatal(err)
	}
	if n, err := f.outbox.RunOnce(ctx); n != 0 || err != nil {
		t.Fatalf("the outbox worked on a withdrawn submission: %d, %v", n, err)
	}
	if len(f.inbox.Submissions()) != 0 {
		t.Fatal("a withdrawn submission reached the authority")
	}
	if e, _ := f.store.OutboxEntry(ctx, sub.ID); e.State != ozg.DeliveryWithdrawn {
		t.Fatalf("entry %+v", e)
	}
	if list, _ := f.ev.List(ctx, a.ID); len(list) != 1 {
		t.Fatalf("the evidence of a submitted application was deleted: %d files left", len(list))
	}
}

func TestAWithdrawalAfterDeliveryReachesTheAuthority(t *testing.T) {
	ctx := context.Background()
	f := newWithdrawFixture(t)
	a, sub := f.submitted(t, "k1")
	for range 2 { // delivery, then the work after it
		if _, err := f.outbox.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := f.apps.Get(ctx, "alice", a.ID); got.State != ozg.StateDelivered {
		t.Fatalf("state %s", got.State)
	}
	if _, err := f.apps.Withdraw(ctx, "alice", a.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.inbox.Withdrawn(sub.ID); ok {
		t.Fatal("withdrawn before the outbox ran")
	}
	if n, err := f.outbox.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("withdrawal round = %d, %v", n, err)
	}
	if _, ok := f.inbox.Withdrawn(sub.ID); !ok {
		t.Fatal("the authority did not hear of the withdrawal")
	}
	if e, _ := f.store.OutboxEntry(ctx, sub.ID); e.State != ozg.DeliveryWithdrawn {
		t.Fatalf("entry %+v", e)
	}
	if list, _ := f.ev.List(ctx, a.ID); len(list) != 1 {
		t.Fatal("the evidence of a delivered application was deleted")
	}
}

func TestEvidenceCannotBeAddedOrRemovedAfterSubmission(t *testing.T) {
	ctx := context.Background()
	f := newWithdrawFixture(t)
	a, _ := f.submitted(t, "k1")
	_, err := f.apps.AttachEvidence(ctx, "alice", a.ID, "mietvertrag", "nachtrag.pdf", bytes.NewReader([]byte("%PDF-1.4\n%%EOF\n")))
	var te *ozg.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("upload after submit = %v, want a *TransitionError", err)
	}
	list, _ := f.ev.List(ctx, a.ID)
	if len(list) != 1 {
		t.Fatalf("%d files after a refused upload", len(list))
	}
	if err := f.apps.RemoveEvidence(ctx, "alice", a.ID, list[0].ID); !errors.As(err, &te) {
		t.Fatalf("delete after submit = %v", err)
	}
}

// An upload that finishes while a submit is being checked changes the draft's version, so the
// submit reads the evidence again: the submission and the stored evidence agree.
func TestASubmitSeesTheEvidenceSetItCommits(t *testing.T) {
	ctx := context.Background()
	f := newWithdrawFixture(t)
	a, err := f.apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika"}`))
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	for range 2 {
		if _, err := f.apps.AttachEvidence(ctx, "alice", a.ID, "mietvertrag", "m.pdf", bytes.NewReader(pdf)); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := f.apps.Get(ctx, "alice", a.ID)
	if got.Version != a.Version+2 {
		t.Fatalf("version %d after two uploads, want %d: evidence changes must count the draft's version up", got.Version, a.Version+2)
	}
	_, sub, err := f.apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := f.ev.List(ctx, a.ID); len(list) != len(sub.Attachments) {
		t.Fatalf("stored %d files, submitted %d", len(list), len(sub.Attachments))
	}
}

// A delivery still running when the outbox's context ends is finished and recorded: the
// application does not stay "submitted" (SIGTERM during delivery used to lose the outcome).
func TestADeliveryInFlightIsRecordedAfterCancel(t *testing.T) {
	f := newWithdrawFixture(t)
	a, sub := f.submitted(t, "k1")
	slow := &slowTarget{inbox: f.inbox, started: make(chan struct{}), release: make(chan struct{})}
	outbox := ozg.NewOutbox(f.store, map[string]ozg.Delivery{"fachverfahren": slow}, nil, &ozg.OutboxOptions{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := outbox.RunOnce(ctx); done <- err }()
	<-slow.started
	cancel() // SIGTERM while the target works
	close(slow.release)
	if err := <-done; err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	bg := context.Background()
	if e, _ := f.store.OutboxEntry(bg, sub.ID); e.State != ozg.DeliveryNotifying {
		t.Fatalf("entry %+v, want the delivery recorded", e)
	}
	if got, _ := f.apps.Get(bg, "alice", a.ID); got.State != ozg.StateDelivered {
		t.Fatalf("application %s, want delivered", got.State)
	}
}

type slowTarget struct {
	inbox            *delivery.Inbox
	started, release chan struct{}
}

func (s *slowTarget) Deliver(ctx context.Context, sub *ozg.Submission, files ozg.Files) (ozg.Receipt, error) {
	close(s.started)
	select {
	case <-s.release:
	case <-time.After(10 * time.Second):
	}
	if err := ctx.Err(); err != nil {
		return ozg.Receipt{}, errors.New("the attempt's context was cancelled with the outbox's")
	}
	return s.inbox.Deliver(ctx, sub, files)
}
