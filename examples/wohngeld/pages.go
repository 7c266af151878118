package main

import (
	"html/template"
	"net/http"

	"github.com/ozgkit/ozgkit/ozg"
)

var homeTemplate = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>ozgkit – Beispielportal</title>
<script type="application/ld+json">{{.JSONLD}}</script></head>
<body><main>
<h1>Beispielportal der Landeshauptstadt Kiel</h1>
<p>Dieses Portal zeigt ozgkit: Anmeldung über ein BundID-ähnliches Konto, Formular, Nachweise, Gebühr, Eingangsbestätigung und Bescheid im Postfach.</p>
<ul>{{range .Services}}<li><strong>{{.Service.Name}}</strong> – Vertrauensniveau {{.Service.Level}}, Reifegrad {{.Assessment.Level}} (Modell {{.Assessment.Model}}):
<a href="/api/services/{{.Service.ID}}">Beschreibung</a>, <a href="/api/services/{{.Service.ID}}/form">Formular (JSON Schema)</a></li>{{end}}</ul>
<p><a href="/auth/login?level=high&amp;return=/api/session">Anmelden</a> · <a href="/api/applications">Meine Anträge</a> · <a href="/api/mailbox">Mein Postfach</a> · <a href="/api/openapi.json">API (OpenAPI)</a> · <a href="/sachbearbeitung">Sachbearbeitung</a></p>
</main></body></html>`))

type serviceRow struct {
	Service    *ozg.Service
	Assessment ozg.Assessment
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	var rows []serviceRow
	for _, s := range a.catalog.Services() {
		rows = append(rows, serviceRow{s, ozg.Assess(s, deployment)})
	}
	ld, err := a.catalog.JSONLD(a.base)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	homeTemplate.Execute(w, struct {
		Services []serviceRow
		JSONLD   template.JS
	}{rows, template.JS(ld)})
}

func (a *app) jsonLD(w http.ResponseWriter, r *http.Request) {
	ld, err := a.catalog.JSONLD(a.base)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ld+json")
	w.Write(ld)
}

func (a *app) sitemap(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	a.catalog.WriteSitemap(w, a.base)
}
