package main

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
)

//go:embed ui
var uiFiles embed.FS

// pages are the UI's templates by name: ui/layout.tmpl with ui/<name>.tmpl as its "content".
var pages = func() map[string]*template.Template {
	layout := template.Must(template.New("layout.tmpl").Funcs(template.FuncMap{
		"level": levelName, "mlevel": func(l mailbox.Level) string { return levelName(identity.Level(l)) }, "state": stateName, "kind": kindName, "date": dateText, "euro": euro,
	}).ParseFS(uiFiles, "ui/layout.tmpl"))
	names, err := fs.Glob(uiFiles, "ui/*.tmpl")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "ui/"), ".tmpl")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(uiFiles, n))
	}
	return out
}()

// pageData is what the layout gets.
type pageData struct {
	Title string
	User  *identity.Principal
	CSRF  string
	// Journey is the progress of an application's pages, when the page is one of them.
	Journey []journeyStep
	Body    any
}

// journeyStep is one entry of an application's progress navigation.
type journeyStep struct {
	Label, Href string
	Current     bool
}

// render writes page name with body in the layout. The page is buffered so that a template
// error becomes a clean 500.
func (u *ui) render(w http.ResponseWriter, r *http.Request, status int, name, title string, body any) {
	u.renderJourney(w, r, status, name, title, nil, "", body)
}

// renderJourney renders a page of application d with its progress navigation, current being
// the Href of this page.
func (u *ui) renderJourney(w http.ResponseWriter, r *http.Request, status int, name, title string, d *draft, current string, body any) {
	data := pageData{Title: title, CSRF: identity.CSRFToken(r.Context()), Body: body}
	if p, ok := principal(r); ok {
		data.User = p
	}
	if d != nil && d.State == ozg.StateDraft {
		data.Journey = journey(d)
		for i := range data.Journey {
			data.Journey[i].Current = data.Journey[i].Href == current
		}
	}
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout.tmpl", data); err != nil {
		u.app.logger.Error("ui: render", "page", name, "err", err)
		http.Error(w, "Interner Fehler", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// journey lists the pages of application d: each step of its form, evidence, fee, check.
func journey(d *draft) []journeyStep {
	base := "/antraege/" + d.ID
	var out []journeyStep
	for _, s := range formSteps(d.Service.Form) {
		out = append(out, journeyStep{Label: s.Title, Href: base + "/angaben/" + s.ID})
	}
	if len(d.Service.Evidence) > 0 {
		out = append(out, journeyStep{Label: "Nachweise", Href: base + "/nachweise"})
	}
	if d.Service.FeeDueOnline() {
		out = append(out, journeyStep{Label: "Gebühr", Href: base + "/zahlung"})
	}
	return append(out, journeyStep{Label: "Prüfen und absenden", Href: base + "/pruefen"})
}

// next returns the page after current in d's journey.
func next(d *draft, current string) string {
	j := journey(d)
	for i, s := range j {
		if s.Href == current && i+1 < len(j) {
			return j[i+1].Href
		}
	}
	return j[len(j)-1].Href
}

func levelName(l identity.Level) string {
	switch l {
	case identity.LevelBasic:
		return "Basisregistrierung (Benutzername und Passwort)"
	case identity.LevelLow:
		return "niedrig"
	case identity.LevelSubstantial:
		return "substanziell (ELSTER-Zertifikat oder Online-Ausweis)"
	case identity.LevelHigh:
		return "hoch (Online-Ausweis)"
	}
	return "keins"
}

func stateName(s ozg.State) string {
	switch s {
	case ozg.StateDraft:
		return "Entwurf"
	case ozg.StateSubmitted:
		return "eingereicht"
	case ozg.StateDelivered:
		return "bei der Behörde eingegangen"
	case ozg.StateAccepted:
		return "in Bearbeitung"
	case ozg.StateRejected:
		return "zurückgewiesen"
	case ozg.StateDecided:
		return "beschieden"
	case ozg.StateWithdrawn:
		return "zurückgezogen"
	}
	return string(s)
}

func kindName(k mailbox.Kind) string {
	switch k {
	case mailbox.KindReceipt:
		return "Eingangsbestätigung"
	case mailbox.KindStatus:
		return "Statusmeldung"
	case mailbox.KindQuery:
		return "Rückfrage"
	case mailbox.KindNotice:
		return "Bescheid"
	case mailbox.KindReply:
		return "Ihre Antwort"
	}
	return "Nachricht"
}

// dateText formats t in German local time.
func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(berlin).Format("02.01.2006, 15:04 Uhr")
}

var berlin = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
}()

func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	http.ServeFileFS(w, r, uiFiles, "ui/ui.css")
}
