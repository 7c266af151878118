package main

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

type startPage struct {
	Services []serviceRow
	JSONLD   template.JS
}

type serviceRow struct {
	Service    *ozg.Service
	Assessment ozg.Assessment
}

// start lists the services, with the catalogue's JSON-LD for search engines.
func (u *ui) start(w http.ResponseWriter, r *http.Request) {
	var rows []serviceRow
	for _, s := range u.app.catalog.Services() {
		rows = append(rows, serviceRow{s, ozg.Assess(s, deployment)})
	}
	ld, err := u.app.catalog.JSONLD(u.app.base)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "start", "Leistungen", startPage{Services: rows, JSONLD: template.JS(ld)})
}

type servicePage struct {
	Service *ozg.Service
	Drafts  []*ozg.Application
}

// startApplication shows what applying takes, after a login at the service's level.
func (u *ui) startApplication(w http.ResponseWriter, r *http.Request) {
	svc, err := u.app.catalog.Service(r.PathValue("service"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, ok := u.requireLevel(w, r, svc.Level)
	if !ok {
		return
	}
	list, _, err := u.app.apps.List(r.Context(), p.Subject, ozg.Page{Limit: 100})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	page := servicePage{Service: svc}
	for _, a := range list {
		if a.ServiceID == svc.ID && a.State == ozg.StateDraft {
			page.Drafts = append(page.Drafts, a)
		}
	}
	u.render(w, r, http.StatusOK, "service", svc.Name, page)
}

// createApplication starts a draft prefilled with what the login vouched for (once-only), as
// the portal's POST /services/{id}/applications does, and opens its first page.
func (u *ui) createApplication(w http.ResponseWriter, r *http.Request) {
	svc, err := u.app.catalog.Service(r.PathValue("service"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, ok := principal(r)
	if !ok || !p.Level.Meets(svc.Level) {
		http.Redirect(w, r, "/leistungen/"+url.PathEscape(svc.ID)+"/antrag", http.StatusSeeOther)
		return
	}
	a, err := u.app.apps.Create(r.Context(), svc.ID, p.Subject, nil, ozg.PrincipalFacts(p))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := &draft{Application: a, Service: svc, Owner: p}
	http.Redirect(w, r, journey(d)[0].Href, http.StatusSeeOther)
}

type applicationsPage struct {
	Items []applicationRow
}

type applicationRow struct {
	*ozg.Application
	ServiceName string
}

// applications lists the citizen's applications.
func (u *ui) applications(w http.ResponseWriter, r *http.Request) {
	p, ok := u.requireLevel(w, r, identity.LevelBasic)
	if !ok {
		return
	}
	list, _, err := u.app.apps.List(r.Context(), p.Subject, ozg.Page{Limit: 100})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	var page applicationsPage
	for _, a := range list {
		name := a.ServiceID
		if s, err := u.app.catalog.Service(a.ServiceID); err == nil {
			name = s.Name
		}
		page.Items = append(page.Items, applicationRow{a, name})
	}
	u.render(w, r, http.StatusOK, "applications", "Meine Anträge", page)
}

// application shows one application: a draft continues on its first page; a submitted one
// shows its state and Aktenzeichen.
func (u *ui) application(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok {
		return
	}
	if d.State == ozg.StateDraft {
		http.Redirect(w, r, journey(d)[0].Href, http.StatusSeeOther)
		return
	}
	u.render(w, r, http.StatusOK, "application", d.Service.Name, d)
}
