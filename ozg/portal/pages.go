package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

// ui is the citizen's server-rendered HTML front end: German, no JavaScript, WCAG 2.1 AA
// minded (labels, headings, error summaries, visible focus). It reads through the library
// (ozg.Applications, evidence.Manager, payment.Service, mailbox.Mailbox) and changes state the
// way the JSON portal does: drafts and steps with forms and Applications.SaveDataWith;
// uploads, payment and submission through an in-process ozg.Portal (uiapi.go), so the checks
// are the same as over /api.
//
//	GET  /                                      services (start page)
//	GET  /leistungen/{service}/antrag           login at the service's level, then start
//	POST /leistungen/{service}/antrag           create a draft, prefilled from the login
//	GET  /antraege, /antraege/{id}              my applications, one application
//	GET|POST /antraege/{id}/angaben/{step}      the form, step by step
//	GET|POST /antraege/{id}/nachweise           evidence: list, upload (the CSRF token in the query)
//	POST /antraege/{id}/nachweise/{e}/loeschen  delete one evidence
//	GET|POST /antraege/{id}/zahlung             the fee: state, start paying (to the pay page)
//	GET  /antraege/{id}/pruefen                 summary and submit button
//	POST /antraege/{id}/absenden                submit; answers the confirmation with the Aktenzeichen
//	GET  /postfach, /postfach/{id}              Mein Postfach: list, read
type ui struct {
	app  *app
	gate *identity.Gate
	api  *uiAPI
}

// uiPaymentDone is where the UI's portal sends the browser after the pay page.
const uiPaymentDone = "/zahlung/ergebnis"

// registerUI mounts the HTML pages on mux behind the gate's authentication.
func (a *app) registerUI(mux *http.ServeMux, gate *identity.Gate) error {
	api, err := newUIAPI(a, uiPaymentDone)
	if err != nil {
		return err
	}
	u := &ui{app: a, gate: gate, api: api}
	h := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, gate.Authenticate(fn)) }
	h("GET /{$}", u.start)
	h("GET /leistungen/{service}/antrag", u.startApplication)
	h("POST /leistungen/{service}/antrag", u.createApplication)
	h("GET /antraege", u.applications)
	h("GET /antraege/{application}", u.application)
	h("GET /antraege/{application}/angaben/{step}", u.stepPage)
	h("POST /antraege/{application}/angaben/{step}", u.saveStep)
	h("GET /antraege/{application}/nachweise", u.evidencePage)
	h("POST /antraege/{application}/nachweise", u.upload)
	h("POST /antraege/{application}/nachweise/{evidence}/loeschen", u.deleteEvidence)
	h("GET /antraege/{application}/zahlung", u.paymentPage)
	h("POST /antraege/{application}/zahlung", u.startPayment)
	h("GET "+uiPaymentDone, u.paymentDone)
	h("GET /antraege/{application}/pruefen", u.summary)
	h("POST /antraege/{application}/absenden", u.submit)
	h("GET /postfach", u.mailbox)
	h("GET /postfach/{message}", u.message)
	mux.Handle("GET "+uiAPIPrefix+"/applications/{application}/payment/return", gate.Authenticate(api))
	mux.HandleFunc("GET /ui.css", serveCSS)
	return nil
}

// principal returns the logged-in citizen, if any.
func principal(r *http.Request) (*identity.Principal, bool) {
	p, ok := identity.PrincipalFrom(r.Context())
	return p, ok && p.Authenticated()
}

// loginURL starts a login at level that comes back to the page of r.
func loginURL(level identity.Level, r *http.Request) string {
	ret := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		ret = "/"
	}
	return "/auth/login?" + url.Values{"level": {level.String()}, "return": {ret}}.Encode()
}

// requireLevel lets the request through when the citizen is logged in at level or above.
// Otherwise a browser's page request is sent to login (or a step-up login) by the gate's
// RequireLevel, which comes back to the page; a post, whose page cannot be repeated by a
// redirect, goes to login and then to the start page.
func (u *ui) requireLevel(w http.ResponseWriter, r *http.Request, level identity.Level) (*identity.Principal, bool) {
	p, ok := principal(r)
	if ok && p.Level.Meets(level) {
		return p, true
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		u.gate.RequireLevel(level)(http.NotFoundHandler()).ServeHTTP(w, r)
	} else {
		http.Redirect(w, r, loginURL(level, r), http.StatusSeeOther)
	}
	return nil, false
}

// draft is an application with its service, loaded for its owner.
type draft struct {
	*ozg.Application
	Service *ozg.Service
	Owner   *identity.Principal
}

// load loads the application the route names for the logged-in citizen at the service's
// level, answering the page itself (login, 404) when it returns false. Another owner's
// application is "not found", as over the API.
func (u *ui) load(w http.ResponseWriter, r *http.Request) (*draft, bool) {
	p, ok := u.requireLevel(w, r, identity.LevelBasic)
	if !ok {
		return nil, false
	}
	a, err := u.app.apps.Get(r.Context(), p.Subject, r.PathValue("application"))
	if err != nil {
		u.fail(w, r, err)
		return nil, false
	}
	svc, err := u.app.catalog.Service(a.ServiceID)
	if err != nil {
		u.fail(w, r, err)
		return nil, false
	}
	if _, ok := u.requireLevel(w, r, svc.Level); !ok {
		return nil, false
	}
	return &draft{Application: a, Service: svc, Owner: p}, true
}

// editable sends the citizen to the application's overview when it is no longer a draft.
func (u *ui) editable(w http.ResponseWriter, r *http.Request, d *draft) bool {
	if d.State == ozg.StateDraft {
		return true
	}
	http.Redirect(w, r, "/antraege/"+url.PathEscape(d.ID), http.StatusSeeOther)
	return false
}

// fail shows an error page: 404 for what is not found (or not the citizen's), 409 for a
// conflict, 500 (logged) for anything else.
func (u *ui) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "Es ist ein technischer Fehler aufgetreten. Bitte versuchen Sie es später erneut."
	switch {
	case errors.Is(err, ozg.ErrNotFound):
		status, msg = http.StatusNotFound, "Diese Seite gibt es nicht, oder sie gehört nicht zu Ihrem Konto."
	case errors.Is(err, ozg.ErrConflict):
		status, msg = http.StatusConflict, "Der Antrag wurde inzwischen an anderer Stelle geändert. Bitte laden Sie die Seite neu und prüfen Sie Ihre Angaben."
	default:
		u.app.logger.Error("ui", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	u.render(w, r, status, "error", "Fehler", errorPage{Message: msg})
}

type errorPage struct{ Message string }

// euro formats cents as "30,60 €".
func euro(cents int64) string {
	return fmt.Sprintf("%d,%02d €", cents/100, cents%100)
}
