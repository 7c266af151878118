package casework_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

func TestDeliveredSubmissionsAreInTheInboxOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	sub := w.submit(t, "wohngeld")
	r1, err := w.cw.Deliver(ctx, sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	again := *sub
	again.ID = "another-id" // a retry under the same idempotency key
	r2, err := w.cw.Deliver(ctx, &again, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r1.ID != "casework:"+sub.ID || r2.ID != r1.ID {
		t.Fatalf("receipts %q and %q, want both casework:%s", r1.ID, r2.ID, sub.ID)
	}
	cases, _, err := w.cw.List(ctx, sabine, casework.Query{})
	if err != nil || len(cases) != 1 || cases[0].ID != sub.ID {
		t.Fatalf("inbox = %v, %v; want the one case", cases, err)
	}
	unknown := *sub
	unknown.ID, unknown.ServiceID, unknown.IdempotencyKey = "x-1", "hundesteuer", "k2"
	if _, err := w.cw.Deliver(ctx, &unknown, nil); !errors.Is(err, ozg.ErrPermanent) {
		t.Fatalf("a submission for an unknown service: %v, want a permanent error", err)
	}
	if _, err := w.cw.Deliver(ctx, &ozg.Submission{ID: "../etc"}, nil); !errors.Is(err, ozg.ErrPermanent) {
		t.Fatalf("a submission with a bad id: %v, want a permanent error", err)
	}
}

func TestCaseWorkersSeeOnlyTheirServices(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	wg := w.submit(t, "wohngeld")
	pk := w.submit(t, "bewohnerparkausweis")
	tests := []struct {
		name  string
		staff casework.Staff
		want  []string
	}{
		{"Sabine (Wohngeld) sees the Wohngeld case", sabine, []string{wg.ID}},
		{"Tom (both roles) sees both cases, newest first", tom, []string{pk.ID, wg.ID}},
		{"Pia (parking) sees the parking case", parker, []string{pk.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cases, _, err := w.cw.List(ctx, tc.staff, casework.Query{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range cases {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("sees %v, want %v", ids, tc.want)
			}
		})
	}
	if _, _, err := w.cw.List(ctx, paula, casework.Query{}); !errors.Is(err, casework.ErrForbidden) {
		t.Fatalf("a case worker without role lists: %v, want ErrForbidden", err)
	}
	if _, err := w.cw.Open(ctx, sabine, pk.ID, "de"); !errors.Is(err, casework.ErrNotFound) {
		t.Fatalf("Sabine opens a parking case: %v, want ErrNotFound", err)
	}
	if err := w.cw.Accept(ctx, sabine, pk.ID); !errors.Is(err, casework.ErrNotFound) {
		t.Fatalf("Sabine accepts a parking case: %v, want ErrNotFound", err)
	}
	if _, err := casework.New(casework.NewMemoryStore(), casework.Journey{Catalog: w.catalog, Applications: w.apps, Store: w.store}, w.mb,
		&casework.Options{Authority: "Another Town", Roles: roles}); err == nil {
		t.Fatal("New accepted roles assigning services of another authority")
	}
}

func TestTheCaseWorkersActionsMoveTheApplicationAndTellTheCitizen(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	sub := w.submit(t, "wohngeld")

	// ask a question, the citizen answers it in the Postfach
	due := time.Now().Add(14 * 24 * time.Hour)
	q, err := w.cw.Ask(ctx, sabine, sub.ID, "Bitte reichen Sie die Nebenkostenabrechnung nach.", due)
	if err != nil {
		t.Fatal(err)
	}
	if !q.ReplyAllowed || q.Kind != mailbox.KindQuery || q.Status != mailbox.StatusActionRequired {
		t.Fatalf("query message = %+v", q)
	}
	if _, err := w.mb.Reply(ctx, citizen, q.ID, "Die Abrechnung über 1.234,56 € kommt per Post."); err != nil {
		t.Fatal(err)
	}
	// accept; accepting again is a state conflict
	if err := w.cw.Accept(ctx, sabine, sub.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.cw.Accept(ctx, tom, sub.ID); !errors.Is(err, casework.ErrStateChanged) {
		t.Fatalf("second accept: %v, want ErrStateChanged", err)
	}
	if err := w.cw.Reject(ctx, sabine, sub.ID, "zu spät"); !errors.Is(err, casework.ErrStateChanged) {
		t.Fatalf("reject after accept: %v, want ErrStateChanged", err)
	}
	var fe *casework.FieldError
	if _, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "  "}); !errors.As(err, &fe) || fe.Field != "text" {
		t.Fatalf("a blank Bescheid: %v, want a field error on text", err)
	}
	notice, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "Ihrem Antrag wird stattgegeben. Wohngeld: 123,45 € monatlich."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "noch einmal"}); !errors.Is(err, casework.ErrStateChanged) {
		t.Fatalf("second Bescheid: %v, want ErrStateChanged", err)
	}

	app, err := w.store.Get(ctx, sub.ApplicationID)
	if err != nil || app.State != ozg.StateDecided {
		t.Fatalf("application is %v (%v), want decided", app.State, err)
	}
	v, err := w.cw.Open(ctx, sabine, sub.ID, "de")
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, e := range v.Events {
		trail = append(trail, string(e.Action)+"/"+e.Actor.Kind)
	}
	if got := strings.Join(trail, " "); got != "received/system query/staff reply/citizen accepted/staff decided/staff" {
		t.Fatalf("audit trail: %s", got)
	}
	if v.Events[2].Detail != "Die Abrechnung über 1.234,56 € kommt per Post." {
		t.Fatalf("the reply is recorded as %q", v.Events[2].Detail)
	}

	// the citizen's side: question, reply, status, Bescheid with its PDF
	var kinds []string
	for _, e := range w.messages(t) {
		kinds = append(kinds, string(e.Kind))
	}
	if got := strings.Join(kinds, " "); got != "status notice status reply query" {
		t.Fatalf("the Postfach holds %s", got)
	}
	read, err := w.mb.Read(ctx, citizen, notice.ID)
	if err != nil || len(read.Attachments) != 1 || read.Attachments[0].MediaType != "application/pdf" {
		t.Fatalf("Bescheid = %+v, %v", read, err)
	}
	_, rc, err := w.mb.OpenAttachment(ctx, citizen, notice.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the Bescheid's attachment is no PDF (%v)", err)
	}
	if text := pdfText(t, pdf); !strings.Contains(text, "123,45 €") || !strings.Contains(text, sub.Reference) {
		t.Fatalf("the Bescheid PDF says:\n%s", text)
	}
}

func TestRejectingNeedsAReasonAndTellsTheCitizen(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	sub := w.submit(t, "wohngeld")
	var fe *casework.FieldError
	if err := w.cw.Reject(ctx, sabine, sub.ID, ""); !errors.As(err, &fe) || fe.Field != "reason" || fe.Reason != "required" {
		t.Fatalf("reject without reason: %v", err)
	}
	if err := w.cw.Reject(ctx, sabine, sub.ID, strings.Repeat("x", casework.MaxTextLength+1)); !errors.As(err, &fe) || fe.Reason != "too-long" {
		t.Fatalf("reject with an overlong reason: %v", err)
	}
	if err := w.cw.Reject(ctx, sabine, sub.ID, "Die Wohnung liegt nicht in Musterstadt."); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cw.Ask(ctx, sabine, sub.ID, "Noch etwas?", time.Time{}); !errors.Is(err, casework.ErrStateChanged) {
		t.Fatalf("a question on a rejected case: %v, want ErrStateChanged", err)
	}
	m := w.messages(t)[0]
	full, _ := w.mb.Read(ctx, citizen, m.ID)
	if m.Kind != mailbox.KindStatus || !strings.Contains(full.Body, "Die Wohnung liegt nicht in Musterstadt.") {
		t.Fatalf("the citizen got %+v", full)
	}
}

func TestOpeningEvidenceIsRecorded(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	sub := w.submit(t, "wohngeld")
	a, rc, err := w.cw.OpenEvidence(ctx, sabine, sub.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if a.FileName != "Mietvertrag Weiß.pdf" || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("evidence %q of %d bytes", a.FileName, len(b))
	}
	for _, n := range []int{-1, 1, 99} {
		if _, _, err := w.cw.OpenEvidence(ctx, sabine, sub.ID, n); !errors.Is(err, casework.ErrNotFound) {
			t.Errorf("evidence %d: %v, want ErrNotFound", n, err)
		}
	}
	v, _ := w.cw.Open(ctx, sabine, sub.ID, "de")
	last := v.Events[len(v.Events)-1]
	if last.Action != casework.ActionEvidenceOpened || last.Actor.Subject != "kc-sabine" || last.Detail != "Mietvertrag Weiß.pdf" {
		t.Fatalf("last event %+v", last)
	}
}

func TestAWithdrawnApplicationClosesTheCase(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	sub := w.submit(t, "wohngeld")
	if _, err := w.apps.Withdraw(ctx, citizen.Subject, sub.ApplicationID, "citizen"); err != nil {
		t.Fatal(err)
	}
	v, err := w.cw.Open(ctx, sabine, sub.ID, "de")
	if err != nil || v.Case.State != ozg.StateWithdrawn {
		t.Fatalf("case after withdrawal: %v, %v", v.Case.State, err)
	}
	if err := w.cw.Accept(ctx, sabine, sub.ID); !errors.Is(err, casework.ErrStateChanged) {
		t.Fatalf("accepting a withdrawn case: %v", err)
	}
}

// TestACaseSurvivesARestart delivers into an SQLite file, closes everything, reopens the same
// file and decides the case.
func TestACaseSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func() (*sqlstore.DB, stores) {
		db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "ozgkit.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		blobs, err := evidence.NewFileBlobStore(filepath.Join(dir, "blobs"), nil)
		if err != nil {
			t.Fatal(err)
		}
		return db, stores{db.Applications(), db.Casework(), db.Mailbox(), blobs}
	}
	db, st := open()
	sub := newWorld(t, st).submit(t, "wohngeld")
	db.Close()

	db, st = open()
	defer db.Close()
	w := newWorld(t, st)
	cases, _, err := w.cw.List(ctx, sabine, casework.Query{State: ozg.StateDelivered})
	if err != nil || len(cases) != 1 || cases[0].ID != sub.ID {
		t.Fatalf("inbox after restart: %v, %v", cases, err)
	}
	if _, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "Bewilligt."}); err != nil {
		t.Fatal(err)
	}
	if app, _ := w.store.Get(ctx, sub.ApplicationID); app.State != ozg.StateDecided {
		t.Fatalf("application is %s after the decision", app.State)
	}
	if m := w.messages(t); len(m) < 2 || m[0].Kind != mailbox.KindStatus || m[1].Kind != mailbox.KindNotice {
		t.Fatalf("no Bescheid and status in the Postfach: %+v", m)
	}
}

func TestStaffClaimsReadRolesFromTheConfiguredClaim(t *testing.T) {
	m := casework.StaffClaims("groups")
	p, err := m.Principal(map[string]any{"sub": "kc-1", "acr": "STORK-QAA-Level-3", "given_name": "Sabine", "family_name": "S", "groups": []any{"wohngeld"}},
		"https://idp.example", identity.DefaultACRMapping())
	if err != nil {
		t.Fatal(err)
	}
	s := casework.StaffFrom(p)
	if s.Name != "Sabine S" || !slices.Equal(s.Roles, []string{"wohngeld"}) {
		t.Fatalf("staff = %+v", s)
	}
}
