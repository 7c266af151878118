package casework_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

// operatorRole is the role of the people who run the portal in the tests' worlds.
const operatorRole = "betrieb"

var (
	otto = casework.Staff{Subject: "kc-otto", Name: "Otto Operator", Roles: []string{operatorRole}}
	olga = casework.Staff{Subject: "kc-olga", Name: "Olga Teamleiterin", Roles: []string{"wohngeld", operatorRole}}
)

// operatorPersonas are the staff provider's operators: "otto" runs the portal and handles no
// service, "olga" does both.
func operatorPersonas() []identitytest.Persona {
	p := func(id, given, family string, roles ...any) identitytest.Persona {
		return identitytest.Persona{ID: id, Label: given + " " + family, MaxLevel: identity.LevelSubstantial, Claims: map[string]any{
			"given_name": given, "family_name": family, "email": id + "@stadt-musterstadt.example", identitytest.StaffRoleClaim: roles,
		}}
	}
	var out []identitytest.Persona
	for _, op := range []identitytest.Persona{p("otto", "Otto", "Operator", operatorRole), p("olga", "Olga", "Teamleiterin", "wohngeld", operatorRole)} {
		if !slices.ContainsFunc(identitytest.StaffPersonas(), func(s identitytest.Persona) bool { return s.ID == op.ID }) {
			out = append(out, op)
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer for a logger written from server goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// refusingBackOffice is a back office's webhook endpoint that refuses every submission with
// 422, which the webhook delivery takes as a permanent failure.
func refusingBackOffice(t *testing.T) *delivery.Webhook {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		http.Error(w, "Schemaversion 2.1 wird nicht unterstützt", http.StatusUnprocessableEntity)
	}))
	t.Cleanup(srv.Close)
	hook, err := delivery.NewWebhook(srv.URL, bytes.Repeat([]byte{7}, 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	return hook
}

// failures makes three pieces of work fail for good, each at another step: a delivery the
// back office refuses, a receipt the mailbox refuses, and the withdrawal of a delivered
// application (the casework inbox takes no withdrawals). It returns their submissions.
func (w *world) failures(t *testing.T) (refused, noReceipt, withdrawn *ozg.Submission) {
	t.Helper()
	ctx := context.Background()
	pdf := samplePDF("Mietvertrag Weiß")
	refused = w.apply(t, "wohngeld", pdf)
	broken := ozg.NewOutbox(w.store, map[string]ozg.Delivery{"casework": refusingBackOffice(t)}, w.blobs, &ozg.OutboxOptions{Logger: quiet})
	if n, err := broken.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("refused delivery: %d, %v", n, err)
	}
	noReceipt = w.apply(t, "wohngeld", pdf)
	unreachable := ozg.NewOutbox(w.store, map[string]ozg.Delivery{"casework": w.cw}, w.blobs, &ozg.OutboxOptions{Logger: quiet,
		OnDelivered: func(context.Context, *ozg.Submission, ozg.Receipt) error {
			return ozg.Permanent(errors.New("mailbox: receipt refused"))
		}})
	for range 2 {
		if n, err := unreachable.RunOnce(ctx); n != 1 || err != nil {
			t.Fatalf("receipt: %d, %v", n, err)
		}
	}
	withdrawn = w.submit(t, "wohngeld")
	if _, err := w.apps.Withdraw(ctx, citizen.Subject, withdrawn.ApplicationID, "citizen"); err != nil {
		t.Fatal(err)
	}
	if n, err := w.outbox.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("withdrawal: %d, %v", n, err)
	}
	for _, s := range []*ozg.Submission{refused, noReceipt, withdrawn} {
		if e, err := w.outbox.Entry(ctx, s.ID); err != nil || e.State != ozg.DeliveryFailed {
			t.Fatalf("%s: %+v, %v; want failed", s.Reference, e, err)
		}
	}
	return refused, noReceipt, withdrawn
}

func TestEveryFailedDeliveryPageStatePassesTheFormChecks(t *testing.T) {
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	c := app.login(t, "otto")
	list := "/sachbearbeitung/zustellungen"
	checkPage(t, "no failed deliveries", c.get(list), 200, "Fehlgeschlagene Zustellungen", "Keine fehlgeschlagenen Zustellungen.", "Otto Operator")

	refused, noReceipt, withdrawn := w.failures(t)
	one := list + "/" + refused.ID
	checkPage(t, "three failed deliveries", c.get(list), 200,
		refused.Reference, noReceipt.Reference, withdrawn.Reference, "Wohngeld beantragen", "<code>casework</code>",
		"Zustellung an die Behörde", "Eingangsbestätigung an den Antragsteller", "Rücknahme an die Behörde",
		"422 Unprocessable Entity", "Schemaversion 2.1 wird nicht unterstützt", "mailbox: receipt refused", "takes no withdrawals",
		`action="`+one+`/erneut"`, "Erneut zustellen", `aria-describedby="ref-`+refused.ID+`"`)
	checkPage(t, "the failed deliveries in English", c.get(list+"?lang=en"), 200, "Failed deliveries", "Delivery to the authority", "Receipt to the applicant", "Requeue", `lang="en"`)
	c.get(list + "?lang=de")
	checkPage(t, "one failed delivery", c.get(one), 200, refused.Reference, "Fehlgeschlagen", "Fehlgeschlagener Arbeitsschritt",
		"Zustellung an die Behörde", "Schemaversion 2.1", refused.ID, "Erneut zustellen", "Die Aktion wird protokolliert.")
	for _, s := range []*ozg.Submission{refused, noReceipt, withdrawn} {
		if body := c.get(one).body; strings.Contains(body, "Weiß") || strings.Contains(body, citizen.Subject) {
			t.Fatalf("%s: the operator page shows personal data", s.Reference)
		}
	}

	checkPage(t, "after the requeue", c.post(one, one+"/erneut", url.Values{}, nil), 200,
		"Die Arbeit ist wieder eingeplant", "Zustellung ausstehend", "Arbeitsschritt")
	checkPage(t, "a requeue twice", c.post("", one+"/erneut", url.Values{"_csrf": {csrfOf(t, c, list)}}, nil), 409,
		"Nicht mehr fehlgeschlagen", "Zustellung ausstehend", "Zurück zu den fehlgeschlagenen Zustellungen")
	checkPage(t, "the list after the requeue", c.get(list), 200, noReceipt.Reference, withdrawn.Reference)
	if strings.Contains(c.get(list).body, refused.Reference) {
		t.Fatal("the requeued delivery is still listed as failed")
	}
	checkPage(t, "an unknown delivery", c.get(list+"/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"), 404, "Zustellung nicht gefunden")
	checkPage(t, "a bad delivery id", c.get(list+"/%3Cx%3E"), 404, "Zustellung nicht gefunden")
	checkPage(t, "requeueing an unknown delivery", c.post(list, list+"/nope/erneut", url.Values{}, nil), 404, "Zustellung nicht gefunden")

	// The back office works again: the requeued delivery reaches the inbox.
	if n, err := w.outbox.RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("delivery after the requeue: %d, %v", n, err)
	}
	if e, _ := w.outbox.Entry(context.Background(), refused.ID); e.State != ozg.DeliveryNotifying || e.Receipt == nil {
		t.Fatalf("entry after the requeued delivery: %+v", e)
	}
	checkPage(t, "the delivered work", c.get(one), 200, "Zugestellt, Eingangsbestätigung ausstehend")
	if strings.Contains(c.get(one).body, "/erneut") {
		t.Fatal("work that is not failed offers a requeue")
	}
}

func TestOnlyOperatorsSeeAndRequeueFailedDeliveries(t *testing.T) {
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	refused, _, _ := w.failures(t)
	list, one := "/sachbearbeitung/zustellungen", "/sachbearbeitung/zustellungen/"+refused.ID

	sabine := app.login(t, "sabine")
	if strings.Contains(sabine.get("/sachbearbeitung/").body, list) {
		t.Fatal("a case worker's inbox links to the failed deliveries")
	}
	checkPage(t, "a case worker opens the failed deliveries", sabine.get(list), 403, "Keine Berechtigung")
	checkPage(t, "a case worker opens one", sabine.get(one), 403, "Keine Berechtigung")
	checkPage(t, "a case worker requeues", sabine.post("/sachbearbeitung/", one+"/erneut", url.Values{}, nil), 403, "Keine Berechtigung")

	olga := app.login(t, "olga")
	checkPage(t, "an operator who is a case worker too", olga.get("/sachbearbeitung/"), 200, `href="`+list+`"`, "Posteingang")
	otto := app.login(t, "otto")
	if r := otto.get("/sachbearbeitung/"); r.url != app.srv.URL+list {
		t.Fatalf("an operator without a service lands on %s", r.url)
	}
	tests := []struct {
		name string
		from string
		form url.Values
		hdr  map[string]string
	}{
		{"a post without the CSRF token", "", url.Values{}, nil},
		{"a post with a wrong token", "", url.Values{"_csrf": {"forged"}}, nil},
		{"a post from another site", list, url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := otto.post(tc.from, one+"/erneut", tc.form, tc.hdr); r.status != 403 {
				t.Fatalf("status %d, want 403: %s", r.status, r.body)
			}
		})
	}
	if e, _ := w.outbox.Entry(context.Background(), refused.ID); e.State != ozg.DeliveryFailed {
		t.Fatalf("a refused post requeued the delivery: %+v", e)
	}
	if strings.Contains(w.log.String(), "casework: audit") {
		t.Fatalf("a refused post was audit-logged:\n%s", w.log.String())
	}
}

// sqliteStores are the stores of a world on a fresh SQLite file.
func sqliteStores(t *testing.T) stores {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(dir, "ozgkit.db"), &sqlstore.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := evidence.NewFileBlobStore(filepath.Join(dir, "blobs"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return stores{db.Applications(), db.Casework(), db.Mailbox(), blobs}
}

func TestARequeueIsAuditLogged(t *testing.T) {
	for name, st := range map[string]func(*testing.T) stores{"memory": func(*testing.T) stores { return memoryStores() }, "SQLite": sqliteStores} {
		t.Run(name, func(t *testing.T) { testARequeueIsAuditLogged(t, st(t)) })
	}
}

func testARequeueIsAuditLogged(t *testing.T, st stores) {
	ctx := context.Background()
	w := newWorld(t, st)
	refused, noReceipt, _ := w.failures(t)

	if _, err := w.cw.RequeueDelivery(ctx, sabine, w.outbox, refused.ID); !errors.Is(err, casework.ErrForbidden) {
		t.Fatalf("a case worker's requeue: %v, want ErrForbidden", err)
	}
	if _, err := w.cw.FailedDeliveries(ctx, tom, w.outbox, 10); !errors.Is(err, casework.ErrForbidden) {
		t.Fatalf("a case worker's list: %v, want ErrForbidden", err)
	}
	failed, err := w.cw.FailedDeliveries(ctx, otto, w.outbox, 10)
	if err != nil || len(failed) != 3 || failed[0].SubmissionID != refused.ID {
		t.Fatalf("failed deliveries: %+v, %v", failed, err)
	}
	if _, err := w.cw.FailedDeliveries(ctx, otto, w.outbox, casework.MaxFailedListed+1); !errors.Is(err, casework.ErrInvalid) {
		t.Fatalf("too many failed deliveries asked for: %v", err)
	}

	// The refused delivery never reached the inbox: the requeue is in the log only.
	if _, err := w.cw.RequeueDelivery(ctx, otto, w.outbox, refused.ID); err != nil {
		t.Fatal(err)
	}
	log := w.log.String()
	for _, want := range []string{`msg="casework: audit"`, "action=requeued", "staff=kc-otto", "submission=" + refused.ID, "reference=" + refused.Reference, "step=pending"} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "Weiß") || strings.Contains(log, citizen.Subject) {
		t.Errorf("the audit log holds personal data:\n%s", log)
	}
	// The receipt failed after the delivery: the case's audit trail records the requeue.
	if _, err := w.cw.RequeueDelivery(ctx, olga, w.outbox, noReceipt.ID); err != nil {
		t.Fatal(err)
	}
	v, err := w.cw.Open(ctx, sabine, noReceipt.ID, "de")
	if err != nil {
		t.Fatal(err)
	}
	last := v.Events[len(v.Events)-1]
	if last.Action != casework.ActionRequeued || last.Actor.Subject != "kc-olga" || last.Detail != "notifying (casework)" {
		t.Fatalf("last event %+v", last)
	}
	if _, err := w.cw.RequeueDelivery(ctx, olga, w.outbox, noReceipt.ID); !errors.Is(err, casework.ErrStateChanged) {
		t.Fatalf("a second requeue: %v, want ErrStateChanged", err)
	}
	if n, err := w.outbox.RunOnce(ctx); n != 2 || err != nil {
		t.Fatalf("the requeued work: %d, %v", n, err)
	}
	for _, s := range []*ozg.Submission{refused, noReceipt} {
		if e, _ := w.outbox.Entry(ctx, s.ID); e.State == ozg.DeliveryFailed {
			t.Errorf("%s failed again: %+v", s.Reference, e)
		}
	}
}
