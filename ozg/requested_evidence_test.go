package ozg_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// queryBook is the smallest authority side: the open queries that ask for evidence, by id,
// and the files received for them. Closing a query is the citizen's answer.
type queryBook struct {
	mu       sync.Mutex
	owner    map[string]string // query → owner
	app      map[string]string // query → application
	asks     map[string][]string
	closed   map[string]bool
	earlier  []string
	received map[string][]string
	// closeOnReceive closes a query when its first file arrives, as an answer that raced the
	// upload would.
	closeOnReceive bool
}

func newQueryBook() *queryBook {
	return &queryBook{owner: map[string]string{}, app: map[string]string{}, asks: map[string][]string{},
		closed: map[string]bool{}, received: map[string][]string{}}
}

func (b *queryBook) ask(query, owner, app string, requirements ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.owner[query], b.app[query], b.asks[query] = owner, app, requirements
}

func (b *queryBook) OpenRequest(_ context.Context, owner, app, query string) (ozg.EvidenceRequest, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.owner[query] != owner || b.app[query] != app || b.closed[query] || len(b.asks[query]) == 0 {
		return ozg.EvidenceRequest{}, fmt.Errorf("%w: %s", ozg.ErrNotRequested, query)
	}
	return ozg.EvidenceRequest{Requirements: b.asks[query], Earlier: slices.Clone(b.earlier), Received: slices.Clone(b.received[query])}, nil
}

func (b *queryBook) EvidenceReceived(ctx context.Context, owner, app, query string, e evidence.Evidence) error {
	if b.closeOnReceive {
		b.mu.Lock()
		b.closed[query] = true
		b.mu.Unlock()
	}
	req, err := b.OpenRequest(ctx, owner, app, query)
	if err != nil {
		return err
	}
	if !req.Asks(e.RequirementID) {
		return ozg.ErrNotRequested
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.received[query] = append(b.received[query], e.ID)
	return nil
}

// requestFixture is Wohngeld (two evidence requirements) with its evidence in memory, one
// application of alice submitted and delivered, and her draft of a second one.
type requestFixture struct {
	apps    *ozg.Applications
	store   *ozg.MemoryStore
	book    *queryBook
	app     *ozg.Application
	draft   *ozg.Application
	initial []evidence.Evidence
}

var pdf = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")

func newRequestFixture(t *testing.T) *requestFixture {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := ozg.NewCatalog(nil)
	if err := c.Register(wohngeld(t)); err != nil {
		t.Fatal(err)
	}
	blobs := evidence.NewMemoryBlobStore()
	ev, err := evidence.New(evidence.NewMemoryStore(), blobs, evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	f := &requestFixture{store: ozg.NewMemoryStore(), book: newQueryBook()}
	f.apps = ozg.NewApplications(c, f.store, &ozg.ApplicationsOptions{Evidence: ev, Logger: quiet})
	for i := range 2 {
		a, err := f.apps.Create(ctx, "wohngeld", "alice", json.RawMessage(`{"name":"Erika"}`))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{"mietvertrag", "einkommen"} {
			if _, err := f.apps.AttachEvidence(ctx, "alice", a.ID, r, r+".pdf", bytes.NewReader(pdf)); err != nil {
				t.Fatal(err)
			}
		}
		if i == 1 {
			f.draft = a
			break
		}
		if _, _, err := f.apps.Submit(ctx, "alice", a.ID, ozg.SubmitRequest{IdempotencyKey: "k"}); err != nil {
			t.Fatal(err)
		}
		f.app = a
	}
	outbox := ozg.NewOutbox(f.store, map[string]ozg.Delivery{"fachverfahren": delivery.NewInbox()}, blobs, &ozg.OutboxOptions{Logger: quiet})
	if n, err := outbox.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("delivery: %d, %v", n, err)
	}
	if f.initial, err = f.apps.Evidence(ctx, "alice", f.app.ID); err != nil {
		t.Fatal(err)
	}
	for _, e := range f.initial {
		f.book.earlier = append(f.book.earlier, e.ID)
	}
	f.book.ask("q-miete", "alice", f.app.ID, "mietvertrag")
	return f
}

func (f *requestFixture) count(t *testing.T) int {
	t.Helper()
	list, err := f.apps.Evidence(context.Background(), "alice", f.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// Evidence after the submission is taken only for a query that asks for it and is open.
func TestRequestedEvidenceIsTakenOnlyForAnOpenQueryThatAsksForIt(t *testing.T) {
	ctx := context.Background()
	f := newRequestFixture(t)
	f.book.ask("q-draft", "alice", f.draft.ID, "mietvertrag")
	f.book.ask("q-text", "alice", f.app.ID)
	tests := []struct {
		name                       string
		owner, app, query, require string
		content                    []byte
		want                       error
	}{
		{"a draft takes evidence only through its own pages", "alice", f.draft.ID, "q-draft", "mietvertrag", pdf, ozg.ErrNotRequested},
		{"without a query the file is refused", "alice", f.app.ID, "q-none", "mietvertrag", pdf, ozg.ErrNotRequested},
		{"a query that asks for text only takes no file", "alice", f.app.ID, "q-text", "mietvertrag", pdf, ozg.ErrNotRequested},
		{"another requirement than the query asks for is refused", "alice", f.app.ID, "q-miete", "einkommen", pdf, ozg.ErrNotRequested},
		{"a requirement the service does not have is refused", "alice", f.app.ID, "q-miete", "steuerbescheid", pdf, evidence.ErrUnknownRequirement},
		{"another citizen's application is not found", "bob", f.app.ID, "q-miete", "mietvertrag", pdf, ozg.ErrNotFound},
		{"a file of a type the requirement does not take is refused", "alice", f.app.ID, "q-miete", "mietvertrag", []byte("<html><script>alert(1)</script></html>"), evidence.ErrMediaType},
		{"an empty file is refused", "alice", f.app.ID, "q-miete", "mietvertrag", nil, evidence.ErrEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.count(t)
			_, err := f.apps.AttachRequestedEvidence(ctx, f.book, tc.owner, tc.app, tc.query, tc.require, "datei.pdf", bytes.NewReader(tc.content))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var refused *evidence.RefusedError
			if errors.Is(tc.want, evidence.ErrMediaType) && (!errors.As(err, &refused) || refused.Field == "" || refused.Message == "") {
				t.Fatalf("a bad file gives %#v, want a field error with a message", err)
			}
			if after := f.count(t); after != before {
				t.Fatalf("%d files before, %d after a refused upload", before, after)
			}
			if got := f.book.received["q-miete"]; len(got) != 0 {
				t.Fatalf("a refused upload was recorded: %v", got)
			}
		})
	}
	if _, err := f.apps.AttachRequestedEvidence(ctx, nil, "alice", f.app.ID, "q-miete", "mietvertrag", "a.pdf", bytes.NewReader(pdf)); !errors.Is(err, ozg.ErrNotRequested) {
		t.Fatalf("without EvidenceRequests: %v", err)
	}
}

// The query may add the requirement's MaxCount files to those submitted; each is recorded;
// after the answer nothing more is taken.
func TestRequestedEvidenceIsBoundedPerQueryAndEndsWithTheAnswer(t *testing.T) {
	ctx := context.Background()
	f := newRequestFixture(t)
	var sent []evidence.Evidence
	for i := range 3 { // mietvertrag: MaxCount 3, one file submitted already
		e, err := f.apps.AttachRequestedEvidence(ctx, f.book, "alice", f.app.ID, "q-miete", "mietvertrag", fmt.Sprintf("seite-%d.pdf", i), bytes.NewReader(pdf))
		if err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
		if e.RequirementID != "mietvertrag" || len(e.SHA512) != 128 || e.ScanState != evidence.ScanClean {
			t.Fatalf("file %d stored as %+v", i, e)
		}
		sent = append(sent, e)
	}
	_, err := f.apps.AttachRequestedEvidence(ctx, f.book, "alice", f.app.ID, "q-miete", "mietvertrag", "zu-viel.pdf", bytes.NewReader(pdf))
	var refused *evidence.RefusedError
	if !errors.Is(err, evidence.ErrTooManyFiles) || !errors.As(err, &refused) || !bytes.Contains([]byte(refused.MessageEN), []byte("At most 3 files")) {
		t.Fatalf("a fourth file for the query: %v", err)
	}
	req, received, err := f.apps.RequestedEvidence(ctx, f.book, "alice", f.app.ID, "q-miete")
	if err != nil || !req.Asks("mietvertrag") || len(received) != 3 || received[0].ID != sent[0].ID {
		t.Fatalf("RequestedEvidence = %+v, %d files, %v", req, len(received), err)
	}
	if got := f.count(t); got != len(f.initial)+3 {
		t.Fatalf("%d files, want %d", got, len(f.initial)+3)
	}

	// a second query for the same requirement may add its own files
	f.book.earlier = append(f.book.earlier, f.book.received["q-miete"]...)
	f.book.ask("q-miete-2", "alice", f.app.ID, "mietvertrag")
	if _, err := f.apps.AttachRequestedEvidence(ctx, f.book, "alice", f.app.ID, "q-miete-2", "mietvertrag", "nachtrag.pdf", bytes.NewReader(pdf)); err != nil {
		t.Fatalf("a second query: %v", err)
	}

	// the answer closes the query
	f.book.closed["q-miete-2"] = true
	if _, err := f.apps.AttachRequestedEvidence(ctx, f.book, "alice", f.app.ID, "q-miete-2", "mietvertrag", "spaet.pdf", bytes.NewReader(pdf)); !errors.Is(err, ozg.ErrNotRequested) {
		t.Fatalf("after the answer: %v", err)
	}
	if _, _, err := f.apps.RequestedEvidence(ctx, f.book, "alice", f.app.ID, "q-miete-2"); !errors.Is(err, ozg.ErrNotRequested) {
		t.Fatalf("RequestedEvidence after the answer: %v", err)
	}
}

// A file that arrives after the query closed is removed again.
func TestRequestedEvidenceThatArrivesTooLateIsRemoved(t *testing.T) {
	ctx := context.Background()
	f := newRequestFixture(t)
	f.book.closeOnReceive = true
	before := f.count(t)
	if _, err := f.apps.AttachRequestedEvidence(ctx, f.book, "alice", f.app.ID, "q-miete", "mietvertrag", "a.pdf", bytes.NewReader(pdf)); !errors.Is(err, ozg.ErrNotRequested) {
		t.Fatalf("an upload the query closed under: %v", err)
	}
	if after := f.count(t); after != before {
		t.Fatalf("the late file stayed: %d files, %d before", after, before)
	}
}

// A decided application takes no more evidence, even with a query open.
func TestADecidedApplicationTakesNoRequestedEvidence(t *testing.T) {
	ctx := context.Background()
	f := newRequestFixture(t)
	for _, to := range []ozg.State{ozg.StateAccepted, ozg.StateDecided} {
		if _, err := f.apps.Advance(ctx, f.app.ID, to, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.apps.AttachRequestedEvidence(ctx, f.book, "alice", f.app.ID, "q-miete", "mietvertrag", "a.pdf", bytes.NewReader(pdf)); !errors.Is(err, ozg.ErrNotRequested) {
		t.Fatalf("a decided application: %v", err)
	}
}
