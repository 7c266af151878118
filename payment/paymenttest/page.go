package paymenttest

import (
	"html/template"
	"net/http"

	"github.com/ozgkit/ozgkit/payment"
)

type pageData struct {
	ID, Token, Purpose, Description, Amount, Reference, Status, ReturnURL string
	Open                                                                  bool
	Message                                                               string
}

var methods = []struct {
	Value payment.Method
	Label string
}{
	{payment.MethodCreditCard, "Kreditkarte"},
	{payment.MethodGiropay, "giropay"},
	{payment.MethodPaydirect, "paydirekt"},
	{payment.MethodPayPal, "PayPal"},
}

var statusText = map[string]string{
	"PAYED":    "Die Zahlung ist eingegangen.",
	"FAILED":   "Die Zahlung ist fehlgeschlagen.",
	"CANCELED": "Die Zahlung wurde abgebrochen.",
}

var page = template.Must(template.New("pay").Funcs(template.FuncMap{
	"methods": func() any { return methods },
	"statusText": func(s string) string {
		if t, ok := statusText[s]; ok {
			return t
		}
		return s
	},
}).Parse(`<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gebühr bezahlen – Testzahlungsdienst</title>
<style>
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}
fieldset{border:1px solid #555;margin:1rem 0;padding:.5rem 1rem}
button{font:inherit;padding:.6rem 1.2rem;margin:.25rem .5rem .25rem 0;border:2px solid #1a1a1a;border-radius:.25rem;background:#fff;color:#1a1a1a;cursor:pointer}
button.primary{background:#0b4f8a;border-color:#0b4f8a;color:#fff}
:focus-visible{outline:3px solid #d4351c;outline-offset:2px}
.note{color:#444}
</style>
</head>
<body>
<main>
<h1>Gebühr bezahlen</h1>
<p class="note">Testzahlungsdienst (XBezahldienste). Es wird kein Geld bewegt.</p>
<dl>
<dt>Verwendungszweck</dt><dd>{{.Purpose}}</dd>
{{with .Description}}<dt>Beschreibung</dt><dd>{{.}}</dd>{{end}}
<dt>Betrag</dt><dd>{{.Amount}} EUR</dd>
<dt>Kassenzeichen</dt><dd>{{.Reference}}</dd>
</dl>
{{with .Message}}<p role="alert">{{.}}</p>{{end}}
{{if .Open}}
<form method="post" action="{{.ID}}">
<input type="hidden" name="token" value="{{.Token}}">
<fieldset>
<legend>Zahlart</legend>
{{range $i, $m := methods}}<div><input type="radio" id="method-{{$m.Value}}" name="method" value="{{$m.Value}}"{{if eq $i 0}} checked{{end}}> <label for="method-{{$m.Value}}">{{$m.Label}}</label></div>
{{end}}</fieldset>
<button type="submit" class="primary" name="action" value="pay">{{.Amount}} EUR bezahlen</button>
<button type="submit" name="action" value="cancel">Zahlung abbrechen</button>
<button type="submit" name="action" value="fail">Zahlung scheitern lassen (Test)</button>
</form>
{{else}}
<p role="status">{{statusText .Status}}</p>
<p><a href="{{.ReturnURL}}">Zurück zum Antrag</a></p>
{{end}}
</main>
</body>
</html>
`))

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
}

func (s *Server) payPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.view(r.PathValue("transaction"))
	if !ok {
		pageHeaders(w)
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<!doctype html><html lang=\"de\"><title>Nicht gefunden</title><main><h1>Diese Zahlung gibt es nicht.</h1></main></html>\n"))
		return
	}
	pageHeaders(w)
	_ = page.Execute(w, d)
}

func (s *Server) payAction(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Das Formular ist zu groß oder ungültig.", http.StatusBadRequest)
		return
	}
	id := r.PathValue("transaction")
	target, status, msg := s.act(id, r.PostForm.Get("token"), Action(r.PostForm.Get("action")), payment.Method(r.PostForm.Get("method")))
	if status != 0 {
		d, ok := s.view(id)
		if !ok {
			http.Error(w, msg, status)
			return
		}
		d.Message = msg
		pageHeaders(w)
		w.WriteHeader(status)
		_ = page.Execute(w, d)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
