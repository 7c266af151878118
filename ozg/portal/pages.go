package portal

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
)

// Pages is the citizen's server-rendered HTML journey (the Bürgerportal pages): German by
// default and English on request, no JavaScript, WCAG 2.1 AA minded (labels, headings, error
// summaries that take the focus, visible focus, nothing wider than a 375 px phone). Every step
// calls a method of ozg.Applications, where the journey's rules live, and the mailbox
// (Postfach) is read through mailbox.Mailbox.
//
//	GET  /                                          start page: the services
//	GET  /leistungen/{service}                      public service page (no login): what it needs, costs, takes
//	GET  /leistungen/{service}/antrag               login at the service's level, then start or continue
//	POST /leistungen/{service}/antrag               create a draft, prefilled from the login (once-only)
//	GET  /antraege, /antraege/{id}                  Meine Anträge, one application
//	GET|POST /antraege/{id}/angaben/{step}          the form, step by step
//	GET|POST /antraege/{id}/nachweise               evidence: list, upload (multipart, streamed)
//	POST /antraege/{id}/nachweise/{e}/loeschen      delete one evidence
//	GET|POST /antraege/{id}/zahlung                 the fee: state, start paying (to the pay page)
//	GET  /antraege/{id}/zahlung/zurueck             the pay page's return (?payment=<id>)
//	GET  /antraege/{id}/pruefen                     summary and submit button
//	POST /antraege/{id}/absenden                    submit (Idempotency-Key in a hidden field)
//	GET|POST /antraege/{id}/zurueckziehen           withdraw, after a confirmation
//	GET  /postfach, /postfach/{m}, /postfach/{m}/anhang/{n}   Mein Postfach, a message, an attachment
//	POST /postfach/{m}/antwort                      answer a query: text, and files it asks for (multipart, streamed)
//	GET  /sprache?lang=en&zurueck=/path             switch the language (a cookie), back to the page
//	GET  /portal.css                                the style sheet with the theme's colours
//
// Wrap Pages in identity's Gate.Authenticate, which puts the citizen's Principal on the
// request ([Pages.Handler] does, and answers the Gate's refusals as pages). Upload forms carry
// the CSRF token as their first part, where the Gate reads it. Unknown paths get
// [Pages.NotFound].
type Pages struct {
	cfg     PagesConfig
	mux     *http.ServeMux
	logger  *slog.Logger
	css     []byte
	cssETag string
}

// PagesConfig wires the pages. Catalog, Applications, Gate and the Theme's legal links are
// required.
type PagesConfig struct {
	Catalog      *ozg.Catalog
	Applications *ozg.Applications
	// Mailbox serves the Postfach pages; nil leaves them out (and their links).
	Mailbox *mailbox.Mailbox
	// EvidenceRequests is the authority's record of the queries that ask for evidence
	// (Nachforderung), e.g. ozg/casework's Casework: with it, the answer form of such a query
	// takes files for each evidence requirement asked for
	// (Applications.AttachRequestedEvidence). nil: queries are answered with text only.
	EvidenceRequests ozg.EvidenceRequests
	// Gate sends browsers to login, or a step-up login, at a service's trust level
	// (Gate.RequireLevel); its LoginHandler must be mounted at LoginPath.
	Gate *identity.Gate
	// LoginPath and LogoutPath are where the Gate's login and logout handlers are mounted;
	// default "/auth/login" and "/auth/logout".
	LoginPath, LogoutPath string
	// APIPrefix is where the JSON API is mounted, for the footer's link to its OpenAPI
	// document; default "/api".
	APIPrefix string
	// BaseURL is the portal's public URL (e.g. "https://portal.kiel.example"); the payment
	// provider returns citizens to BaseURL + "/antraege/{id}/zahlung/zurueck", and the start
	// page's JSON-LD names the service pages below it. Required when a service takes a fee.
	BaseURL string
	// Theme names and colours the portal and links its legal pages.
	Theme Theme
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// NewPages checks cfg and returns the pages.
func NewPages(cfg PagesConfig) (*Pages, error) {
	var errs []error
	if cfg.Catalog == nil || cfg.Applications == nil {
		errs = append(errs, errors.New("portal: the pages need a Catalog and Applications"))
	}
	if cfg.Gate == nil {
		errs = append(errs, errors.New("portal: the pages need the identity Gate (PagesConfig.Gate) for login"))
	}
	if cfg.LoginPath == "" {
		cfg.LoginPath = "/auth/login"
	}
	if cfg.LogoutPath == "" {
		cfg.LogoutPath = "/auth/logout"
	}
	if cfg.APIPrefix == "" {
		cfg.APIPrefix = "/api"
	}
	for name, v := range map[string]string{"LoginPath": cfg.LoginPath, "LogoutPath": cfg.LogoutPath, "APIPrefix": cfg.APIPrefix} {
		if !identity.LocalPath(v) || strings.ContainsAny(v, "?#") {
			errs = append(errs, fmt.Errorf("portal: PagesConfig.%s %q must be a path of this portal", name, v))
		}
	}
	theme, err := cfg.Theme.withDefaults()
	if err != nil {
		errs = append(errs, err)
	}
	cfg.Theme = theme
	if cfg.Catalog != nil && cfg.Applications != nil {
		if cfg.Applications.Catalog() != cfg.Catalog {
			errs = append(errs, errors.New("portal: PagesConfig.Applications serve another catalogue than PagesConfig.Catalog"))
		}
		if err := cfg.Applications.CheckServices(); err != nil {
			errs = append(errs, err)
		}
		for _, s := range cfg.Catalog.Services() {
			if s.FeeDueOnline() && cfg.BaseURL == "" {
				errs = append(errs, fmt.Errorf("portal: service %s takes a fee online; the pages need PagesConfig.BaseURL for the payment's return", s.ID))
			}
		}
	}
	if cfg.BaseURL != "" {
		base, err := ozg.CheckBaseURL(cfg.BaseURL)
		if err != nil {
			errs = append(errs, fmt.Errorf("portal: PagesConfig.BaseURL: %w", err))
		}
		cfg.BaseURL = base
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p := &Pages{cfg: cfg, mux: http.NewServeMux(), logger: cfg.Logger}
	if p.logger == nil {
		p.logger = slog.Default()
	}
	p.css, p.cssETag = stylesheet(cfg.Theme)
	p.routes()
	return p, nil
}

func (p *Pages) routes() {
	h := p.mux.HandleFunc
	h("GET /{$}", p.start)
	h("GET /leistungen/{service}", p.servicePage)
	h("GET /leistungen/{service}/antrag", p.startApplication)
	h("POST /leistungen/{service}/antrag", p.createApplication)
	h("GET /antraege", p.applications)
	h("GET /antraege/{application}", p.application)
	h("GET /antraege/{application}/angaben/{step}", p.stepPage)
	h("POST /antraege/{application}/angaben/{step}", p.saveStep)
	h("GET /antraege/{application}/nachweise", p.evidencePage)
	h("POST /antraege/{application}/nachweise", p.upload)
	h("POST /antraege/{application}/nachweise/{evidence}/loeschen", p.deleteEvidence)
	h("GET /antraege/{application}/zahlung", p.paymentPage)
	h("POST /antraege/{application}/zahlung", p.startPayment)
	h("GET /antraege/{application}/zahlung/zurueck", p.paymentReturn)
	h("GET /antraege/{application}/pruefen", p.summary)
	h("POST /antraege/{application}/absenden", p.submit)
	h("GET /antraege/{application}/zurueckziehen", p.withdrawPage)
	h("POST /antraege/{application}/zurueckziehen", p.withdraw)
	if p.cfg.Mailbox != nil {
		h("GET /postfach", p.mailbox)
		h("GET /postfach/{message}", p.message)
		h("GET /postfach/{message}/anhang/{n}", p.attachment)
		h("POST /postfach/{message}/antwort", p.reply)
	}
	h("GET /sprache", p.switchLanguage)
	h("GET /portal.css", p.serveCSS)
}

// ServeHTTP serves the pages; a path the pages do not have gets [Pages.NotFound].
func (p *Pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := p.mux.Handler(r); pattern == "" {
		p.NotFound(w, r)
		return
	}
	p.mux.ServeHTTP(w, r)
}

// NotFound answers a request for a page that does not exist with an HTML page in the
// citizen's language: 405 with Allow when the path exists for other methods, else 404.
func (p *Pages) NotFound(w http.ResponseWriter, r *http.Request) {
	h, _ := p.mux.Handler(r)
	rec := &statusOnly{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		p.ErrorPage(w, r, http.StatusMethodNotAllowed, "")
		return
	}
	p.ErrorPage(w, r, http.StatusNotFound, "")
}

// ErrorPage answers an HTML error page in the citizen's language with a way back (to the start
// page, and to login again for a login that failed). message is German, shown translated when
// the pages' English catalogue knows it; "" picks a text for status (a cancelled or failed
// login for 400 and 401, too low a trust level for 403, a missing page for 404, a technical
// fault otherwise).
func (p *Pages) ErrorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	p.errorPage(w, r, status, errorTitle(status), message)
}

// errorPage is ErrorPage with a German title.
func (p *Pages) errorPage(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	if message == "" {
		message = statusMessage(status)
	}
	page := errorPage{Message: message, Login: status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusBadRequest}
	p.render(w, r, status, "error", tr(p.lang(r), title), page)
}

type errorPage struct {
	Message string
	// Login offers to log in again.
	Login bool
}

func errorTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Seite nicht gefunden"
	case http.StatusMethodNotAllowed:
		return "Aufruf nicht möglich"
	case http.StatusBadRequest, http.StatusUnauthorized:
		return "Anmeldung nicht abgeschlossen"
	case http.StatusForbidden:
		return "Anmeldung reicht nicht aus"
	case http.StatusConflict:
		return "Der Antrag wurde geändert"
	}
	return "Das hat nicht geklappt"
}

func statusMessage(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Diese Seite gibt es nicht, oder sie gehört nicht zu Ihrem Konto."
	case http.StatusMethodNotAllowed:
		return "Diese Seite kann so nicht aufgerufen werden. Bitte gehen Sie über die Links des Portals."
	case http.StatusBadRequest, http.StatusUnauthorized:
		return "Die Anmeldung wurde abgebrochen oder ist fehlgeschlagen. Sie können es erneut versuchen."
	case http.StatusForbidden:
		return "Ihre Anmeldung hat ein zu niedriges Vertrauensniveau für diese Seite. Bitte melden Sie sich mit einem höheren Vertrauensniveau an, zum Beispiel mit dem Online-Ausweis."
	case http.StatusConflict:
		return "Der Antrag wurde inzwischen an anderer Stelle geändert. Bitte laden Sie die Seite neu und prüfen Sie Ihre Angaben."
	case http.StatusRequestEntityTooLarge:
		return "Die gesendeten Daten sind zu groß."
	case http.StatusServiceUnavailable, http.StatusBadGateway:
		return "Ein beteiligter Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut."
	}
	return "Es ist ein technischer Fehler aufgetreten. Bitte versuchen Sie es später erneut."
}

// principal returns the logged-in citizen, if any.
func principal(r *http.Request) (*identity.Principal, bool) {
	p, ok := identity.PrincipalFrom(r.Context())
	return p, ok && p.Authenticated()
}

// loginURL starts a login at level that comes back to ret.
func (p *Pages) loginURL(level identity.Level, ret string) string {
	return p.cfg.LoginPath + "?" + url.Values{"level": {level.String()}, "return": {ret}}.Encode()
}

// requireLevel lets the request through when the citizen is logged in at level (at least
// basic) or above. Otherwise a page request is sent to login, or a step-up login, by the
// Gate's RequireLevel, which comes back to the page; a post, whose page cannot be repeated by
// a redirect, goes to login and then to back, a page showing what the post would have changed.
func (p *Pages) requireLevel(w http.ResponseWriter, r *http.Request, level identity.Level, back string) (*identity.Principal, bool) {
	level = max(level, identity.LevelBasic)
	pr, ok := principal(r)
	if ok && pr.Level.Meets(level) {
		return pr, true
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		p.cfg.Gate.RequireLevel(level)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// RequireLevel lets a principal at the level through; principal said it has none.
			p.ErrorPage(w, r, http.StatusForbidden, "")
		})).ServeHTTP(w, r)
		return nil, false
	}
	http.Redirect(w, r, p.loginURL(level, back), http.StatusSeeOther)
	return nil, false
}

// draft is an application with its service, loaded for its owner.
type draft struct {
	*ozg.Application
	Service *ozg.Service
	Owner   *identity.Principal
}

// base is the path of the application's pages.
func (d *draft) base() string { return "/antraege/" + url.PathEscape(d.ID) }

// load loads the application the route names for the logged-in citizen at the service's
// level, answering the page itself (login, 404) when it returns false. Another owner's
// application is "not found", as over the API.
func (p *Pages) load(w http.ResponseWriter, r *http.Request) (*draft, bool) {
	id := r.PathValue("application")
	back := "/antraege/" + url.PathEscape(id)
	pr, ok := p.requireLevel(w, r, identity.LevelBasic, back)
	if !ok {
		return nil, false
	}
	a, err := p.cfg.Applications.Get(r.Context(), pr.Subject, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	svc, err := p.cfg.Catalog.Service(a.ServiceID)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	if _, ok := p.requireLevel(w, r, svc.Level, back); !ok {
		return nil, false
	}
	return &draft{Application: a, Service: svc, Owner: pr}, true
}

// editable sends the citizen to the application's overview when it is no longer a draft.
func (p *Pages) editable(w http.ResponseWriter, r *http.Request, d *draft) bool {
	if d.State == ozg.StateDraft {
		return true
	}
	http.Redirect(w, r, d.base(), http.StatusSeeOther)
	return false
}

// fail shows an error page: 404 for what is not found (or not the citizen's), 409 for a
// conflict, 503 when the payment provider is away, 500 (logged) for anything else.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ozg.ErrNotFound), errors.Is(err, mailbox.ErrNotFound), errors.Is(err, mailbox.ErrNoAttachment):
		status = http.StatusNotFound
	case errors.Is(err, ozg.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, ozg.ErrFeeUnavailable):
		status = http.StatusServiceUnavailable
	default:
		p.logger.ErrorContext(r.Context(), "portal: page", "method", r.Method, "route", r.Pattern, "request", RequestID(r.Context()), "err", err)
	}
	p.ErrorPage(w, r, status, "")
}
