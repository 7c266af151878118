package portal

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
)

// pageSets are the templates by language and name: pages/layout.tmpl with pages/<name>.tmpl
// as its "content". Each language has its own set, whose functions (t, level, euro, ...)
// speak that language.
var pageSets = map[string]map[string]*template.Template{"de": parsePages("de"), "en": parsePages("en")}

func parsePages(lang string) map[string]*template.Template {
	layout := template.Must(template.New("layout.tmpl").Funcs(pageFuncs(lang)).ParseFS(pageFiles, "pages/layout.tmpl"))
	names, err := fs.Glob(pageFiles, "pages/*.tmpl")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "pages/"), ".tmpl")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(pageFiles, n))
	}
	return out
}

func pageFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":          func(s string) string { return tr(lang, s) },
		"tf":         func(format string, a ...any) string { return trf(lang, format, a...) },
		"level":      func(l identity.Level) string { return levelName(lang, l) },
		"mlevel":     func(l mailbox.Level) string { return levelName(lang, identity.Level(l)) },
		"state":      func(s ozg.State) string { return stateName(lang, s) },
		"kind":       func(k mailbox.Kind) string { return kindName(lang, k) },
		"date":       func(t time.Time) string { return dateText(lang, t) },
		"euro":       func(c int64) string { return euroText(lang, c) },
		"number":     func(n int) string { return numberText(lang, int64(n)) },
		"size":       func(n int64) string { return sizeText(lang, n) },
		"filetype":   func(mt string) string { return fileType(lang, mt) },
		"pick":       func(de, en string) string { return pick(lang, de, en) },
		"unread":     func(n int) string { return unreadText(lang, n) },
		"maxfiles":   func(n int) string { return filesText(lang, n) },
		"scan":       func(s string) string { return scanText(lang, s) },
		"formats":    func(types []string) string { return formatsText(lang, types) },
		"levelShort": func(l identity.Level) string { return levelShort(lang, l) },
	}
}

// pageData is what the layout gets.
type pageData struct {
	Lang  string
	Title string
	Theme Theme
	// User is who is logged in, as the header shows it; "" when nobody is.
	User string
	CSRF string
	// Journey is the progress of an application's pages, when the page is one of them.
	Journey []journeyStep
	Body    any
	// LangHref switches to the other language and back to this page.
	LangHref, LangName, LangCode string
	LogoutPath, APIPrefix        string
	Mailbox                      bool
}

// journeyStep is one entry of an application's progress navigation.
type journeyStep struct {
	Label, Href string
	Current     bool
}

// render writes page name with body in the layout. title is in the citizen's language.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name, title string, body any) {
	p.renderJourney(w, r, status, name, title, nil, "", body)
}

// renderJourney renders a page of application d with its progress navigation, current being
// the Href of this page. The page is buffered so that a template error becomes a clean 500.
func (p *Pages) renderJourney(w http.ResponseWriter, r *http.Request, status int, name, title string, d *draft, current string, body any) {
	lang := p.lang(r)
	data := pageData{Lang: lang, Title: title, Theme: p.cfg.Theme, CSRF: identity.CSRFToken(r.Context()), Body: body,
		LogoutPath: p.cfg.LogoutPath, APIPrefix: p.cfg.APIPrefix, Mailbox: p.cfg.Mailbox != nil}
	if lang == "en" {
		data.Theme.Name = data.Theme.NameEN
	}
	if pr, ok := principal(r); ok {
		data.User = userName(lang, pr)
	}
	ret := "/"
	if r.Method == http.MethodGet && status < 400 && identity.LocalPath(r.URL.RequestURI()) {
		ret = r.URL.RequestURI()
	}
	other := map[string]string{"de": "en", "en": "de"}[lang]
	data.LangCode = other
	data.LangName = map[string]string{"de": "Deutsch", "en": "English"}[other]
	data.LangHref = "/sprache?" + url.Values{"lang": {other}, "zurueck": {ret}}.Encode()
	if d != nil && d.State == ozg.StateDraft {
		data.Journey = journey(lang, d)
		for i := range data.Journey {
			data.Journey[i].Current = data.Journey[i].Href == current
		}
	}
	var buf bytes.Buffer
	if err := pageSets[lang][name].ExecuteTemplate(&buf, "layout.tmpl", data); err != nil {
		p.logger.ErrorContext(r.Context(), "portal: render", "page", name, "err", err)
		http.Error(w, tr(lang, "Interner Fehler"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Cookie, Accept-Language")
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; img-src 'self' data:; style-src 'self'")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// userName is how the header names the citizen: their name, the organisation's name, or the
// account's trust level, never the pseudonymous subject.
func userName(lang string, pr *identity.Principal) string {
	switch {
	case pr.GivenNames != "" || pr.FamilyName != "":
		return strings.TrimSpace(pr.GivenNames + " " + pr.FamilyName)
	case pr.Organisation != nil && pr.Organisation.Name != "":
		return pr.Organisation.Name
	}
	return trf(lang, "Nutzerkonto (%s)", levelShort(lang, pr.Level))
}

// journey lists the pages of application d: each applicable step of its form, evidence, fee,
// check.
func journey(lang string, d *draft) []journeyStep {
	base := d.base()
	var out []journeyStep
	for _, s := range formSteps(lang, d.Service.Form, d.Data) {
		out = append(out, journeyStep{Label: s.Title, Href: base + "/angaben/" + s.ID})
	}
	if len(d.Service.Evidence) > 0 {
		out = append(out, journeyStep{Label: tr(lang, "Nachweise"), Href: base + "/nachweise"})
	}
	if d.Service.FeeDueOnline() {
		out = append(out, journeyStep{Label: tr(lang, "Gebühr"), Href: base + "/zahlung"})
	}
	return append(out, journeyStep{Label: tr(lang, "Prüfen und absenden"), Href: base + "/pruefen"})
}

// next returns the page after current in d's journey.
func next(d *draft, current string) string {
	j := journey("de", d)
	for i, s := range j {
		if s.Href == current && i+1 < len(j) {
			return j[i+1].Href
		}
	}
	return j[len(j)-1].Href
}

// levelName is the trust level (Vertrauensniveau) in the words the portal uses everywhere.
func levelName(lang string, l identity.Level) string {
	switch l {
	case identity.LevelBasic:
		return tr(lang, "Basisregistrierung")
	case identity.LevelLow:
		return tr(lang, "niedrig")
	case identity.LevelSubstantial:
		return tr(lang, "substanziell (ELSTER oder Online-Ausweis)")
	case identity.LevelHigh:
		return tr(lang, "hoch (Online-Ausweis)")
	}
	return tr(lang, "keine Anmeldung")
}

// levelShort is the trust level without the means of login, for the header.
func levelShort(lang string, l identity.Level) string {
	switch l {
	case identity.LevelSubstantial:
		return tr(lang, "substanziell")
	case identity.LevelHigh:
		return tr(lang, "hoch")
	}
	return levelName(lang, l)
}

func stateName(lang string, s ozg.State) string {
	switch s {
	case ozg.StateDraft:
		return tr(lang, "Entwurf")
	case ozg.StateSubmitted:
		return tr(lang, "eingereicht")
	case ozg.StateDelivered:
		return tr(lang, "bei der Behörde eingegangen")
	case ozg.StateAccepted:
		return tr(lang, "in Bearbeitung")
	case ozg.StateRejected:
		return tr(lang, "zurückgewiesen")
	case ozg.StateDecided:
		return tr(lang, "beschieden")
	case ozg.StateWithdrawn:
		return tr(lang, "zurückgezogen")
	}
	return tr(lang, "unbekannt")
}

func kindName(lang string, k mailbox.Kind) string {
	switch k {
	case mailbox.KindReceipt:
		return tr(lang, "Eingangsbestätigung")
	case mailbox.KindStatus:
		return tr(lang, "Statusmeldung")
	case mailbox.KindQuery:
		return tr(lang, "Rückfrage")
	case mailbox.KindNotice:
		return tr(lang, "Bescheid")
	case mailbox.KindReply:
		return tr(lang, "Ihre Antwort")
	}
	return tr(lang, "Nachricht")
}

// fileType names a media type in words, never as the MIME type.
func fileType(lang, mediaType string) string {
	switch mediaType {
	case "application/pdf":
		return tr(lang, "PDF-Dokument")
	case "image/jpeg":
		return tr(lang, "JPEG-Bild")
	case "image/png":
		return tr(lang, "PNG-Bild")
	case "image/tiff":
		return tr(lang, "TIFF-Bild")
	case "image/gif":
		return tr(lang, "GIF-Bild")
	case "image/webp":
		return tr(lang, "WebP-Bild")
	case "image/heic", "image/heif":
		return tr(lang, "HEIC-Bild")
	case "text/plain":
		return tr(lang, "Textdatei")
	case "text/xml", "application/xml":
		return tr(lang, "XML-Datei")
	case "application/vnd.oasis.opendocument.text":
		return tr(lang, "OpenDocument-Text")
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/msword":
		return tr(lang, "Word-Dokument")
	case "application/zip":
		return tr(lang, "ZIP-Archiv")
	}
	if strings.HasPrefix(mediaType, "image/") {
		return tr(lang, "Bild")
	}
	return tr(lang, "Datei")
}

// formatsText lists the accepted file types in words: "PDF-Dokument, JPEG-Bild oder PNG-Bild".
func formatsText(lang string, types []string) string {
	var names []string
	for _, t := range types {
		n := fileType(lang, t)
		if !containsString(names, n) {
			names = append(names, n)
		}
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + tr(lang, " oder ") + names[len(names)-1]
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func scanText(lang, state string) string {
	switch state {
	case "pending":
		return tr(lang, "wird auf Schadsoftware geprüft")
	case "infected", "failed":
		return tr(lang, "nicht angenommen, bitte löschen")
	}
	return ""
}

// dateText formats t in Berlin time: "02.01.2006, 15:04 Uhr" or "2 Jan 2006, 15:04".
func dateText(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == "en" {
		return t.In(berlin()).Format("2 Jan 2006, 15:04")
	}
	return t.In(berlin()).Format("02.01.2006, 15:04 Uhr")
}

func euroText(lang string, cents int64) string {
	if lang == "en" {
		return ozg.EuroEN(cents)
	}
	return ozg.EuroDE(cents)
}

func numberText(lang string, n int64) string {
	if lang == "en" {
		return strings.ReplaceAll(ozg.NumberDE(n), ".", ",")
	}
	return ozg.NumberDE(n)
}

// decimalText writes a JSON number the way the citizen reads numbers: "1.450", "68,5".
func decimalText(lang, s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return s
		}
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return s
	}
	out := numberText(lang, n)
	if frac != "" {
		out += map[bool]string{true: ".", false: ","}[lang == "en"] + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// sizeText writes a file size: "850 Bytes", "12,4 KB", "3,2 MB".
func sizeText(lang string, n int64) string {
	switch {
	case n < 1000:
		return trf(lang, "%s Bytes", numberText(lang, n))
	case n < 1000*1000:
		return oneDecimal(lang, float64(n)/1000) + " KB"
	}
	return oneDecimal(lang, float64(n)/(1000*1000)) + " MB"
}

func oneDecimal(lang string, f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return decimalText(lang, s)
}

// megabytes writes a size limit: "10 MB".
func megabytes(lang string, n int64) string {
	if n%(1<<20) == 0 {
		return numberText(lang, n>>20) + " MB"
	}
	return sizeText(lang, n)
}

func unreadText(lang string, n int) string {
	switch n {
	case 0:
		return tr(lang, "Keine ungelesenen Nachrichten.")
	case 1:
		return tr(lang, "1 ungelesene Nachricht.")
	}
	return trf(lang, "%s ungelesene Nachrichten.", numberText(lang, int64(n)))
}

func filesText(lang string, n int) string {
	if n == 1 {
		return tr(lang, "höchstens 1 Datei")
	}
	return trf(lang, "bis zu %s Dateien", numberText(lang, int64(n)))
}

// pick returns en for English readers when there is one, else de.
func pick(lang, de, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return de
}

// serviceName is the service's name in lang.
func serviceName(lang string, s *ozg.Service) string { return pick(lang, s.Name, s.NameEN) }

// errorTitle prefixes a page's title after a failed post, so screen readers hear it first.
func errorTitleOf(lang, title string) string { return trf(lang, "Fehler: %s", title) }
