package portal

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/ozgkit/ozgkit/identity"
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
	ID, Title, Description string
	Required               bool
	MaxCount               int
	Files                  []evidence.Evidence
	Formats, MaxSize       string
	// Accept is the file input's accept list: the media types and their usual extensions.
	Accept string
	// Full is set when no further file may be added.
	Full  bool
	Error string
}

// pageError is one entry of a page's error summary: a message linking to a control.
type pageError struct{ Message, Target string }

// evidencePage lists each evidence requirement of the service with its files, a delete button
// per file and an upload form.
func (p *Pages) evidencePage(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok || !p.editable(w, r, d) {
		return
	}
	if len(d.Service.Evidence) == 0 {
		p.fail(w, r, ozg.ErrNotFound)
		return
	}
	p.showEvidence(w, r, http.StatusOK, d, "", nil)
}

func (p *Pages) showEvidence(w http.ResponseWriter, r *http.Request, status int, d *draft, failedReq string, problems []string) {
	lang := p.lang(r)
	list, err := p.cfg.Applications.Evidence(r.Context(), d.Owner.Subject, d.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	href := d.base() + "/nachweise"
	page := evidencePage{ID: d.ID, Next: next(d, href)}
	for _, req := range d.Service.Evidence {
		v := requirementView{ID: req.ID, Title: pick(lang, req.Title, req.TitleEN), Description: req.Description,
			Required: req.Required, MaxCount: req.MaxCount, Formats: formatsText(lang, req.MediaTypes),
			MaxSize: megabytes(lang, req.MaxSize), Accept: acceptList(req.MediaTypes)}
		for _, e := range list {
			if e.RequirementID == req.ID {
				v.Files = append(v.Files, e)
			}
		}
		v.Full = req.MaxCount > 0 && len(v.Files) >= req.MaxCount
		if req.ID == failedReq {
			v.Error = strings.Join(problems, " ")
			for _, m := range problems {
				page.Errors = append(page.Errors, pageError{Message: v.Title + ": " + m, Target: "datei-" + req.ID})
			}
		}
		page.Requirements = append(page.Requirements, v)
	}
	if len(problems) > 0 && len(page.Errors) == 0 { // not about one requirement
		for _, m := range problems {
			page.Errors = append(page.Errors, pageError{Message: m})
		}
	}
	title := tr(lang, "Nachweise")
	if len(page.Errors) > 0 {
		title = errorTitleOf(lang, title)
	}
	p.renderJourney(w, r, status, "evidence", title, d, href, page)
}

// acceptList is a file input's accept attribute for media types: each type and its usual
// file name extensions.
func acceptList(types []string) string {
	var out []string
	for _, t := range types {
		exts, _ := mime.ExtensionsByType(t)
		switch t { // not every system's MIME table knows these
		case "application/pdf":
			exts = []string{".pdf"}
		case "image/jpeg":
			exts = []string{".jpg", ".jpeg"}
		case "image/png":
			exts = []string{".png"}
		}
		out = append(out, exts...)
		out = append(out, t)
	}
	return strings.Join(out, ",")
}

// maxFieldPart bounds a small field of the upload form (the CSRF token, the requirement id).
const maxFieldPart = 1 << 10

// maxPartsBeforeFile bounds the parts read before the file.
const maxPartsBeforeFile = 8

// upload streams the file of a multipart upload form into the draft through
// Applications.AttachEvidence: the form sends the CSRF token (read by the Gate from the body's
// first part), then the requirement, then the file, so nothing of the file is buffered. The body
// is bounded by the largest file the service takes and a small overhead.
func (p *Pages) upload(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok || !p.editable(w, r, d) {
		return
	}
	lang := p.lang(r)
	var limit int64
	for _, req := range d.Service.Evidence {
		limit = max(limit, req.MaxSize)
	}
	if limit == 0 {
		p.fail(w, r, ozg.ErrNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		p.showEvidence(w, r, http.StatusBadRequest, d, "", []string{tr(lang, "Bitte wählen Sie eine Datei aus und laden Sie sie über das Formular hoch.")})
		return
	}
	requirement := ""
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err != nil && !errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: %w", errBadForm, err)
		}
		if err != nil || n == maxPartsBeforeFile {
			p.uploadError(w, r, d, requirement, err)
			return
		}
		switch part.FormName() {
		case identity.CSRFField:
			// checked by the Gate
		case "requirement":
			b, err := io.ReadAll(io.LimitReader(part, maxFieldPart))
			if err != nil {
				p.uploadError(w, r, d, "", err)
				return
			}
			requirement = string(b)
		case "file":
			if requirement == "" {
				p.showEvidence(w, r, http.StatusBadRequest, d, "", []string{tr(lang, "Das Formular ist unvollständig angekommen. Bitte versuchen Sie es erneut.")})
				return
			}
			if part.FileName() == "" {
				p.showEvidence(w, r, http.StatusBadRequest, d, requirement, []string{tr(lang, "Bitte wählen Sie eine Datei aus.")})
				return
			}
			_, err := p.cfg.Applications.AttachEvidence(r.Context(), d.Owner.Subject, d.ID, requirement, part.FileName(), part)
			if err != nil {
				p.uploadError(w, r, d, requirement, err)
				return
			}
			http.Redirect(w, r, d.base()+"/nachweise", http.StatusSeeOther)
			return
		}
		part.Close()
	}
}

// errBadForm marks a multipart body that could not be read.
var errBadForm = errors.New("portal: malformed upload form")

// uploadError shows why an upload was not taken, at the requirement's form when it is known.
func (p *Pages) uploadError(w http.ResponseWriter, r *http.Request, d *draft, requirement string, err error) {
	lang := p.lang(r)
	if _, ok := d.Service.Requirement(requirement); !ok {
		requirement = ""
	}
	var refused *evidence.RefusedError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &refused):
		status := http.StatusUnprocessableEntity
		if errors.Is(err, evidence.ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		p.showEvidence(w, r, status, d, requirement, []string{refusal(lang, d, requirement, refused)})
	case errors.As(err, &tooBig):
		p.showEvidence(w, r, http.StatusRequestEntityTooLarge, d, requirement, []string{tr(lang, "Die Datei ist zu groß.")})
	case errors.Is(err, evidence.ErrUnknownRequirement):
		p.showEvidence(w, r, http.StatusBadRequest, d, "", []string{tr(lang, "Diesen Nachweis verlangt die Leistung nicht.")})
	case errors.Is(err, ozg.ErrInvalidTransition):
		http.Redirect(w, r, d.base(), http.StatusSeeOther)
	case errors.Is(err, io.EOF), err == nil:
		p.showEvidence(w, r, http.StatusBadRequest, d, requirement, []string{tr(lang, "Bitte wählen Sie eine Datei aus.")})
	case errors.Is(err, errBadForm), errors.Is(err, io.ErrUnexpectedEOF):
		p.showEvidence(w, r, http.StatusBadRequest, d, requirement, []string{tr(lang, "Die Datei ist nicht vollständig angekommen. Bitte versuchen Sie es erneut.")})
	case errors.Is(err, evidence.ErrScanFailed):
		p.showEvidence(w, r, http.StatusServiceUnavailable, d, requirement, []string{tr(lang, "Die Datei konnte gerade nicht auf Schadsoftware geprüft werden. Bitte versuchen Sie es in einigen Minuten erneut.")})
	case r.Context().Err() != nil:
		// the browser went away; nothing was stored
	default:
		p.fail(w, r, err)
	}
}

// deleteEvidence deletes one file of the draft.
func (p *Pages) deleteEvidence(w http.ResponseWriter, r *http.Request) {
	d, ok := p.load(w, r)
	if !ok || !p.editable(w, r, d) {
		return
	}
	err := p.cfg.Applications.RemoveEvidence(r.Context(), d.Owner.Subject, d.ID, r.PathValue("evidence"))
	switch {
	case errors.Is(err, evidence.ErrNotFound):
		p.fail(w, r, ozg.ErrNotFound)
	case errors.Is(err, ozg.ErrInvalidTransition):
		http.Redirect(w, r, d.base(), http.StatusSeeOther)
	case err != nil:
		p.fail(w, r, err)
	default:
		http.Redirect(w, r, d.base()+"/nachweise", http.StatusSeeOther)
	}
}

// refusal says in the citizen's words why the evidence pipeline refused a file: file types as
// words, sizes and counts in the citizen's number format.
func refusal(lang string, d *draft, requirement string, e *evidence.RefusedError) string {
	req, _ := d.Service.Requirement(requirement)
	switch {
	case errors.Is(e, evidence.ErrMediaType):
		return trf(lang, "Diese Art von Datei wird hier nicht angenommen. Bitte laden Sie eine Datei dieser Art hoch: %s.", formatsText(lang, req.MediaTypes))
	case errors.Is(e, evidence.ErrTooLarge):
		return trf(lang, "Die Datei ist zu groß. Erlaubt sind höchstens %s je Datei.", megabytes(lang, req.MaxSize))
	case errors.Is(e, evidence.ErrEmpty):
		return tr(lang, "Die Datei ist leer. Bitte wählen Sie die richtige Datei aus.")
	case errors.Is(e, evidence.ErrExtensionMismatch):
		return tr(lang, "Die Endung des Dateinamens passt nicht zum Inhalt der Datei. Bitte prüfen Sie, ob Sie die richtige Datei gewählt haben.")
	case errors.Is(e, evidence.ErrTooManyFiles):
		return trf(lang, "Für diesen Nachweis können Sie %s hochladen. Bitte löschen Sie zuerst eine Datei.", filesText(lang, req.MaxCount))
	case errors.Is(e, evidence.ErrInfected):
		return tr(lang, "In der Datei wurde Schadsoftware gefunden. Sie wurde nicht gespeichert.")
	}
	return tr(lang, "Die Datei konnte nicht angenommen werden.")
}
