package casework_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// A Nachforderung: the case worker asks for the tenancy agreement again, the citizen sends
// two files and an answer, and the case shows the answer with the files (name, type, size,
// SHA-512) and lets the case worker download them; each step is in the audit trail.
func TestANachforderungBringsTheCitizensFilesIntoTheCase(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	sub := w.submit(t, "wohngeld")
	q, err := w.cw.AskFor(ctx, sabine, sub.ID, casework.Question{Text: "Bitte senden Sie den Mietvertrag mit allen Seiten.", Requirements: []string{"mietvertrag"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(q.Body, "– Mietvertrag") || q.Status != mailbox.StatusActionRequired {
		t.Fatalf("the query says %q (%s)", q.Body, q.Status)
	}
	attach := func(query, requirement string, content []byte) (evidence.Evidence, error) {
		return w.apps.AttachRequestedEvidence(ctx, w.cw, citizen.Subject, sub.ApplicationID, query, requirement, "Mietvertrag Seite 2.pdf", bytes.NewReader(content))
	}
	page2 := samplePDF("Seite 2 Weiß")
	var sent []evidence.Evidence
	for _, content := range [][]byte{page2, samplePDF("Seite 3")} {
		e, err := attach(q.ID, "mietvertrag", content)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, e)
	}
	// the fixture's MaxCount is 3 and the submission had one file: the query takes 3 more
	if _, err := attach(q.ID, "mietvertrag", samplePDF("Seite 4")); err != nil {
		t.Fatal(err)
	}
	if _, err := attach(q.ID, "mietvertrag", samplePDF("Seite 5")); !errors.Is(err, evidence.ErrTooManyFiles) {
		t.Fatalf("a fourth file for the query: %v", err)
	}
	if _, err := w.mb.Reply(ctx, citizen, q.ID, "Anbei die fehlenden Seiten."); err != nil {
		t.Fatal(err)
	}
	if _, err := attach(q.ID, "mietvertrag", samplePDF("zu spät")); !errors.Is(err, ozg.ErrNotRequested) {
		t.Fatalf("a file after the answer: %v", err)
	}

	v, err := w.cw.Open(ctx, sabine, sub.ID, "de")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Received) != 3 {
		t.Fatalf("the case lists %d files sent later, want 3", len(v.Received))
	}
	got := v.Received[0]
	if got.ID != sent[0].ID || got.Query != q.ID || got.RequirementID != "mietvertrag" || got.FileName != "Mietvertrag Seite 2.pdf" ||
		got.MediaType != "application/pdf" || got.Size != int64(len(page2)) || got.SHA512 != sent[0].SHA512 {
		t.Fatalf("received = %+v, sent %+v", got, sent[0])
	}
	var trail []string
	for _, e := range v.Events {
		trail = append(trail, string(e.Action)+"/"+e.Actor.Kind)
	}
	want := "received/system query/staff evidence-requested/staff evidence-received/citizen evidence-received/citizen evidence-received/citizen reply/citizen"
	if got := strings.Join(trail, " "); got != want {
		t.Fatalf("audit trail:\n %s\nwant\n %s", got, want)
	}

	// the case worker downloads a file sent later; Sabine's colleague of another service cannot
	e, rc, err := w.cw.OpenReceivedEvidence(ctx, sabine, sub.ID, sent[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(b, page2) || e.FileName != "Mietvertrag Seite 2.pdf" {
		t.Fatalf("downloaded %d bytes of %q", len(b), e.FileName)
	}
	if _, _, err := w.cw.OpenReceivedEvidence(ctx, parker, sub.ID, sent[0].ID); !errors.Is(err, casework.ErrNotFound) {
		t.Fatalf("another service's case worker: %v", err)
	}
	if _, _, err := w.cw.OpenReceivedEvidence(ctx, sabine, sub.ID, sub.Attachments[0].ID); !errors.Is(err, casework.ErrNotFound) {
		t.Fatalf("a submitted file through the received files: %v", err)
	}
	v, _ = w.cw.Open(ctx, sabine, sub.ID, "de")
	if last := v.Events[len(v.Events)-1]; last.Action != casework.ActionEvidenceOpened || last.Detail != "Mietvertrag Seite 2.pdf" {
		t.Fatalf("the download is recorded as %+v", last)
	}
}

// Which uploads an open query takes, as the citizen's side asks the casework.
func TestAQueryTakesOnlyTheEvidenceItAsksFor(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	sub := w.submit(t, "wohngeld")
	other := w.submit(t, "wohngeld")
	text, err := w.cw.Ask(ctx, sabine, sub.ID, "Wie hoch ist die Kaltmiete?", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	miete, err := w.cw.AskFor(ctx, sabine, sub.ID, casework.Question{Text: "Bitte den Mietvertrag.", Requirements: []string{"mietvertrag"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, owner, app, query, requirement string
		content                              []byte
		want                                 error
	}{
		{"a query that asks for text only takes no file", citizen.Subject, sub.ApplicationID, text.ID, "mietvertrag", samplePDF("x"), ozg.ErrNotRequested},
		{"a query of another application takes no file for this one", citizen.Subject, other.ApplicationID, miete.ID, "mietvertrag", samplePDF("x"), ozg.ErrNotRequested},
		{"no such query", citizen.Subject, sub.ApplicationID, "AAAAAAAAAAAAAAAAAAAAAAAAAA", "mietvertrag", samplePDF("x"), ozg.ErrNotRequested},
		{"a requirement the service does not have", citizen.Subject, sub.ApplicationID, miete.ID, "steuerbescheid", samplePDF("x"), evidence.ErrUnknownRequirement},
		{"another citizen", "bPK2-MAX", sub.ApplicationID, miete.ID, "mietvertrag", samplePDF("x"), ozg.ErrNotFound},
		{"a file with script in it", citizen.Subject, sub.ApplicationID, miete.ID, "mietvertrag", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), evidence.ErrMediaType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := w.apps.Evidence(ctx, citizen.Subject, sub.ApplicationID)
			_, err := w.apps.AttachRequestedEvidence(ctx, w.cw, tc.owner, tc.app, tc.query, tc.requirement, "datei.pdf", bytes.NewReader(tc.content))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			after, _ := w.apps.Evidence(ctx, citizen.Subject, sub.ApplicationID)
			v, _ := w.cw.Open(ctx, sabine, sub.ID, "de")
			if len(after) != len(before) || len(v.Received) != 0 {
				t.Fatalf("a refused file left %d files (%d before) and %d records", len(after), len(before), len(v.Received))
			}
		})
	}
	// a decided case's queries are closed
	if _, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "Bewilligt."}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cw.OpenRequest(ctx, citizen.Subject, sub.ApplicationID, miete.ID); !errors.Is(err, ozg.ErrNotRequested) {
		t.Fatalf("a query of a decided case: %v", err)
	}
}

func TestAQuestionNamesOnlyTheServicesEvidence(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, memoryStores())
	sub := w.submit(t, "wohngeld")
	for name, reqs := range map[string][]string{
		"an unknown requirement":    {"steuerbescheid"},
		"a requirement named twice": {"mietvertrag", "mietvertrag"},
	} {
		var fe *casework.FieldError
		if _, err := w.cw.AskFor(ctx, sabine, sub.ID, casework.Question{Text: "?", Requirements: reqs}); !errors.As(err, &fe) || fe.Field != "requirements" {
			t.Errorf("%s: %v, want a field error on requirements", name, err)
		}
	}
	if n := len(w.messages(t)); n != 0 {
		t.Fatalf("refused questions sent %d messages", n)
	}
}

// Accept, reject, ask and decide each leave a message with the new status in the Postfach.
func TestEveryActionLeavesAStatusInThePostfach(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		act  func(w *world, id string) error
		want []string // kind:status of the new messages, newest first
	}{
		{"accept", func(w *world, id string) error { return w.cw.Accept(ctx, sabine, id) }, []string{"status:PROCESSING"}},
		{"reject", func(w *world, id string) error { return w.cw.Reject(ctx, sabine, id, "Unvollständig.") }, []string{"status:COMPLETED"}},
		{"ask", func(w *world, id string) error {
			_, err := w.cw.Ask(ctx, sabine, id, "Wie hoch ist die Miete?", time.Time{})
			return err
		}, []string{"query:ACTION_REQUIRED"}},
		{"decide a new case", func(w *world, id string) error {
			_, err := w.cw.Decide(ctx, sabine, id, casework.Decision{Text: "Bewilligt."})
			return err
		}, []string{"status:COMPLETED", "notice:COMPLETED", "status:PROCESSING"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, memoryStores())
			sub := w.submit(t, "wohngeld")
			before := len(w.messages(t))
			if err := tc.act(w, sub.ID); err != nil {
				t.Fatal(err)
			}
			msgs := w.messages(t)
			var got []string
			for _, m := range msgs[:len(msgs)-before] {
				got = append(got, string(m.Kind)+":"+string(m.Status))
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("new messages %v, want %v", got, tc.want)
			}
		})
	}
}

// failingMailboxStore is a mailbox store whose Create fails while failing is set, as a
// database that went away does.
type failingMailboxStore struct {
	mailbox.Store
	failing atomic.Bool
}

var errDown = errors.New("the mailbox database is down")

func (s *failingMailboxStore) Create(ctx context.Context, m mailbox.Message) error {
	if s.failing.Load() {
		return errDown
	}
	return s.Store.Create(ctx, m)
}

// When the Postfach fails after the case was decided, a repeated Decide with the same text
// delivers the Bescheid and the status message once; another text is a second Bescheid.
func TestARepeatedDecideCompletesABescheidThePostfachMissed(t *testing.T) {
	ctx := context.Background()
	st := memoryStores()
	mb := &failingMailboxStore{Store: st.mailbox}
	st.mailbox = mb
	w := newWorld(t, st)
	sub := w.submit(t, "wohngeld")
	if err := w.cw.Accept(ctx, sabine, sub.ID); err != nil {
		t.Fatal(err)
	}
	mb.failing.Store(true)
	const text = "Ihrem Antrag wird stattgegeben."
	if _, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: text}); !errors.Is(err, errDown) {
		t.Fatalf("Decide with the Postfach down: %v", err)
	}
	if app, _ := w.store.Get(ctx, sub.ApplicationID); app.State != ozg.StateDecided {
		t.Fatalf("the application is %s", app.State)
	}
	if m := w.messages(t); m[0].Kind == mailbox.KindNotice {
		t.Fatal("a Bescheid arrived although the Postfach was down")
	}
	mb.failing.Store(false)
	if _, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "Ein anderer Bescheid."}); !errors.Is(err, casework.ErrStateChanged) {
		t.Fatalf("a second Bescheid with another text: %v", err)
	}
	first, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: text})
	if err != nil || again.ID != first.ID {
		t.Fatalf("a third Decide: %v, message %s, first %s", err, again.ID, first.ID)
	}
	var got []string
	for _, m := range w.messages(t) {
		got = append(got, string(m.Kind))
	}
	if strings.Join(got, " ") != "status notice status" {
		t.Fatalf("the Postfach holds %v", got)
	}
	read, err := w.mb.Read(ctx, citizen, first.ID)
	if err != nil || read.Body != text || len(read.Attachments) != 1 {
		t.Fatalf("the Bescheid: %+v, %v", read, err)
	}
	rc := pdfOf(t, w, first.ID)
	if txt := pdfText(t, rc); !strings.Contains(strings.Join(strings.Fields(txt), " "), text) {
		t.Fatalf("the Bescheid's PDF lacks the text:\n%s", txt)
	}
	v, _ := w.cw.Open(ctx, sabine, sub.ID, "de")
	decided := 0
	for _, e := range v.Events {
		if e.Action == casework.ActionDecided {
			decided++
		}
	}
	if decided != 1 {
		t.Fatalf("%d decisions in the audit trail", decided)
	}
}

// pdfOf reads the first attachment of the citizen's message id.
func pdfOf(t *testing.T, w *world, id string) []byte {
	t.Helper()
	_, rc, err := w.mb.OpenAttachment(context.Background(), citizen, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An Accept whose status message the Postfach missed is completed by the Decide that
// follows: the citizen gets the status once.
func TestADecideCompletesAnAcceptThePostfachMissed(t *testing.T) {
	ctx := context.Background()
	st := memoryStores()
	mb := &failingMailboxStore{Store: st.mailbox}
	st.mailbox = mb
	w := newWorld(t, st)
	sub := w.submit(t, "wohngeld")
	mb.failing.Store(true)
	if err := w.cw.Accept(ctx, sabine, sub.ID); !errors.Is(err, errDown) {
		t.Fatalf("Accept with the Postfach down: %v", err)
	}
	mb.failing.Store(false)
	if _, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "Bewilligt."}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range w.messages(t) {
		got = append(got, string(m.Kind)+":"+string(m.Status))
	}
	if strings.Join(got, " ") != "status:COMPLETED notice:COMPLETED status:PROCESSING" {
		t.Fatalf("the Postfach holds %v", got)
	}

	// a case accepted before status messages had keys: its status, sent without a key, is
	// not sent again
	other := w.submit(t, "wohngeld")
	mb.failing.Store(true)
	if err := w.cw.Accept(ctx, sabine, other.ID); !errors.Is(err, errDown) {
		t.Fatal(err)
	}
	mb.failing.Store(false)
	if _, err := w.mb.Send(ctx, mailbox.Draft{Owner: citizen.Subject, Kind: mailbox.KindStatus, Status: mailbox.StatusProcessing,
		Subject: "Ihr Antrag wird bearbeitet", Body: "…", Sender: mailbox.Sender{Name: "Stadt"}, Application: other.ApplicationID,
		MinLevel: mailbox.LevelSubstantial}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cw.Decide(ctx, sabine, other.ID, casework.Decision{Text: "Bewilligt."}); err != nil {
		t.Fatal(err)
	}
	p, err := w.mb.List(ctx, citizen, mailbox.ListOptions{Filter: mailbox.Filter{Application: other.ApplicationID, Kind: mailbox.KindStatus}})
	if err != nil || len(p.Entries) != 2 {
		t.Fatalf("%d status messages for the second case, want 2 (%v)", len(p.Entries), err)
	}
}

// A case decided before notices had keys: a repeated Decide finds its notice and sends no
// second Bescheid, only the status message that is missing.
func TestARepeatedDecideSendsNoSecondBescheid(t *testing.T) {
	ctx := context.Background()
	st := memoryStores()
	mb := &failingMailboxStore{Store: st.mailbox}
	st.mailbox = mb
	w := newWorld(t, st)
	sub := w.submit(t, "wohngeld")
	if err := w.cw.Accept(ctx, sabine, sub.ID); err != nil {
		t.Fatal(err)
	}
	mb.failing.Store(true)
	if _, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "Bewilligt."}); !errors.Is(err, errDown) {
		t.Fatalf("Decide with the Postfach down: %v", err)
	}
	mb.failing.Store(false)
	old, err := w.mb.Send(ctx, mailbox.Draft{Owner: citizen.Subject, Kind: mailbox.KindNotice, Status: mailbox.StatusCompleted,
		Subject: "Bescheid", Body: "Bewilligt.", Sender: mailbox.Sender{Name: "Stadt"}, Application: sub.ApplicationID, MinLevel: mailbox.LevelSubstantial})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.cw.Decide(ctx, sabine, sub.ID, casework.Decision{Text: "Bewilligt."})
	if err != nil || got.ID != old.ID {
		t.Fatalf("the repeated Decide: %v, notice %s, want the one there (%s)", err, got.ID, old.ID)
	}
	var kinds []string
	for _, m := range w.messages(t) {
		kinds = append(kinds, string(m.Kind)+":"+string(m.Status))
	}
	if strings.Join(kinds, " ") != "status:COMPLETED notice:COMPLETED status:PROCESSING" {
		t.Fatalf("the Postfach holds %v", kinds)
	}
}
