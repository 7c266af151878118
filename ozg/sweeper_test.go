package ozg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

const day = 24 * time.Hour

// sweepNow is the sweeps' "now" in these tests.
var sweepNow = time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

// retentionWorld is a portal's data at sweepNow: applications of three services in every
// state, at different ages, with evidence files and Postfach messages.
type retentionWorld struct {
	store    *ozg.MemoryStore
	evStore  *evidence.MemoryStore
	evBlobs  *evidence.MemoryBlobStore
	evidence *evidence.Manager
	mbStore  *mailbox.MemoryStore
	mbBlobs  *mailbox.MemoryBlobStore
	mailbox  *mailbox.Mailbox
	clock    time.Time
	services []*ozg.Service
	// items says what each named application or message is and whether a sweep removes it.
	items []item
}

type item struct {
	name    string
	appID   string // an application (and its submission), or
	msgID   string // a Postfach message
	owner   string
	files   int  // evidence files of the application
	gone    bool // the application (or message) is deleted
	noFiles bool // its evidence files are deleted (implied by gone)
}

func newRetentionWorld(t testing.TB) *retentionWorld {
	t.Helper()
	w := &retentionWorld{
		store: ozg.NewMemoryStore(), evStore: evidence.NewMemoryStore(), evBlobs: evidence.NewMemoryBlobStore(),
		mbStore: mailbox.NewMemoryStore(), mbBlobs: mailbox.NewMemoryBlobStore(),
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var err error
	w.evidence, err = evidence.New(w.evStore, w.evBlobs, evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	w.mailbox, err = mailbox.New(w.mbStore, w.mbBlobs, &mailbox.Options{Now: func() time.Time { return w.clock }, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc := func(id string, r ozg.Retention) *ozg.Service { return &ozg.Service{ID: id, Retention: r} }
	w.services = []*ozg.Service{
		svc("wohngeld", ozg.Retention{Drafts: 30 * day, Submissions: 180 * day, Evidence: 30 * day, Messages: 365 * day}),
		svc("hundesteuer", ozg.Retention{Drafts: 7 * day}),
		svc("bauantrag", ozg.Retention{}), // keeps everything
	}
	return w
}

// app stores an application of service last changed age before sweepNow, in the state
// delivery names ("" for a draft), with files evidence files.
func (w *retentionWorld) app(t testing.TB, service, delivery string, age time.Duration, files int) string {
	t.Helper()
	ctx := context.Background()
	at := sweepNow.Add(-age)
	created := at.Add(-time.Hour)
	if delivery == "draft-old-files" { // a draft saved recently whose files are old
		created, delivery = at.Add(-100*day), ""
	}
	owner := "owner-" + uuid.NewString()[:8]
	a := &ozg.Application{ID: uuid.NewString(), ServiceID: service, Owner: owner, Data: json.RawMessage(`{"name":"Erika Mustermann"}`),
		State: ozg.StateDraft, CreatedAt: created, UpdatedAt: created}
	if err := w.store.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	for i := range files {
		key := "ev/" + uuid.NewString()
		if _, err := w.evBlobs.Put(ctx, key, strings.NewReader("%PDF-1.7 Mietvertrag")); err != nil {
			t.Fatal(err)
		}
		if err := w.evStore.Create(ctx, evidence.Evidence{ID: uuid.NewString(), ApplicationID: a.ID, RequirementID: "mietvertrag",
			FileName: fmt.Sprintf("mietvertrag-%d.pdf", i), MediaType: "application/pdf", Size: 20, SHA512: "ab",
			ScanState: evidence.ScanClean, BlobKey: key, CreatedAt: created, UpdatedAt: created}); err != nil {
			t.Fatal(err)
		}
	}
	step := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	withdraw := func(at time.Time) {
		step(a.Transition(ozg.StateWithdrawn, at, "withdrawn by the citizen"))
		step(w.store.Withdraw(ctx, a))
	}
	if delivery == "" || delivery == "draft-withdrawn" {
		a.UpdatedAt = at
		if delivery == "draft-withdrawn" {
			a.UpdatedAt = created
			withdraw(at)
			return a.ID
		}
		step(w.store.Update(ctx, a))
		return a.ID
	}
	submitAt := at
	if delivery != "pending" && delivery != "failed" {
		submitAt = at.Add(-time.Minute)
	}
	step(a.Transition(ozg.StateSubmitted, submitAt, ""))
	sub := &ozg.Submission{ID: uuid.NewString(), ApplicationID: a.ID, ServiceID: service, Reference: "R-" + a.ID[:8],
		Delivery: "fachverfahren", Owner: owner, IdempotencyKey: "k-" + a.ID, Data: a.Data,
		Identity: ozg.IdentityFacts{Subject: owner, Level: identity.LevelSubstantial}, SubmittedAt: submitAt}
	step(w.store.Submit(ctx, a, sub))
	switch delivery {
	case "pending":
	case "failed":
		step(w.store.FailDelivery(ctx, sub.ID, "refused by the target"))
	case "withdrawn":
		withdraw(at)
	case "notifying", "delivered", "withdrawing":
		step(w.store.CompleteDelivery(ctx, sub.ID, ozg.Receipt{ID: "r-" + sub.ID[:8], DeliveredAt: at}))
		if delivery == "delivered" {
			step(w.store.AcknowledgeDelivery(ctx, sub.ID))
		}
		if delivery == "withdrawing" {
			cur, err := w.store.Get(ctx, a.ID)
			step(err)
			a = cur
			withdraw(at)
		}
	default:
		t.Fatalf("unknown delivery state %q", delivery)
	}
	return a.ID
}

// message sends a Postfach message of service age before sweepNow, with one attachment.
func (w *retentionWorld) message(t testing.TB, service string, age time.Duration) (id, owner string) {
	t.Helper()
	w.clock = sweepNow.Add(-age).Truncate(time.Microsecond)
	owner = "owner-" + uuid.NewString()[:8]
	m, err := w.mailbox.Send(context.Background(), mailbox.Draft{
		Owner: owner, Kind: mailbox.KindNotice, Subject: "Ihr Bescheid", Body: "Guten Tag,\n\nanbei Ihr Bescheid.",
		Sender: mailbox.Sender{Name: "Stadt Musterstadt", Reference: "R-1"}, Application: "A-1", Service: service,
		MinLevel:    mailbox.LevelSubstantial,
		Attachments: []mailbox.NewAttachment{{Name: "bescheid.pdf", MediaType: "application/pdf", Content: strings.NewReader("%PDF-1.7 Bescheid")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m.ID, owner
}

// populate fills the world with the table of items and returns the expected report.
func (w *retentionWorld) populate(t *testing.T) []ozg.RetentionCount {
	add := func(it item) { w.items = append(w.items, it) }
	type appCase struct {
		name, service, delivery string
		age                     time.Duration
		files                   int
		gone, noFiles           bool
	}
	for _, c := range []appCase{
		{"an abandoned draft", "wohngeld", "", 40 * day, 2, true, true},
		{"a draft saved last week", "wohngeld", "", 10 * day, 1, false, false},
		{"a draft saved last week with files of three months ago", "wohngeld", "draft-old-files", 10 * day, 2, false, false},
		{"a draft withdrawn long ago", "wohngeld", "draft-withdrawn", 31 * day, 0, true, true},
		{"a submission delivered 200 days ago", "wohngeld", "delivered", 200 * day, 1, true, true},
		{"a submission delivered 60 days ago", "wohngeld", "delivered", 60 * day, 2, false, true},
		{"a submission delivered 10 days ago", "wohngeld", "delivered", 10 * day, 1, false, false},
		{"a submission withdrawn before delivery 300 days ago", "wohngeld", "withdrawn", 300 * day, 1, true, true},
		{"a submission pending for 400 days", "wohngeld", "pending", 400 * day, 1, false, false},
		{"a submission failed 400 days ago", "wohngeld", "failed", 400 * day, 1, false, false},
		{"a submission whose receipt is pending for 400 days", "wohngeld", "notifying", 400 * day, 1, false, false},
		{"a withdrawal still to be delivered for 400 days", "wohngeld", "withdrawing", 400 * day, 1, false, false},
		{"a dog tax draft of eight days", "hundesteuer", "", 8 * day, 1, true, true},
		{"a dog tax draft of six days", "hundesteuer", "", 6 * day, 0, false, false},
		{"a dog tax submission delivered 1000 days ago", "hundesteuer", "delivered", 1000 * day, 1, false, false},
		{"a building permit draft of 1000 days", "bauantrag", "", 1000 * day, 1, false, false},
	} {
		id := w.app(t, c.service, c.delivery, c.age, c.files)
		add(item{name: c.name, appID: id, files: c.files, gone: c.gone, noFiles: c.noFiles})
	}
	for _, c := range []struct {
		name, service string
		age           time.Duration
		gone          bool
	}{
		{"a notice of two years", "wohngeld", 730 * day, true},
		{"a notice of 366 days", "wohngeld", 366 * day, true},
		{"a notice of 364 days", "wohngeld", 364 * day, false},
		{"a dog tax notice of five years", "hundesteuer", 5 * 365 * day, false},
	} {
		id, owner := w.message(t, c.service, c.age)
		add(item{name: c.name, msgID: id, owner: owner, gone: c.gone})
	}
	return []ozg.RetentionCount{
		{Service: "hundesteuer", Kind: ozg.RetentionKindDrafts, Count: 1},
		{Service: "hundesteuer", Kind: ozg.RetentionKindEvidence, Count: 1},
		{Service: "wohngeld", Kind: ozg.RetentionKindDrafts, Count: 2},
		{Service: "wohngeld", Kind: ozg.RetentionKindEvidence, Count: 2 + 1 + 2 + 1},
		{Service: "wohngeld", Kind: ozg.RetentionKindMessages, Count: 2},
		{Service: "wohngeld", Kind: ozg.RetentionKindSubmissions, Count: 2},
	}
}

// check compares what is stored with the items: swept says whether a sweep ran.
func (w *retentionWorld) check(t *testing.T, swept bool) {
	t.Helper()
	ctx := context.Background()
	for _, it := range w.items {
		wantGone := swept && it.gone
		if it.msgID != "" {
			_, err := w.mailbox.Read(ctx, mailbox.Citizen{Subject: it.owner, Level: mailbox.LevelHigh}, it.msgID)
			if gone := errors.Is(err, mailbox.ErrNotFound); gone != wantGone || (!gone && err != nil) {
				t.Errorf("%s: gone = %v (%v), want %v", it.name, gone, err, wantGone)
			}
			continue
		}
		_, err := w.store.Get(ctx, it.appID)
		if gone := errors.Is(err, ozg.ErrNotFound); gone != wantGone {
			t.Errorf("%s: application gone = %v, want %v", it.name, gone, wantGone)
		}
		sub, err := w.store.SubmissionOf(ctx, it.appID)
		if err == nil {
			if _, err := w.store.OutboxEntry(ctx, sub.ID); err != nil {
				t.Errorf("%s: the submission is there, its outbox entry is not: %v", it.name, err)
			}
		}
		files, err := w.evidence.List(ctx, it.appID)
		if err != nil {
			t.Fatal(err)
		}
		want := it.files
		if swept && it.noFiles {
			want = 0
		}
		if len(files) != want {
			t.Errorf("%s: %d evidence files, want %d", it.name, len(files), want)
		}
	}
}

func (w *retentionWorld) blobs() (int, int) { return w.evBlobs.Len(), w.mbBlobs.Len() }

func (w *retentionWorld) sweeper(t testing.TB, o *ozg.SweeperOptions) *ozg.Sweeper {
	t.Helper()
	if o == nil {
		o = &ozg.SweeperOptions{}
	}
	o.Evidence, o.Messages = w.evidence, w.mailbox
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := ozg.NewSweeper(w.services, w.store, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestADryRunDeletesNothingAndTheSweepDeletesExactlyWhatItListed(t *testing.T) {
	ctx := context.Background()
	w := newRetentionWorld(t)
	want := w.populate(t)
	s := w.sweeper(t, &ozg.SweeperOptions{BatchSize: 2})
	evBefore, mbBefore := w.blobs()

	dry, err := s.Sweep(ctx, sweepNow, true)
	if err != nil {
		t.Fatal(err)
	}
	if !dry.DryRun || dry.Truncated || dry.Kept != 0 || !reflect.DeepEqual(dry.Counts, want) {
		t.Fatalf("dry run = %+v\nwant counts %+v", dry, want)
	}
	w.check(t, false)
	if ev, mb := w.blobs(); ev != evBefore || mb != mbBefore {
		t.Fatalf("the dry run deleted files: evidence %d → %d, attachments %d → %d", evBefore, ev, mbBefore, mb)
	}

	got, err := s.Sweep(ctx, sweepNow, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.DryRun || got.Truncated || got.Kept != 0 || !reflect.DeepEqual(got.Counts, dry.Counts) {
		t.Fatalf("sweep = %+v\nwant the dry run's counts %+v", got, dry.Counts)
	}
	w.check(t, true)
	ev, mb := w.blobs()
	if ev != evBefore-dry.Count("wohngeld", ozg.RetentionKindEvidence)-dry.Count("hundesteuer", ozg.RetentionKindEvidence) {
		t.Errorf("evidence blobs %d → %d, want %d fewer", evBefore, ev, dry.Count("wohngeld", ozg.RetentionKindEvidence)+1)
	}
	if mb != mbBefore-2 {
		t.Errorf("attachment blobs %d → %d, want 2 fewer", mbBefore, mb)
	}

	again, err := s.Sweep(ctx, sweepNow, false)
	if err != nil || again.Total() != 0 {
		t.Fatalf("a second sweep = %+v, %v; want nothing left to delete", again, err)
	}
}

func TestNothingTheOutboxStillWorksOnIsEverDeleted(t *testing.T) {
	ctx := context.Background()
	w := newRetentionWorld(t)
	w.services = w.services[:1]
	w.services[0].Retention = ozg.Retention{Drafts: ozg.MinRetention, Submissions: ozg.MinRetention, Evidence: ozg.MinRetention}
	busy := map[string]bool{}
	for i := range 60 {
		state := []string{"pending", "notifying", "withdrawing", "failed", "delivered", "withdrawn"}[i%6]
		id := w.app(t, "wohngeld", state, time.Duration(2+i)*day, 1)
		if state != "delivered" && state != "withdrawn" {
			busy[id] = true
		}
	}
	r, err := w.sweeper(t, &ozg.SweeperOptions{BatchSize: 7}).Sweep(ctx, sweepNow, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Count("wohngeld", ozg.RetentionKindSubmissions); got != 20 {
		t.Errorf("deleted %d submissions, want the 20 delivered or withdrawn", got)
	}
	for id := range busy {
		a, err := w.store.Get(ctx, id)
		if err != nil {
			t.Fatalf("an application the outbox still works on was deleted: %v", err)
		}
		sub, err := w.store.SubmissionOf(ctx, id)
		if err != nil {
			t.Fatalf("the submission of a %s application was deleted: %v", a.State, err)
		}
		e, err := w.store.OutboxEntry(ctx, sub.ID)
		if err != nil || e.State.Settled() {
			t.Fatalf("outbox entry = %+v, %v", e, err)
		}
		if files, _ := w.evidence.List(ctx, id); len(files) != 1 {
			t.Fatalf("the evidence of a %s entry was deleted", e.State)
		}
	}
}

// batchCountingStore records the largest batch the sweeper asked for.
type batchCountingStore struct {
	*ozg.MemoryStore
	mu       sync.Mutex
	maxLimit int
	calls    int
	// afterCandidates runs after each RetentionCandidates call, for races.
	afterCandidates func([]ozg.RetentionCandidate)
}

func (c *batchCountingStore) RetentionCandidates(ctx context.Context, q ozg.RetentionQuery) ([]ozg.RetentionCandidate, error) {
	c.mu.Lock()
	c.maxLimit, c.calls = max(c.maxLimit, q.Limit), c.calls+1
	c.mu.Unlock()
	out, err := c.MemoryStore.RetentionCandidates(ctx, q)
	if err == nil && c.afterCandidates != nil {
		c.afterCandidates(out)
	}
	return out, err
}

func TestSweepsWorkInBoundedBatchesAndStopAtTheirLimit(t *testing.T) {
	ctx := context.Background()
	w := newRetentionWorld(t)
	w.services = w.services[:1]
	for i := range 25 {
		w.app(t, "wohngeld", "", time.Duration(31+i)*day, 0)
	}
	cs := &batchCountingStore{MemoryStore: w.store}
	s, err := ozg.NewSweeper(w.services, cs, &ozg.SweeperOptions{Evidence: w.evidence, Messages: w.mailbox, BatchSize: 4, MaxPerSweep: 10})
	if err != nil {
		t.Fatal(err)
	}
	dry, err := s.Sweep(ctx, sweepNow, true)
	if err != nil || !dry.Truncated || dry.Total() != 10 {
		t.Fatalf("dry run = %+v, %v; want 10 and truncated", dry, err)
	}
	var totals []int
	for range 5 {
		r, err := s.Sweep(ctx, sweepNow, false)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total() > 10 {
			t.Fatalf("a sweep deleted %d, more than MaxPerSweep 10", r.Total())
		}
		totals = append(totals, r.Total())
	}
	if want := []int{10, 10, 5, 0, 0}; !reflect.DeepEqual(totals, want) {
		t.Errorf("sweeps deleted %v, want %v", totals, want)
	}
	if cs.maxLimit != 4 {
		t.Errorf("largest batch asked for = %d, want the batch size 4", cs.maxLimit)
	}
}

func TestAnApplicationChangedDuringTheSweepIsKept(t *testing.T) {
	ctx := context.Background()
	w := newRetentionWorld(t)
	w.services = w.services[:1]
	id := w.app(t, "wohngeld", "", 40*day, 1)
	cs := &batchCountingStore{MemoryStore: w.store}
	cs.afterCandidates = func(found []ozg.RetentionCandidate) {
		for _, c := range found {
			if c.ID == id { // the citizen saves the draft just now
				a, _ := w.store.Get(ctx, id)
				a.UpdatedAt = sweepNow
				if err := w.store.Update(ctx, a); err != nil {
					t.Error(err)
				}
			}
		}
	}
	s, err := ozg.NewSweeper(w.services, cs, &ozg.SweeperOptions{Evidence: w.evidence, Messages: w.mailbox})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Sweep(ctx, sweepNow, false)
	if err != nil || r.Kept != 1 || r.Total() != 0 {
		t.Fatalf("sweep = %+v, %v; want the draft kept", r, err)
	}
	if _, err := w.store.Get(ctx, id); err != nil {
		t.Fatalf("the saved draft was deleted: %v", err)
	}
	if files, _ := w.evidence.List(ctx, id); len(files) != 1 {
		t.Fatal("the saved draft's evidence was deleted")
	}
}

// noRetention is a Store without RetentionStore.
type noRetention struct{ ozg.Store }

func TestNewSweeperRefusesWhatCannotWork(t *testing.T) {
	w := newRetentionWorld(t)
	ev, mb := w.evidence, w.mailbox
	for _, tc := range []struct {
		name      string
		retention ozg.Retention
		store     ozg.Store
		opts      ozg.SweeperOptions
		want      string
	}{
		{"drafts kept one hour", ozg.Retention{Drafts: time.Hour}, w.store, ozg.SweeperOptions{Evidence: ev}, "retention.drafts"},
		{"a store that cannot purge", ozg.Retention{Drafts: 30 * day}, noRetention{w.store}, ozg.SweeperOptions{Evidence: ev}, "RetentionStore"},
		{"applications deleted without an evidence store", ozg.Retention{Submissions: 30 * day}, w.store, ozg.SweeperOptions{}, "Evidence is required"},
		{"messages deleted without a mailbox", ozg.Retention{Messages: 30 * day}, w.store, ozg.SweeperOptions{Evidence: ev}, "Messages is required"},
		{"a batch size above the bound", ozg.Retention{}, w.store, ozg.SweeperOptions{BatchSize: ozg.MaxRetentionBatch + 1}, "batch size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ozg.NewSweeper([]*ozg.Service{{ID: "wohngeld", Retention: tc.retention}}, tc.store, &tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
	if _, err := ozg.NewSweeper([]*ozg.Service{{ID: "wohngeld", Retention: ozg.Retention{Messages: 30 * day}}}, noRetention{w.store},
		&ozg.SweeperOptions{Messages: mb}); err != nil {
		t.Fatalf("a service deleting only messages needs no RetentionStore: %v", err)
	}
}

func TestRunSweepsUntilItsContextEnds(t *testing.T) {
	w := newRetentionWorld(t)
	w.services = w.services[:1]
	id := w.app(t, "wohngeld", "", 40*day, 0)
	s := w.sweeper(t, &ozg.SweeperOptions{Interval: time.Hour, Now: func() time.Time { return sweepNow }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := w.store.Get(context.Background(), id); errors.Is(err, ozg.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not sweep the abandoned draft")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}
