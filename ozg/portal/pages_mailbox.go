package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
)

type mailboxPage struct {
	Entries []mailbox.Entry
	Unread  int
	Next    string
}

type messagePage struct {
	*mailbox.Message
	Attachments []attachmentLink
}

type attachmentLink struct {
	Name, Href string
	Size       int64
}

// citizenOf is who reads the mailbox: the login's subject at the login's level.
func citizenOf(p *identity.Principal) mailbox.Citizen {
	return mailbox.Citizen{Subject: p.Subject, Level: mailbox.Level(p.Level)}
}

// mailbox lists the citizen's messages, newest first, a page at a time.
func (u *ui) mailbox(w http.ResponseWriter, r *http.Request) {
	p, ok := u.requireLevel(w, r, identity.LevelBasic)
	if !ok {
		return
	}
	cursor := r.URL.Query().Get("weiter")
	pg, err := u.app.mailbox.List(r.Context(), citizenOf(p), mailbox.ListOptions{Cursor: cursor, Limit: 20})
	if errors.Is(err, mailbox.ErrBadCursor) && cursor != "" { // a cursor from elsewhere: start at the top
		pg, err = u.app.mailbox.List(r.Context(), citizenOf(p), mailbox.ListOptions{Limit: 20})
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "mailbox", "Mein Postfach", mailboxPage{Entries: pg.Entries, Unread: pg.Unread, Next: pg.Next})
}

// message shows one message and marks it read. A message sent at a higher level than the
// login's asks for a step-up login.
func (u *ui) message(w http.ResponseWriter, r *http.Request) {
	p, ok := u.requireLevel(w, r, identity.LevelBasic)
	if !ok {
		return
	}
	m, err := u.app.mailbox.Read(r.Context(), citizenOf(p), r.PathValue("message"))
	var le *mailbox.LevelError
	switch {
	case errors.As(err, &le):
		u.requireLevel(w, r, identity.Level(le.Required))
		return
	case errors.Is(err, mailbox.ErrNotFound):
		u.fail(w, r, ozg.ErrNotFound)
		return
	case err != nil:
		u.fail(w, r, err)
		return
	}
	page := messagePage{Message: &m}
	for i, a := range m.Attachments {
		page.Attachments = append(page.Attachments, attachmentLink{Name: a.Name, Size: a.Size,
			Href: fmt.Sprintf("/api/mailbox/%s/attachments/%d", m.ID, i)})
	}
	u.render(w, r, http.StatusOK, "message", m.Subject, page)
}
