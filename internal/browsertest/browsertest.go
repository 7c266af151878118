// Package browsertest starts the headless Chromium of the browser tests: Debian's chromium
// (.ci/setup.d/chromium.sh installs it) with the flags CI needs, a fresh user-data directory
// and a German citizen's language. Only tests import it.
package browsertest

import (
	"context"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path is where Debian installs Chromium.
const Path = "/usr/bin/chromium"

// Skip skips t when Chromium is missing or the tests run with -short.
func Skip(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		t.Skipf("browser test skipped: %s is missing (install Debian's chromium, see .ci/setup.d/chromium.sh)", Path)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
}

// New starts a headless Chromium that lives as long as ctx and t, and returns its browser
// context. The browser is started at once, so a failure shows here.
func New(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(Path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "de-DE"),
		chromedp.Flag("accept-lang", "de-DE,de"), // a German citizen's browser
		chromedp.UserDataDir(t.TempDir()),
	)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if _, err := chromedp.Run(bctx, chromedp.Location()); err != nil {
		t.Fatalf("start %s: %v", Path, err)
	}
	return bctx
}
