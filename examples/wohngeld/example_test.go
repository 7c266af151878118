package main

import (
	"github.com/ozgkit/ozgkit/ozg/evidence/evidencetest"

	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

// startExample runs the example as `go run ./examples/wohngeld` does, on a free loopback port
// with a fresh data directory, until the test ends.
func startExample(t *testing.T) *example {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e, err := start(ctx, config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.portal.Serve(ctx, e.ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		e.close(nil)
	})
	return e
}

// TestExampleJourney walks both services of the example over the JSON API, as a citizen's
// app would: login, draft prefilled from the login, data, evidence, fee, submit, delivery and
// the receipt in the Postfach.
func TestExampleJourney(t *testing.T) {
	e := startExample(t)
	ctx := context.Background()
	if err := e.idp.SetAutoLogin("erika"); err != nil {
		t.Fatal(err)
	}
	c := newCitizen(e.base)
	if err := c.login(ctx, "high"); err != nil {
		t.Fatalf("login: %v", err)
	}

	var draft appView
	if err := c.call(ctx, "POST", "/api/services/wohngeld/applications", nil, nil, 201, &draft); err != nil {
		t.Fatal(err)
	}
	if p := prefilled(draft.Provenance); !slices.Contains(p, "/antragsteller/vorname") {
		t.Errorf("prefilled from the login: %v", p)
	}
	body := fmt.Sprintf(`{"version": %d, "data": %s}`, draft.Version, wohngeldData)
	if err := c.call(ctx, "PUT", "/api/applications/"+draft.ID, strings.NewReader(body), nil, 200, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ req, name string }{{"mietvertrag", "mietvertrag.pdf"}, {"einkommen", "gehaltsabrechnung-oktober.pdf"}} {
		if err := c.upload(ctx, draft.ID, f.req, f.name, samplePDF(f.name)); err != nil {
			t.Fatal(err)
		}
	}
	var receipt portal.SubmitReceipt
	if err := c.call(ctx, "POST", "/api/applications/"+draft.ID+"/submit", nil, map[string]string{"Idempotency-Key": "demo-" + draft.ID}, 202, &receipt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(receipt.Message, "Wohngeld beantragen") || len(receipt.Attachments) != 2 {
		t.Errorf("receipt %+v", receipt)
	}
	if err := waitState(ctx, c, draft.ID, "delivered"); err != nil {
		t.Fatal(err)
	}
	sabine := casework.Staff{Subject: "sabine", Name: "Sabine Sachbearbeiterin", Roles: []string{"wohngeld"}}
	cases, _, err := e.casework.List(ctx, sabine, casework.Query{})
	if err != nil || len(cases) != 1 || cases[0].Submission.Reference != receipt.Reference {
		t.Fatalf("the back office's inbox: %+v, %v", cases, err)
	}
	if err := waitMessage(ctx, c, "Eingangsbestätigung: Wohngeld beantragen"); err != nil {
		t.Fatal(err)
	}
	// The case worker asks for another proof of income (Nachforderung); the citizen answers in
	// the Postfach with the file, which lands in the case.
	q, err := e.casework.AskFor(ctx, sabine, cases[0].ID, casework.Question{Text: "Bitte reichen Sie die Gehaltsabrechnung für November nach.", Requirements: []string{"einkommen"}})
	if err != nil {
		t.Fatal(err)
	}
	var answer bytes.Buffer
	mw := multipart.NewWriter(&answer)
	mw.WriteField("_csrf", c.csrf) // first, where the Gate reads it
	mw.WriteField("antwort", "Anbei die Abrechnung.")
	fw, _ := mw.CreateFormFile("nachweis-einkommen", "november.pdf")
	fw.Write(samplePDF("Gehaltsabrechnung November"))
	mw.Close()
	req, _ := http.NewRequestWithContext(ctx, "POST", e.base+"/postfach/"+q.ID+"/antwort", &answer)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", e.base)
	noCSRFHeader := &http.Client{Jar: c.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noCSRFHeader.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
		t.Fatalf("answering the Nachforderung: %s\n%s", resp.Status, page)
	}
	view, err := e.casework.Open(ctx, sabine, cases[0].ID, "de")
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Received) != 1 || view.Received[0].FileName != "november.pdf" || view.Received[0].SHA512 == "" {
		t.Fatalf("the case shows received evidence %+v", view.Received)
	}

	// The case worker decides; the Bescheid reaches the Postfach.
	if _, err := e.casework.Decide(ctx, sabine, cases[0].ID, casework.Decision{Text: "Ihrem Antrag wird stattgegeben."}); err != nil {
		t.Fatal(err)
	}
	if err := waitState(ctx, c, draft.ID, "decided"); err != nil {
		t.Fatal(err)
	}

	// A paid service: the residents' parking permit.
	var park appView
	if err := c.call(ctx, "POST", "/api/services/bewohnerparkausweis/applications", strings.NewReader(`{"data": `+parkData+`}`), nil, 201, &park); err != nil {
		t.Fatal(err)
	}
	if err := c.upload(ctx, park.ID, "zulassung", "zulassungsbescheinigung.pdf", samplePDF("Zulassungsbescheinigung Teil I")); err != nil {
		t.Fatal(err)
	}
	var start struct {
		RedirectURL string `json:"redirectUrl"`
		Amount      int64  `json:"amount"`
	}
	if err := c.call(ctx, "POST", "/api/applications/"+park.ID+"/payment", nil, nil, 200, &start); err != nil {
		t.Fatal(err)
	}
	if start.Amount != 3060 {
		t.Errorf("fee %d, want 3060", start.Amount)
	}
	back, err := (&paymenttest.Citizen{Client: c.client}).Choose(ctx, start.RedirectURL, paymenttest.ActionPay, payment.MethodCreditCard)
	if err != nil {
		t.Fatalf("pay page: %v", err)
	}
	u, err := url.Parse(back)
	if err != nil {
		t.Fatal(err)
	}
	var paid struct{ State string }
	if err := c.call(ctx, "GET", u.RequestURI(), nil, nil, 200, &paid); err != nil {
		t.Fatal(err)
	}
	if paid.State != "paid" {
		t.Fatalf("after paying: %s", paid.State)
	}
	var parkReceipt portal.SubmitReceipt
	if err := c.call(ctx, "POST", "/api/applications/"+park.ID+"/submit", nil, map[string]string{"Idempotency-Key": "demo-" + park.ID}, 202, &parkReceipt); err != nil {
		t.Fatal(err)
	}
	if parkReceipt.Payment == nil || parkReceipt.Payment.Reference == "" || parkReceipt.Payment.GrossAmount != 3060 {
		t.Fatalf("receipt payment %+v", parkReceipt.Payment)
	}
	if err := waitState(ctx, c, park.ID, "delivered"); err != nil {
		t.Fatal(err)
	}
}

// waitMessage polls the Postfach until a message with subject arrives.
func waitMessage(ctx context.Context, c *citizen, subject string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		var box struct {
			Messages []struct{ Subject string } `json:"messages"`
		}
		if err := c.call(ctx, "GET", "/api/mailbox", nil, nil, 200, &box); err != nil {
			return err
		}
		for _, m := range box.Messages {
			if m.Subject == subject {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no message %q in the Postfach: %+v", subject, box.Messages)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// citizen is a browser without script: a cookie jar, and the CSRF token of its session.
type citizen struct {
	base   string
	client *http.Client
	csrf   string
}

func newCitizen(base string) *citizen {
	jar, _ := cookiejar.New(nil)
	return &citizen{base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// call sends a request and decodes a JSON answer into out; a status other than want is an
// error carrying the problem document.
func (c *citizen) call(ctx context.Context, method, path string, body io.Reader, hdr map[string]string, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", c.base)
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// login logs in at the local identity provider, which answers for persona without asking, and
// fetches the session's CSRF token.
func (c *citizen) login(ctx context.Context, level string) error {
	var s struct {
		Subject, Level, GivenNames, FamilyName string
		CSRFToken                              string `json:"csrfToken"`
	}
	if err := c.call(ctx, "GET", "/auth/login?level="+level+"&return=/api/session", nil, nil, 200, &s); err != nil {
		return err
	}
	c.csrf = s.CSRFToken
	return nil
}

// upload sends one evidence file.
func (c *citizen) upload(ctx context.Context, appID, requirement, name string, content []byte) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("requirement", requirement)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return c.call(ctx, "POST", "/api/applications/"+appID+"/evidence", &buf,
		map[string]string{"Content-Type": mw.FormDataContentType()}, 201, nil)
}

// samplePDF is evidencetest.SamplePDF: a small valid PDF showing title.
var samplePDF = evidencetest.SamplePDF

const wohngeldData = `{
  "antragsteller": {"vorname": "Erika", "nachname": "Mustermann", "geburtsdatum": "1964-08-12",
    "staatsangehoerigkeit": "deutsch", "familienstand": "verheiratet", "steuerId": "86095742719"},
  "anschrift": {"strasse": "Holtenauer Straße", "hausnummer": "12", "plz": "24105", "ort": "Kiel"},
  "wohnung": {"nutzung": "miete", "einzugsdatum": "2019-04-01", "wohnflaeche": 68.5, "zimmer": 3,
    "kaltmiete": 620, "nebenkosten": 140, "heizkosten": 85, "vermieter": "Kieler Wohnungsbau eG"},
  "haushalt": {"mitglieder": [
    {"vorname": "Hans", "nachname": "Mustermann", "geburtsdatum": "1962-02-03", "verhaeltnis": "ehegatte", "einkommen": 900},
    {"vorname": "Lea", "nachname": "Mustermann", "geburtsdatum": "2012-06-30", "verhaeltnis": "kind"}]},
  "einkommen": {"art": "nichtselbststaendig", "arbeitgeber": "Förde Pflege gGmbH", "bruttoMonatlich": 1450},
  "bankverbindung": {"kontoinhaber": "Erika Mustermann", "iban": "DE89370400440532013000"},
  "erklaerungen": {"richtigkeit": true, "datenschutz": true}
}`

const parkData = `{"halter": {"vorname": "Erika", "nachname": "Mustermann"},
  "anschrift": {"strasse": "Holtenauer Straße 12", "plz": "24105", "ort": "Kiel"},
  "fahrzeug": {"kennzeichen": "KI-EM 1964"}}`

type appView struct {
	ID         string            `json:"id"`
	State      string            `json:"state"`
	Version    int64             `json:"version"`
	Reference  string            `json:"reference"`
	Data       map[string]any    `json:"data"`
	Provenance map[string]string `json:"provenance"`
}

// waitState polls the application until it reaches state (the outbox delivers in the
// background).
func waitState(ctx context.Context, c *citizen, id, state string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		var v appView
		if err := c.call(ctx, "GET", "/api/applications/"+id, nil, nil, 200, &v); err != nil {
			return err
		}
		if v.State == state {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("application %s stayed %s, waited for %s", id, v.State, state)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// prefilled lists the pointers whose values came from the login.
func prefilled(prov map[string]string) []string {
	var out []string
	for p, src := range prov {
		if strings.HasPrefix(src, "prefill:") {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
