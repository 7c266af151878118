package portal

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/ozgkit/ozgkit/ozg"
)

type startPage struct {
	Services []*ozg.Service
	// JSONLD is the catalogue as schema.org JSON-LD for search engines, when BaseURL is set.
	JSONLD template.JS
}

// start lists the services.
func (p *Pages) start(w http.ResponseWriter, r *http.Request) {
	page := startPage{Services: p.cfg.Catalog.Services()}
	if p.cfg.BaseURL != "" {
		ld, err := p.cfg.Catalog.JSONLD(p.cfg.BaseURL)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		page.JSONLD = template.JS(ld) //nolint:gosec // JSON from encoding/json, which escapes <, > and &
	}
	p.render(w, r, http.StatusOK, "start", tr(p.lang(r), "Leistungen"), page)
}

type servicePageData struct {
	Service *ozg.Service
}

// servicePage is the public page of one service (no login needed): what it needs, what it
// costs, how long it takes, on which law it rests, who decides, and the way to apply. The
// catalogue's JSON-LD, sitemap and XZuFi export point here (ozg.ServicePagePath).
func (p *Pages) servicePage(w http.ResponseWriter, r *http.Request) {
	svc, err := p.cfg.Catalog.Service(r.PathValue("service"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "service", serviceName(p.lang(r), svc), servicePageData{Service: svc})
}

type beginPage struct {
	Service *ozg.Service
	Drafts  []*ozg.Application
}

// startApplication shows the drafts begun and the start button, after a login at the
// service's level.
func (p *Pages) startApplication(w http.ResponseWriter, r *http.Request) {
	svc, err := p.cfg.Catalog.Service(r.PathValue("service"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pr, ok := p.requireLevel(w, r, svc.Level, r.URL.Path)
	if !ok {
		return
	}
	list, _, err := p.cfg.Applications.List(r.Context(), pr.Subject, ozg.Page{Limit: 100})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	page := beginPage{Service: svc}
	for _, a := range list {
		if a.ServiceID == svc.ID && a.State == ozg.StateDraft {
			page.Drafts = append(page.Drafts, a)
		}
	}
	p.render(w, r, http.StatusOK, "begin", serviceName(p.lang(r), svc), page)
}

// createApplication starts a draft prefilled with what the login vouched for (once-only) and
// opens its first page.
func (p *Pages) createApplication(w http.ResponseWriter, r *http.Request) {
	svc, err := p.cfg.Catalog.Service(r.PathValue("service"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pr, ok := p.requireLevel(w, r, svc.Level, "/leistungen/"+url.PathEscape(svc.ID)+"/antrag")
	if !ok {
		return
	}
	a, err := p.cfg.Applications.Create(r.Context(), svc.ID, pr.Subject, nil, ozg.PrincipalFacts(pr))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := &draft{Application: a, Service: svc, Owner: pr}
	http.Redirect(w, r, journey("de", d)[0].Href, http.StatusSeeOther)
}

type applicationsPage struct {
	Items []applicationRow
}

type applicationRow struct {
	*ozg.Application
	ServiceName string
}

// applications lists the citizen's applications (Meine Anträge).
func (p *Pages) applications(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.requireLevel(w, r, 0, r.URL.Path)
	if !ok {
		return
	}
	list, _, err := p.cfg.Applications.List(r.Context(), pr.Subject, ozg.Page{Limit: 100})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	lang := p.lang(r)
	var page applicationsPage
	for _, a := range list {
		name := a.ServiceID
		if s, err := p.cfg.Catalog.Service(a.ServiceID); err == nil {
			name = serviceName(lang, s)
		}
		page.Items = append(page.Items, applicationRow{a, name})
	}
	p.render(w, r, http.StatusOK, "applications", tr(lang, "Meine Anträge"), page)
}

type applicationPage struct {
	*draft
	ServiceName  string
	Withdrawable bool
	Notice       string
}

// application shows one application: a draft continues on its first page; a submitted one
// shows its state, Aktenzeichen and history.
func (p *Pages) application(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok {
		return
	}
	if d.State == ozg.StateDraft {
		http.Redirect(w, r, journey("de", d)[0].Href, http.StatusSeeOther)
		return
	}
	p.showApplication(w, r, d, "")
}

func (p *Pages) showApplication(w http.ResponseWriter, r *http.Request, d *draft, notice string) {
	lang := p.lang(r)
	page := applicationPage{draft: d, ServiceName: serviceName(lang, d.Service),
		Withdrawable: d.State.CanTransition(ozg.StateWithdrawn), Notice: notice}
	p.render(w, r, http.StatusOK, "application", page.ServiceName, page)
}

// withdrawPage asks before an application is withdrawn.
func (p *Pages) withdrawPage(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok {
		return
	}
	if !d.State.CanTransition(ozg.StateWithdrawn) {
		http.Redirect(w, r, d.base(), http.StatusSeeOther)
		return
	}
	lang := p.lang(r)
	p.render(w, r, http.StatusOK, "withdraw", tr(lang, "Antrag zurückziehen"), applicationPage{draft: d, ServiceName: serviceName(lang, d.Service)})
}

// withdraw withdraws the application (Applications.Withdraw: a draft is discarded, a
// submission cancelled or followed by a withdrawal to the authority).
func (p *Pages) withdraw(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok {
		return
	}
	a, err := p.cfg.Applications.Withdraw(r.Context(), d.Owner.Subject, d.ID, "")
	if errors.Is(err, ozg.ErrInvalidTransition) {
		http.Redirect(w, r, d.base(), http.StatusSeeOther)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Application = a
	p.showApplication(w, r, d, tr(p.lang(r), "Sie haben den Antrag zurückgezogen."))
}
