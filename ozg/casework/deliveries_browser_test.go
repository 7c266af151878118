package casework_test

import (
	"github.com/ozgkit/ozgkit/internal/browsertest"

	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ozgkit/ozgkit/ozg"
)

// TestBrowserOperatorRequeuesAFailedDelivery drives the failed-delivery pages in headless
// Chromium on a 375 px wide phone screen: Otto, who runs the portal, logs in on the staff
// provider's chooser, lands on the failed deliveries, opens the refused delivery, requeues
// it, and the outbox then delivers it. No page may scroll sideways, in German or English.
func TestBrowserOperatorRequeuesAFailedDelivery(t *testing.T) {
	browsertest.Skip(t)
	w := newWorld(t, memoryStores())
	app := newStaffApp(t, w)
	refused, _, _ := w.failures(t)

	ph := newPhone(t)
	do, navigate, fits, see := ph.do, ph.navigate, ph.fits, ph.see

	do("open the case-worker pages", chromedp.Navigate(app.srv.URL+"/sachbearbeitung/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="persona"][value="otto"]`)))
	do("choose Otto", chromedp.Click(chromedp.CSS(`input[name="persona"][value="otto"]`)))
	navigate("log in", chromedp.Click(chromedp.Search(`//button[. = "Anmelden"]`)))
	do("the failed deliveries", chromedp.WaitVisible(chromedp.Search(`//h1[. = "Fehlgeschlagene Zustellungen"]`)))
	see("the refused delivery's error", "Schemaversion 2.1 wird nicht unterstützt")
	fits("the failed deliveries")

	navigate("open the refused delivery", chromedp.Click(chromedp.Search(`//a[. = "`+refused.Reference+`"]`)))
	see("the delivery page", "Fehlgeschlagener Arbeitsschritt")
	fits("one failed delivery")
	do("English", chromedp.Navigate(app.srv.URL+"/sachbearbeitung/zustellungen/"+refused.ID+"?lang=en"))
	see("the delivery page in English", "Step that failed")
	fits("one failed delivery in English")
	do("German", chromedp.Navigate(app.srv.URL+"/sachbearbeitung/zustellungen/"+refused.ID+"?lang=de"))

	navigate("requeue", chromedp.Click(chromedp.CSS(`form.requeue button`)))
	see("the requeue", "Die Arbeit ist wieder eingeplant")
	see("the new state", "Zustellung ausstehend")
	fits("the requeued delivery")

	if n, err := w.outbox.RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("delivery after the requeue: %d, %v", n, err)
	}
	do("reload", chromedp.Navigate(app.srv.URL+"/sachbearbeitung/zustellungen/"+refused.ID))
	see("the delivered work", "Zugestellt, Eingangsbestätigung ausstehend")
	if e, _ := w.outbox.Entry(context.Background(), refused.ID); e.State != ozg.DeliveryNotifying {
		t.Fatalf("entry after the requeued delivery: %+v", e)
	}
}
