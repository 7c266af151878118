package main

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

type evidencePage struct {
	ID           string
	Requirements []requirementView
	Next         string
	// Errors are the upload's problems, for the error summary.
	Errors []pageError
}

type requirementView struct {
	evidence.Requirement
	Files   []evidence.Evidence
	Formats string
	MaxSize string
	// Full is set when no further file may be added.
	Full  bool
	Error string
}

// pageError is one entry of a page's error summary: a message linking to a control.
type pageError struct{ Message, Target string }

// evidencePage lists each evidence requirement of the service with its files, a delete button
// per file and an upload form.
func (u *ui) evidencePage(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok || !u.editable(w, r, d) {
		return
	}
	u.showEvidence(w, r, http.StatusOK, d, "", nil)
}

func (u *ui) showEvidence(w http.ResponseWriter, r *http.Request, status int, d *draft, failedReq string, problems []string) {
	list, err := u.app.evidence.List(r.Context(), d.ID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	href := "/antraege/" + d.ID + "/nachweise"
	page := evidencePage{ID: d.ID, Next: next(d, href)}
	for _, req := range d.Service.Evidence {
		v := requirementView{Requirement: req, Formats: formats(req.MediaTypes), MaxSize: megabytes(req.MaxSize)}
		for _, e := range list {
			if e.RequirementID == req.ID {
				v.Files = append(v.Files, e)
			}
		}
		v.Full = req.MaxCount > 0 && len(v.Files) >= req.MaxCount
		if req.ID == failedReq {
			v.Error = strings.Join(problems, " ")
			for _, p := range problems {
				page.Errors = append(page.Errors, pageError{Message: req.Title + ": " + p, Target: "datei-" + req.ID})
			}
		}
		page.Requirements = append(page.Requirements, v)
	}
	if len(problems) > 0 && len(page.Errors) == 0 { // not about one requirement
		for _, p := range problems {
			page.Errors = append(page.Errors, pageError{Message: p})
		}
	}
	title := "Nachweise"
	if len(page.Errors) > 0 {
		title = "Fehler: " + title
	}
	u.renderJourney(w, r, status, "evidence", title, d, href, page)
}

// upload hands the multipart body to the portal's upload, streaming. The form puts the field
// requirement before the file and the CSRF token in the query, as the gate wants it.
func (u *ui) upload(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok || !u.editable(w, r, d) {
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		u.showEvidence(w, r, http.StatusUnsupportedMediaType, d, "", nil)
		return
	}
	// The requirement is the form's own hidden field; the query repeats it so that an error
	// can be shown at the right upload form without reading the body twice.
	req := r.URL.Query().Get("nachweis")
	hdr := http.Header{"Content-Type": {r.Header.Get("Content-Type")}}
	err := u.api.call(r, http.MethodPost, "/applications/"+d.ID+"/evidence", r.Body, hdr, http.StatusCreated, nil)
	var p *apiProblem
	switch {
	case err == nil:
		http.Redirect(w, r, "/antraege/"+d.ID+"/nachweise", http.StatusSeeOther)
	case errors.As(err, &p) && p.Status < 500:
		u.showEvidence(w, r, p.Status, d, req, problemMessages(p))
	default:
		u.fail(w, r, err)
	}
}

// deleteEvidence deletes one file of the application.
func (u *ui) deleteEvidence(w http.ResponseWriter, r *http.Request) {
	d, ok := u.load(w, r)
	if !ok || !u.editable(w, r, d) {
		return
	}
	err := u.app.evidence.Delete(r.Context(), d.ID, r.PathValue("evidence"))
	if errors.Is(err, evidence.ErrNotFound) {
		err = fmt.Errorf("%w: evidence", ozg.ErrNotFound)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/antraege/"+d.ID+"/nachweise", http.StatusSeeOther)
}

// problemMessages are the German messages of a problem: its field errors, or its detail.
func problemMessages(p *apiProblem) []string {
	var out []string
	for _, e := range p.Errors {
		if e.Message != "" {
			out = append(out, e.Message)
		}
	}
	if len(out) == 0 {
		d := p.Detail
		if i := strings.Index(d, " ("); i > 0 { // the portal's "German (English)" details
			d = d[:i]
		}
		if d == "" {
			d = "Die Datei konnte nicht angenommen werden."
		}
		out = append(out, d)
	}
	return out
}

func formats(types []string) string {
	var names []string
	for _, t := range types {
		switch t {
		case "application/pdf":
			names = append(names, "PDF")
		case "image/jpeg":
			names = append(names, "JPEG")
		case "image/png":
			names = append(names, "PNG")
		default:
			names = append(names, t)
		}
	}
	return strings.Join(names, ", ")
}

func megabytes(n int64) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("%d MB", n>>20)
}
