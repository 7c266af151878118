package portal_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestServiceWithoutEvidenceOrFee walks a one-page service without evidence and fee: the
// journey goes from the form to the summary, and the summary has no evidence or fee section.
func TestServiceWithoutEvidenceOrFee(t *testing.T) {
	w := newWorld(t)
	if err := w.idp.SetAutoLogin("lena"); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, w.base)
	form := c.submit(c.get("/leistungen/sperrmuell/antrag"), "Antrag starten", "", "", nil)
	form.mustContain(t, 200, "Abholanschrift", "Schritt 1 von 1")
	if strings.Contains(form.Body, "/nachweise") || strings.Contains(form.Body, "/zahlung") {
		t.Fatal("the journey offers evidence or a fee the service does not ask for")
	}
	sum := c.submit(form, "ozg-form", "_action", "submit", map[string]string{"/anschrift": "Holtenauer Straße 12", "/gegenstaende": "Ein Sofa, zwei Stühle", "/stueckzahl": "1200"})
	sum.mustContain(t, 422, "ozg-error-summary")
	sum = c.submit(form, "ozg-form", "_action", "submit", map[string]string{"/anschrift": "Holtenauer Straße 12", "/gegenstaende": "Ein Sofa, zwei Stühle", "/stueckzahl": "3"})
	sum.mustContain(t, 200, "Angaben prüfen", "Ein Sofa, zwei Stühle")
	if strings.Contains(sum.Body, "Nachweise</h2>") || strings.Contains(sum.Body, "Gebühr</h2>") {
		t.Fatal("the summary shows evidence or a fee")
	}
	c.submit(sum, "idempotency_key", "", "", nil).mustContain(t, 200, "Antrag eingereicht")
	c.get("/leistungen/sperrmuell/nachweise").mustContain(t, 404, "Seite nicht gefunden")
}

// BenchmarkPagesSubmit measures submissions per second through the HTML submit route: the
// whole handler as a server mounts it (BrowserErrors, the Gate with session and
// CSRF check, Pages), Applications.Submit with its checks and the outbox entry, and the
// confirmation page. The drafts are made before the clock starts.
//
//	go test -bench PagesSubmit -benchmem ./ozg/portal/ -run x
func BenchmarkPagesSubmit(b *testing.B) {
	w := newWorld(b)
	if err := w.idp.SetAutoLogin("lena"); err != nil {
		b.Fatal(err)
	}
	c := newWebClient(b, w.base)
	begin := c.get("/leistungen/sperrmuell/antrag")
	tok := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(begin.Body)[1]
	u, _ := url.Parse(w.base)
	var cookie string
	for _, ck := range c.client.Jar.Cookies(u) {
		cookie += ck.Name + "=" + ck.Value + "; "
	}
	ctx := context.Background()
	// The drafts belong to the logged-in citizen: read the subject from one made through the pages.
	first := c.submit(begin, "Antrag starten", "", "", nil)
	a, err := w.store.Get(ctx, strings.Split(first.URL.Path, "/")[2])
	if err != nil {
		b.Fatal(err)
	}
	data := []byte(`{"anschrift":"Holtenauer Straße 12","gegenstaende":"Ein Sofa, zwei Stühle und ein Schrank","stueckzahl":4}`)
	ids := make([]string, b.N)
	for i := range ids {
		d, err := w.apps.Create(ctx, "sperrmuell", a.Owner, data)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = d.ID
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := "_csrf=" + url.QueryEscape(tok) + "&idempotency_key=k" + strconv.Itoa(i)
		req := httptest.NewRequest(http.MethodPost, w.base+"/antraege/"+ids[i]+"/absenden", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Origin", w.base)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `class="reference"`) {
			b.Fatalf("submit %d: %d\n%s", i, rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submissions/s")
}
