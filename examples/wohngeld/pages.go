package main

import "net/http"

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
