package portal

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
)

type mailboxPage struct {
	Entries []mailbox.Entry
	Unread  int
	Next    string
}

type messagePage struct {
	*mailbox.Message
	Links []attachmentLink
	// Reply is the answer form of a query that can be answered now; nil otherwise.
	Reply *replyForm
	// Sent: the citizen's answer was just sent.
	Sent bool
}

type attachmentLink struct {
	Name, Href, MediaType string
	Size                  int64
}

// citizenOf is who reads the mailbox: the login's subject at the login's level.
func citizenOf(pr *identity.Principal) mailbox.Citizen {
	return mailbox.Citizen{Subject: pr.Subject, Level: mailbox.Level(pr.Level)}
}

// mailboxPageSize is how many messages one page of the Postfach lists.
const mailboxPageSize = 20

// mailbox lists the citizen's messages (Mein Postfach), newest first, a page at a time.
func (p *Pages) mailbox(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.requireLevel(w, r, 0, r.URL.RequestURI())
	if !ok {
		return
	}
	cursor := r.URL.Query().Get("weiter")
	if len(cursor) > 1024 {
		cursor = ""
	}
	pg, err := p.cfg.Mailbox.List(r.Context(), citizenOf(pr), mailbox.ListOptions{Cursor: cursor, Limit: mailboxPageSize})
	if errors.Is(err, mailbox.ErrBadCursor) && cursor != "" { // a cursor from elsewhere: start at the top
		pg, err = p.cfg.Mailbox.List(r.Context(), citizenOf(pr), mailbox.ListOptions{Limit: mailboxPageSize})
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "mailbox", tr(p.lang(r), "Mein Postfach"), mailboxPage{Entries: pg.Entries, Unread: pg.Unread, Next: pg.Next})
}

// message shows one message and marks it read. A message sent at a higher level than the
// login's asks for a step-up login.
func (p *Pages) message(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.requireLevel(w, r, 0, r.URL.Path)
	if !ok {
		return
	}
	m, err := p.cfg.Mailbox.Read(r.Context(), citizenOf(pr), r.PathValue("message"))
	var le *mailbox.LevelError
	switch {
	case errors.As(err, &le):
		p.requireLevel(w, r, identity.Level(le.Required), r.URL.Path)
		return
	case err != nil:
		p.fail(w, r, err)
		return
	}
	f, _, err := p.replyFormOf(r.Context(), p.lang(r), pr, &m)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.showMessage(w, r, http.StatusOK, &m, f, r.URL.Query().Get("gesendet") == "1" && m.ReplyID != "")
}

// attachment streams attachment n of a message (mailbox.OpenAttachment checks owner, level,
// size and hash) as a download.
func (p *Pages) attachment(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.requireLevel(w, r, 0, r.URL.Path)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n > 1000 {
		p.fail(w, r, mailbox.ErrNoAttachment)
		return
	}
	a, rc, err := p.cfg.Mailbox.OpenAttachment(r.Context(), citizenOf(pr), r.PathValue("message"), n)
	var le *mailbox.LevelError
	switch {
	case errors.As(err, &le):
		p.requireLevel(w, r, identity.Level(le.Required), r.URL.Path)
		return
	case err != nil:
		p.fail(w, r, err)
		return
	}
	defer rc.Close()
	ct := "application/octet-stream"
	if mt, _, err := mime.ParseMediaType(a.MediaType); err == nil {
		ct = mt
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	if _, err := io.Copy(w, rc); err != nil {
		// The headers are out; a corrupt or broken stream can only be cut short.
		p.logger.ErrorContext(r.Context(), "portal: attachment", "message", r.PathValue("message"), "n", n, "err", err)
		panic(http.ErrAbortHandler)
	}
}
