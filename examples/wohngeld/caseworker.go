package main

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
)

// caseWorker guards the case worker's pages with HTTP basic auth (user "sachbearbeitung", the
// password printed at start) and refuses cross-origin posts. A real back office sits behind the
// authority's own login; this one exists to show the other side of the journey.
func (a *app) caseWorker(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "sachbearbeitung" || subtle.ConstantTimeCompare([]byte(pass), []byte(a.caseWorkerPassword)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="Sachbearbeitung", charset="UTF-8"`)
			http.Error(w, "Anmeldung erforderlich", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			if o := r.Header.Get("Origin"); o != "" && o != a.base {
				http.Error(w, "cross-origin request refused", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

var inboxTemplate = template.Must(template.New("inbox").Parse(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Posteingang der Sachbearbeitung</title></head>
<body><main>
<h1>Posteingang der Sachbearbeitung</h1>
{{if not .}}<p>Noch keine Anträge eingegangen.</p>{{else}}
<table>
<caption>Eingegangene Anträge, neueste zuerst</caption>
<thead><tr><th scope="col">Aktenzeichen</th><th scope="col">Leistung</th><th scope="col">Eingang</th><th scope="col">Nachweise</th><th scope="col">Gebühr</th><th scope="col">Aktion</th></tr></thead>
<tbody>{{range .}}<tr>
<td>{{.Reference}}</td><td>{{.ServiceID}}</td><td>{{.SubmittedAt.Format "02.01.2006 15:04"}}</td>
<td>{{len .Attachments}}</td><td>{{if .Payment}}bezahlt ({{.Payment.Reference}}){{else}}–{{end}}</td>
<td><form method="post" action="/sachbearbeitung/{{.ID}}/bescheid"><button type="submit">Bescheid erteilen</button></form></td>
</tr>{{end}}</tbody></table>{{end}}
</main></body></html>`))

func (a *app) inboxPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := inboxTemplate.Execute(w, a.inbox.Submissions()); err != nil {
		a.logger.Error("inbox page", "err", err)
	}
}

// issueNotice accepts a delivered application, decides it and sends the notice (Bescheid) to the
// citizen's mailbox: OZG maturity level 4's digital notice.
func (a *app) issueNotice(w http.ResponseWriter, r *http.Request) {
	sub, ok := a.inbox.Submission(r.PathValue("submission"))
	if !ok {
		http.Error(w, "unbekannter Antrag", http.StatusNotFound)
		return
	}
	svc, err := a.catalog.Service(sub.ServiceID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for _, to := range []ozg.State{ozg.StateAccepted, ozg.StateDecided} {
		if _, err := a.apps.Advance(r.Context(), sub.ApplicationID, to, "Sachbearbeitung"); err != nil {
			if errors.Is(err, ozg.ErrInvalidTransition) {
				http.Error(w, "Der Antrag ist nicht (mehr) in dem Zustand, in dem ein Bescheid erteilt werden kann: "+err.Error(), http.StatusConflict)
				return
			}
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	_, err = a.mailbox.Send(r.Context(), mailbox.Draft{
		Owner:       sub.Owner,
		Kind:        mailbox.KindNotice,
		Status:      mailbox.StatusCompleted,
		Subject:     "Bescheid: " + svc.Name,
		Body:        fmt.Sprintf("Guten Tag,\n\nIhrem Antrag „%s“ (Aktenzeichen %s) wird stattgegeben.\n\nRechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden.\n\nMit freundlichen Grüßen\n%s", svc.Name, sub.Reference, svc.Authority.Name),
		Sender:      mailbox.Sender{Name: svc.Authority.Name, Reference: sub.Reference},
		Application: sub.ApplicationID,
		Service:     svc.ID,
		MinLevel:    mailbox.Level(svc.Level),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/sachbearbeitung", http.StatusSeeOther)
}
