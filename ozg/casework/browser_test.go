package casework_test

import (
	"github.com/ozgkit/ozgkit/internal/browsertest"

	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/ozgkit/ozgkit/mailbox"
)

// TestBrowserCaseWorker drives the case-worker pages in headless Chromium on a 375 px wide
// phone screen: Sabine logs in on the staff provider's chooser, finds the case by its
// Aktenzeichen, downloads the evidence, asks the citizen a question that asks for the tenancy
// agreement again, sees the citizen's reply with the file sent for it (written through the
// journey and the mailbox), and issues the Bescheid. No page may scroll sideways. The
// citizen's side — question, reply and the Bescheid with its PDF — is then read through the
// mailbox.
func TestBrowserCaseWorker(t *testing.T) {
	browsertest.Skip(t)
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	sub := w.submit(t, "wohngeld")
	downloads := t.TempDir()

	ph := newPhone(t)
	bctx, fail, do, navigate, fits, see := ph.ctx, ph.fail, ph.do, ph.navigate, ph.fits, ph.see

	do("open the inbox", chromedp.Navigate(app.srv.URL+"/sachbearbeitung/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="persona"][value="sabine"]`)))
	do("choose Sabine", chromedp.Click(chromedp.CSS(`input[name="persona"][value="sabine"]`)))
	navigate("log in", chromedp.Click(chromedp.Search(`//button[. = "Anmelden"]`)))
	do("the inbox", chromedp.WaitVisible(chromedp.Search(`//h1[. = "Posteingang"]`)))
	fits("the inbox")

	do("search the Aktenzeichen", chromedp.SetValue(chromedp.ID("az"), sub.Reference))
	navigate("filter", chromedp.Click(chromedp.Search(`//button[. = "Filtern"]`)))
	navigate("open the case", chromedp.Click(chromedp.Search(`//a[. = "`+sub.Reference+`"]`)))
	see("the case page", "Weiß-Özdemir")
	fits("the case page")

	progress := chromedp.Events(bctx, browser.DownloadProgress)
	yes := true
	do("download the evidence",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &yes,
			})
			return err
		}),
		chromedp.Click(chromedp.Search(`//a[. = "Mietvertrag Weiß.pdf"]`)),
	)
	var got []byte
	for ev, err := range progress {
		if err != nil {
			fail("download", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			fail("download", io.ErrUnexpectedEOF)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			if got, err = os.ReadFile(filepath.Join(downloads, ev.GUID)); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	want, _ := io.ReadAll(mustOpen(t, w, sub.Attachments[0].BlobKey))
	if !bytes.Equal(got, want) {
		t.Fatalf("downloaded %d bytes, the evidence has %d", len(got), len(want))
	}

	do("write a question", chromedp.Navigate(app.srv.URL+"/sachbearbeitung/faelle/"+sub.ID),
		chromedp.WaitVisible(chromedp.ID("question")),
		chromedp.SetValue(chromedp.ID("question"), "Bitte senden Sie uns die Nebenkostenabrechnung 2025."),
		chromedp.Click(chromedp.ID("requirements"))) // and ask for the tenancy agreement again
	navigate("send the question", chromedp.Click(chromedp.Search(`//button[. = "Rückfrage senden"]`)))
	see("the question was sent", "Die Rückfrage ist im Postfach")
	see("the history names the evidence download", "Nachweis geöffnet")
	fits("the case after the question")

	// the citizen answers in the Postfach
	var query mailbox.Entry
	for _, m := range w.messages(t) {
		if m.Kind == mailbox.KindQuery {
			query = m
		}
	}
	if !query.ReplyAllowed {
		t.Fatalf("no open query in the Postfach: %+v", w.messages(t))
	}
	if _, err := w.apps.AttachRequestedEvidence(context.Background(), w.cw, citizen.Subject, sub.ApplicationID, query.ID, "mietvertrag",
		"Mietvertrag Seite 2.pdf", bytes.NewReader(samplePDF("Seite 2"))); err != nil {
		t.Fatal(err)
	}
	if _, err := w.mb.Reply(context.Background(), citizen, query.ID, "Die Abrechnung über 312,50 € lade ich nach."); err != nil {
		t.Fatal(err)
	}
	do("reload the case", chromedp.Navigate(app.srv.URL+"/sachbearbeitung/faelle/"+sub.ID))
	see("the citizen's reply", "Die Abrechnung über 312,50 € lade ich nach.")
	see("the evidence sent with it", "Mietvertrag: Mietvertrag Seite 2.pdf")
	do("the file in the list of evidence sent later", chromedp.WaitVisible(chromedp.Search(`//a[. = "Mietvertrag Seite 2.pdf"]`)))
	fits("the case with the answer and its file")

	do("write the Bescheid", chromedp.SetValue(chromedp.ID("text"), "Ihrem Antrag wird stattgegeben. Sie erhalten monatlich 198,00 € Wohngeld.\n\nRechtsbehelfsbelehrung: Widerspruch binnen eines Monats."))
	navigate("issue the Bescheid", chromedp.Click(chromedp.Search(`//button[. = "Bescheid erteilen und zustellen"]`)))
	see("the Bescheid was issued", "Der Bescheid ist erteilt")
	fits("the decided case")

	// the citizen's side
	var kinds []string
	var notice mailbox.Entry
	for _, m := range w.messages(t) {
		kinds = append(kinds, string(m.Kind))
		if m.Kind == mailbox.KindNotice {
			notice = m
		}
	}
	if got := strings.Join(kinds, " "); got != "status notice status reply query" {
		t.Fatalf("the Postfach holds %s", got)
	}
	read, err := w.mb.Read(context.Background(), citizen, query.ID)
	if err != nil || read.ReplyID == "" || !strings.Contains(read.Body, "Nebenkostenabrechnung 2025") {
		t.Fatalf("the citizen's query: %+v, %v", read, err)
	}
	_, rc, err := w.mb.OpenAttachment(context.Background(), citizen, notice.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, pdf); !strings.Contains(text, "198,00 €") || !strings.Contains(text, "Sabine Sachbearbeiterin") {
		t.Fatalf("the Bescheid PDF says:\n%s", text)
	}
}

func mustOpen(t *testing.T, w *world, key string) io.Reader {
	t.Helper()
	rc, err := w.blobs.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	return rc
}
