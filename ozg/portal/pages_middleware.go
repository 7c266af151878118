package portal

import (
	"net/http"
	"strings"

	"github.com/ozgkit/ozgkit/internal/problem"
)

// Handler returns the pages ready to mount at "/": behind the Gate's Authenticate, with the
// Gate's refusals (a failed CSRF check) answered as pages by BrowserErrors. Mount the Gate's
// login and callback handlers wrapped in BrowserErrors too.
func (p *Pages) Handler() http.Handler {
	return p.BrowserErrors(p.cfg.Gate.Authenticate(p))
}

// BrowserErrors turns the problem documents (application/problem+json) that next answers to a
// browser's page request into the HTML error page ([Pages.ErrorPage]) in the citizen's
// language, with a way back. Wrap the Gate's login and callback handlers in it (a cancelled
// login, a login below the level asked for, an expired login transaction), and the Gate's
// Authenticate in front of the pages (a refused CSRF check). Requests that do not ask for HTML
// get next's answer unchanged.
func (p *Pages) BrowserErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !wantsHTML(r) {
			next.ServeHTTP(w, r)
			return
		}
		problem.Intercept(w, r, next, func(w http.ResponseWriter, status int, problemType string) {
			title, message := problemText(status, problemType)
			p.errorPage(w, r, status, title, message)
		})
	})
}

// problemText is the citizen's title and text for a problem type of identity's Gate.
func problemText(status int, typ string) (title, message string) {
	switch {
	case strings.HasSuffix(typ, ":level-too-low"):
		return errorTitle(http.StatusForbidden), statusMessage(http.StatusForbidden)
	case strings.HasSuffix(typ, ":login-failed"), strings.HasSuffix(typ, ":unauthenticated"):
		return errorTitle(http.StatusBadRequest), statusMessage(http.StatusBadRequest)
	case strings.HasSuffix(typ, ":csrf"):
		return "Formular abgelaufen", "Das Formular ist abgelaufen oder kam nicht von diesem Portal. Bitte laden Sie die Seite neu und versuchen Sie es erneut."
	}
	return errorTitle(status), statusMessage(status)
}
