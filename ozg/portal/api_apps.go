package portal

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/ozg"
)

// serviceView is a service as the catalogue routes show it.
type serviceView struct {
	*ozg.Service
	LeikaURN string `json:"leikaUrn"`
	FormURL  string `json:"formUrl"`
}

func (p *API) view(s *ozg.Service) serviceView {
	return serviceView{Service: s, LeikaURN: s.LeikaURN(), FormURL: p.cfg.Prefix + "/services/" + pathID(s.ID) + "/form"}
}

func (p *API) listServices(w http.ResponseWriter, r *http.Request) {
	services := p.cfg.Catalog.Services()
	if ars := r.URL.Query().Get("region"); ars != "" {
		var err error
		if services, err = p.cfg.Catalog.ByRegion(ars); err != nil {
			problem.Write(w, problem.Details{Status: http.StatusBadRequest, Detail: err.Error(),
				Errors: []problem.FieldError{{Pointer: "region", Code: "ars", Message: "Bitte geben Sie einen Regionalschlüssel mit 2, 3, 5, 9 oder 12 Ziffern an.", MessageEN: "Please give a regional key of 2, 3, 5, 9 or 12 digits."}}})
			return
		}
	}
	out := make([]serviceView, 0, len(services))
	for _, s := range services {
		out = append(out, p.view(s))
	}
	writeJSON(w, http.StatusOK, out)
}

func (p *API) getService(w http.ResponseWriter, r *http.Request) {
	s, err := p.cfg.Catalog.Service(r.PathValue("service"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p.view(s))
}

// getForm answers the service's form: the JSON Schema with its UI hints ("x-ui").
func (p *API) getForm(w http.ResponseWriter, r *http.Request) {
	s, err := p.cfg.Catalog.Service(r.PathValue("service"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/schema+json")
	w.Write(s.Form.Schema())
}

// applicationView is an application as its owner sees it.
type applicationView struct {
	ID         string            `json:"id"`
	ServiceID  string            `json:"serviceId"`
	State      ozg.State         `json:"state"`
	Reference  string            `json:"reference,omitempty"`
	Version    int64             `json:"version"`
	Data       json.RawMessage   `json:"data"`
	Provenance map[string]string `json:"provenance,omitempty"`
	History    []ozg.Transition  `json:"history"`
	CreatedAt  string            `json:"createdAt"`
	UpdatedAt  string            `json:"updatedAt"`
}

func viewOf(a *ozg.Application) applicationView {
	h := a.History
	if h == nil {
		h = []ozg.Transition{}
	}
	return applicationView{ID: a.ID, ServiceID: a.ServiceID, State: a.State, Reference: a.Reference, Version: a.Version,
		Data: a.Data, Provenance: a.Provenance, History: h,
		CreatedAt: a.CreatedAt.Format(timeFormat), UpdatedAt: a.UpdatedAt.Format(timeFormat)}
}

// listItem is an application in a listing: no data, no provenance, no history.
type listItem struct {
	ID        string    `json:"id"`
	ServiceID string    `json:"serviceId"`
	State     ozg.State `json:"state"`
	Reference string    `json:"reference,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt string    `json:"createdAt"`
	UpdatedAt string    `json:"updatedAt"`
}

func listItemOf(a *ozg.Application) listItem {
	return listItem{ID: a.ID, ServiceID: a.ServiceID, State: a.State, Reference: a.Reference, Version: a.Version,
		CreatedAt: a.CreatedAt.Format(timeFormat), UpdatedAt: a.UpdatedAt.Format(timeFormat)}
}

// timeFormat is how the API writes times: RFC 3339 with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func writeApplication(w http.ResponseWriter, status int, a *ozg.Application) {
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(a.Version, 10)))
	writeJSON(w, status, viewOf(a))
}

// createApplication starts a draft. The body is optional: {"data": {...}}. Facts the login
// vouched for prefill the form (once-only) without overwriting what the body gives.
func (p *API) createApplication(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.principal(w, r)
	if !ok {
		return
	}
	svc, err := p.cfg.Catalog.Service(r.PathValue("service"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if !meetsLevel(w, pr, svc) {
		return
	}
	var body struct {
		Data json.RawMessage `json:"data"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &body); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	a, err := p.cfg.Applications.Create(r.Context(), svc.ID, pr.Subject, body.Data, ozg.PrincipalFacts(pr))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Location", p.cfg.Prefix+"/applications/"+pathID(a.ID))
	writeApplication(w, http.StatusCreated, a)
}

func (p *API) listApplications(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.principal(w, r)
	if !ok {
		return
	}
	page := ozg.Page{Cursor: r.URL.Query().Get("cursor")}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			problem.Error(w, http.StatusBadRequest, "limit must be a number from 1 to 100")
			return
		}
		page.Limit = n
	}
	list, next, err := p.cfg.Applications.List(r.Context(), pr.Subject, page)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	// A list shows what identifies an application and where it stands, never its data: the
	// data of a service above the login's level is read only through GET /applications/{id},
	// which enforces the level.
	items := make([]listItem, 0, len(list))
	for _, a := range list {
		items = append(items, listItemOf(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next": next})
}

func (p *API) getApplication(w http.ResponseWriter, r *http.Request) {
	if _, a, _, ok := p.application(w, r); ok {
		writeApplication(w, http.StatusOK, a)
	}
}

// saveApplication saves a draft's data: {"version": n, "data": {...}}. What is present must be
// valid (required fields are checked at submission); a stale version answers 409.
func (p *API) saveApplication(w http.ResponseWriter, r *http.Request) {
	pr, a, _, ok := p.application(w, r)
	if !ok {
		return
	}
	var body struct {
		Version int64           `json:"version"`
		Data    json.RawMessage `json:"data"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		p.fail(w, r, err)
		return
	}
	saved, err := p.cfg.Applications.SaveData(r.Context(), pr.Subject, a.ID, body.Version, body.Data)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeApplication(w, http.StatusOK, saved)
}

func (p *API) withdrawApplication(w http.ResponseWriter, r *http.Request) {
	pr, a, _, ok := p.application(w, r)
	if !ok {
		return
	}
	done, err := p.cfg.Applications.Withdraw(r.Context(), pr.Subject, a.ID, "withdrawn by the citizen")
	if err != nil {
		p.fail(w, r, err)
		return
	}
	writeApplication(w, http.StatusOK, done)
}
