package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ozgkit/ozgkit/internal/browsertest"
)

// phone is a headless Chromium with a 375 px phone screen and the steps the case-worker
// browser tests take: each step fails the test with the page it was on.
type phone struct {
	t   *testing.T
	ctx context.Context
}

func newPhone(t *testing.T) *phone {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	p := &phone{t: t, ctx: browsertest.New(t, ctx)}
	if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(375, 800)); err != nil {
		t.Fatalf("phone screen: %v", err)
	}
	return p
}

// fail ends the test, showing where the browser was and what the page said.
func (p *phone) fail(what string, err error) {
	p.t.Helper()
	loc, _ := chromedp.Run(p.ctx, chromedp.Location())
	body, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("body")))
	p.t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, body)
}

// do runs steps within 30 seconds.
func (p *phone) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	tctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		p.fail(what, err)
	}
}

// navigate clicks something that loads a page and waits for it.
func (p *phone) navigate(what string, click chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	tctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(tctx, click); err != nil {
		p.fail(what, err)
	}
}

// fits asserts that the page does not scroll sideways.
func (p *phone) fits(page string) {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil {
		p.fail(page, err)
	}
	if !ok {
		width, _ := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		p.t.Errorf("%s: the page is %d px wide at a 375 px screen", page, width)
	}
}

// see waits until text shows on the page.
func (p *phone) see(what, text string) {
	p.t.Helper()
	p.do(what, chromedp.WaitVisible(chromedp.Search(`//*[contains(., "`+text+`")]`)))
}
