package portal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

// replyForm is the answer form of a query the citizen may still answer: a text and, when the
// authority asks for evidence (Nachforderung), a file input per requirement asked for.
type replyForm struct {
	Action string
	Text   string
	// TextError is the problem with the text, if any.
	TextError    string
	Requirements []replyRequirement
	Errors       []pageError
}

// replyRequirement is one evidence requirement a query asks for, with the files sent for it.
type replyRequirement struct {
	ID, Title, Description string
	Formats, MaxSize       string
	Accept                 string
	// Left is how many more files may be sent for it; Full when none.
	Left  int
	Full  bool
	Files []evidence.Evidence
	Error string
}

// replyFieldPrefix starts the name of a reply form's file input; the requirement id follows.
const replyFieldPrefix = "nachweis-"

// maxReplyParts bounds the parts of a reply form (CSRF token, text, files).
const maxReplyParts = 64

// replyFormOf returns the answer form of message m for the citizen pr, or nil when m is not
// a query that can be answered now.
func (p *Pages) replyFormOf(ctx context.Context, lang string, pr *identity.Principal, m *mailbox.Message) (*replyForm, *ozg.Service, error) {
	if !m.Answerable(time.Now()) {
		return nil, nil, nil
	}
	f := &replyForm{Action: "/postfach/" + url.PathEscape(m.ID) + "/antwort"}
	if p.cfg.EvidenceRequests == nil || m.Application == "" {
		return f, nil, nil
	}
	req, received, err := p.cfg.Applications.RequestedEvidence(ctx, p.cfg.EvidenceRequests, pr.Subject, m.Application, m.ID)
	if errors.Is(err, ozg.ErrNotRequested) || errors.Is(err, ozg.ErrNotFound) {
		return f, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	a, err := p.cfg.Applications.Get(ctx, pr.Subject, m.Application)
	if err != nil {
		return nil, nil, err
	}
	svc, err := p.cfg.Catalog.Service(a.ServiceID)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range req.Requirements {
		r, ok := svc.Requirement(id)
		if !ok {
			continue
		}
		v := replyRequirement{ID: r.ID, Title: pick(lang, r.Title, r.TitleEN), Description: r.Description,
			Formats: formatsText(lang, r.MediaTypes), MaxSize: megabytes(lang, r.MaxSize), Accept: acceptList(r.MediaTypes)}
		for _, e := range received {
			if e.RequirementID == r.ID {
				v.Files = append(v.Files, e)
			}
		}
		v.Left = max(max(r.MaxCount, 1)-len(v.Files), 0)
		v.Full = v.Left == 0
		f.Requirements = append(f.Requirements, v)
	}
	return f, svc, nil
}

// showMessage renders message m with its answer form (f, when it can be answered).
func (p *Pages) showMessage(w http.ResponseWriter, r *http.Request, status int, m *mailbox.Message, f *replyForm, sent bool) {
	page := messagePage{Message: m, Reply: f, Sent: sent}
	for i, a := range m.Attachments {
		page.Links = append(page.Links, attachmentLink{Name: a.Name, Size: a.Size, MediaType: a.MediaType,
			Href: fmt.Sprintf("/postfach/%s/anhang/%d", url.PathEscape(m.ID), i)})
	}
	title := m.Subject
	if f != nil && len(f.Errors) > 0 {
		title = errorTitleOf(p.lang(r), title)
	}
	p.render(w, r, status, "message", title, page)
}

// reply takes the citizen's answer to a query: a multipart form whose first part is the CSRF
// token (read by the Gate), then the text, then the files for the evidence the query asks
// for. The text is checked before any file is stored; each file goes through
// Applications.AttachRequestedEvidence (the whole evidence pipeline) as it streams in; then
// the answer goes to the Postfach (mailbox.Reply), which hands it to the authority. A file
// refused stops the form there: the page names it, keeps the text, and lists the files sent
// before it, which stay with the query.
func (p *Pages) reply(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("message")
	back := "/postfach/" + url.PathEscape(id)
	pr, ok := p.requireLevel(w, r, 0, back)
	if !ok {
		return
	}
	lang := p.lang(r)
	m, err := p.cfg.Mailbox.Read(r.Context(), citizenOf(pr), id)
	var le *mailbox.LevelError
	switch {
	case errors.As(err, &le):
		p.requireLevel(w, r, identity.Level(le.Required), back)
		return
	case err != nil:
		p.fail(w, r, err)
		return
	}
	f, svc, err := p.replyFormOf(r.Context(), lang, pr, &m)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if f == nil { // answered meanwhile, or past its date: the page says so
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	limit := int64(mailbox.MaxBodySize) + 64<<10
	if svc != nil {
		for _, rq := range f.Requirements {
			req, _ := svc.Requirement(rq.ID)
			limit += req.MaxSize * int64(rq.Left)
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	fail := func(status int, requirement, message string) {
		found := false
		for i := range f.Requirements {
			if f.Requirements[i].ID == requirement {
				found = true
				f.Requirements[i].Error = message
				f.Errors = append(f.Errors, pageError{Message: f.Requirements[i].Title + ": " + message, Target: replyFieldPrefix + requirement})
			}
		}
		switch {
		case found:
		case requirement != "": // a file input the page does not have
			f.Errors = append(f.Errors, pageError{Message: message})
		default:
			f.TextError = message
			f.Errors = append(f.Errors, pageError{Message: message, Target: "antwort"})
		}
		// Show the files as they stand now, with the text kept.
		if fresh, _, err := p.replyFormOf(context.WithoutCancel(r.Context()), lang, pr, &m); err == nil && fresh != nil {
			for i := range f.Requirements {
				for _, fr := range fresh.Requirements {
					if fr.ID == f.Requirements[i].ID {
						f.Requirements[i].Files, f.Requirements[i].Left, f.Requirements[i].Full = fr.Files, fr.Left, fr.Full
					}
				}
			}
		}
		p.showMessage(w, r, status, &m, f, false)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		fail(http.StatusBadRequest, "", tr(lang, "Das Formular ist unvollständig angekommen. Bitte versuchen Sie es erneut."))
		return
	}
	text, textChecked := "", false
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			fail(http.StatusRequestEntityTooLarge, "", tr(lang, "Die gesendeten Daten sind zu groß."))
			return
		case err != nil || n == maxReplyParts:
			fail(http.StatusBadRequest, "", tr(lang, "Das Formular ist unvollständig angekommen. Bitte versuchen Sie es erneut."))
			return
		}
		name := part.FormName()
		switch {
		case name == identity.CSRFField:
			// checked by the Gate
		case name == "antwort":
			b, err := io.ReadAll(io.LimitReader(part, int64(mailbox.MaxBodySize)+1))
			if err != nil {
				fail(http.StatusBadRequest, "", tr(lang, "Das Formular ist unvollständig angekommen. Bitte versuchen Sie es erneut."))
				return
			}
			text = strings.ReplaceAll(string(b), "\r\n", "\n")
			f.Text = text
		case strings.HasPrefix(name, replyFieldPrefix):
			if part.FileName() == "" { // a file input left empty
				break
			}
			if !textChecked {
				if err := mailbox.CheckReply(text); err != nil {
					fail(http.StatusUnprocessableEntity, "", replyTextError(lang, err))
					return
				}
				textChecked = true
			}
			requirement := strings.TrimPrefix(name, replyFieldPrefix)
			_, err := p.cfg.Applications.AttachRequestedEvidence(r.Context(), p.cfg.EvidenceRequests, pr.Subject, m.Application, m.ID, requirement, part.FileName(), part)
			if err != nil {
				status, message := p.requestedRefusal(lang, svc, requirement, err)
				if r.Context().Err() != nil {
					return // the browser went away
				}
				if status == http.StatusInternalServerError {
					p.fail(w, r, err)
					return
				}
				fail(status, requirement, message)
				return
			}
		}
		part.Close()
	}
	_, err = p.cfg.Mailbox.Reply(r.Context(), citizenOf(pr), m.ID, text)
	var ve *mailbox.ValidationError
	switch {
	case errors.As(err, &ve):
		fail(http.StatusUnprocessableEntity, "", replyTextError(lang, err))
	case errors.Is(err, mailbox.ErrAlreadyReplied), errors.Is(err, mailbox.ErrReplyNotAllowed):
		http.Redirect(w, r, back, http.StatusSeeOther)
	case err != nil:
		p.fail(w, r, err)
	default:
		http.Redirect(w, r, back+"?gesendet=1", http.StatusSeeOther)
	}
}

// replyTextError says what is wrong with the answer's text.
func replyTextError(lang string, err error) string {
	var ve *mailbox.ValidationError
	if errors.As(err, &ve) {
		for _, e := range ve.Errors {
			switch e.Code {
			case "required":
				return tr(lang, "Bitte schreiben Sie eine Antwort.")
			case "maxLength", "maxSize":
				return tr(lang, "Die Antwort ist zu lang.")
			}
		}
	}
	return tr(lang, "Die Antwort enthält Zeichen, die nicht gesendet werden können.")
}

// requestedRefusal says why a file for a query was not taken, with the status of the page.
func (p *Pages) requestedRefusal(lang string, svc *ozg.Service, requirement string, err error) (int, string) {
	var refused *evidence.RefusedError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &refused) && svc != nil:
		status := http.StatusUnprocessableEntity
		if errors.Is(err, evidence.ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		if errors.Is(err, evidence.ErrTooManyFiles) {
			req, _ := svc.Requirement(requirement)
			return status, trf(lang, "Zu dieser Rückfrage können Sie für diesen Nachweis %s senden.", filesText(lang, max(req.MaxCount, 1)))
		}
		return status, refusal(lang, &draft{Service: svc}, requirement, refused)
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, tr(lang, "Die Datei ist zu groß.")
	case errors.Is(err, ozg.ErrNotRequested), errors.Is(err, evidence.ErrUnknownRequirement):
		return http.StatusUnprocessableEntity, tr(lang, "Diesen Nachweis erbittet die Rückfrage nicht, oder sie ist schon beantwortet.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest, tr(lang, "Die Datei ist nicht vollständig angekommen. Bitte versuchen Sie es erneut.")
	case errors.Is(err, evidence.ErrScanFailed):
		return http.StatusServiceUnavailable, tr(lang, "Die Datei konnte gerade nicht auf Schadsoftware geprüft werden. Bitte versuchen Sie es in einigen Minuten erneut.")
	}
	return http.StatusInternalServerError, ""
}
