package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ozgkit/ozgkit/identity"
)

// The pages speak German; English is available for every page. A text is written in German in
// the templates ({{t "..."}}, {{tf "... %s" x}}) and the Go code (tr, trf); english holds its
// English translation, keyed by the German text. A test checks that every German text has one.

// langCookie keeps the citizen's choice of language.
const langCookie = "lang"

// tr returns the German text de in lang.
func tr(lang, de string) string {
	if lang == "en" {
		if en, ok := english[de]; ok {
			return en
		}
	}
	return de
}

// trf formats the German format de, translated to lang, with a.
func trf(lang, de string, a ...any) string { return fmt.Sprintf(tr(lang, de), a...) }

// lang is the citizen's language: the lang cookie set by the language switch, else the first
// of German and English in Accept-Language, else German.
func (p *Pages) lang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "de" || c.Value == "en") {
		return c.Value
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage picks "de" or "en" from an Accept-Language header by quality, German when
// neither is asked for or on a tie. At most 32 entries are read.
func acceptLanguage(h string) string {
	best, bestQ := "de", 0.0
	for i, part := range strings.Split(h, ",") {
		if i == 32 {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if primary != "de" && primary != "en" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if q > bestQ || q == bestQ && primary == "de" && q > 0 {
			best, bestQ = primary, q
		}
	}
	if bestQ == 0 {
		return "de"
	}
	return best
}

// switchLanguage sets the language cookie from a plain link and goes back to the page.
func (p *Pages) switchLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if lang != "de" && lang != "en" {
		p.ErrorPage(w, r, http.StatusNotFound, "")
		return
	}
	ret := r.URL.Query().Get("zurueck")
	if !identity.LocalPath(ret) {
		ret = "/"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, ret, http.StatusSeeOther)
}

// english translates the pages' German texts.
var english = map[string]string{}
