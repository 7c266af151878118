package casework

import (
	"github.com/ozgkit/ozgkit/internal/httpsec"

	"bufio"
	"bytes"
	"crypto/sha512"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gabriel-vasile/mimetype"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/casework/document"
	"github.com/ozgkit/ozgkit/ozg/evidence"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/casework.css
var stylesheet []byte

// HandlerOptions configure the case-worker pages.
type HandlerOptions struct {
	// Prefix is the path the pages are served below; default "/sachbearbeitung". The staff
	// gate's LoginPath must be Prefix + "/anmelden", and the staff login's redirect URL
	// Prefix + "/anmelden/callback".
	Prefix string
	// Level is the trust level a staff login must have; default identity.LevelBasic.
	Level identity.Level
	// Logger logs failures, never personal data; default slog.Default().
	Logger *slog.Logger
	// Outbox is the portal's outbox (portal.Portal.Outbox), or any outbox over the same
	// submission store: the pages only list, inspect and requeue (Outbox.FailedWork, Entry,
	// Requeue), and the portal's running outbox does the requeued work. With it, staff with
	// Options.OperatorRole get the pages of failed deliveries (Fehlgeschlagene Zustellungen)
	// below Prefix + "/zustellungen"; nil serves no such pages.
	Outbox *ozg.Outbox
}

type handler struct {
	cw     *Casework
	gate   *identity.Gate
	prefix string
	log    *slog.Logger
	pages  map[string]*template.Template
	outbox *ozg.Outbox
}

// maxFormBody bounds an action's form post.
const maxFormBody = 256 << 10

// Handler returns the case workers' web pages below HandlerOptions.Prefix:
//
//	GET  /                          inbox: filter by state and service, search by Aktenzeichen, paging
//	GET  /faelle/{id}               one case: data, evidence, payment, questions, history, actions
//	GET  /faelle/{id}/nachweise/{n} an evidence file, as a download
//	GET  /faelle/{id}/nachgereicht/{evidence}   a file the citizen sent for a query, as a download
//	GET  /faelle/{id}/antragsuebersicht.pdf
//	POST /faelle/{id}/annehmen | ablehnen | rueckfrage | bescheid
//	GET  /zustellungen              failed deliveries (operators, with HandlerOptions.Outbox)
//	GET  /zustellungen/{id}         one submission's outbox work: state, attempts, last error
//	POST /zustellungen/{id}/erneut  requeue failed work
//	GET  /anmelden, /anmelden/callback; POST /abmelden   the staff login through gate
//	GET  /static/casework.css
//
// gate is the staff gate: its Sessions use a cookie name of their own (not the citizens'),
// its authenticator is the OIDC relying party of the municipality's staff identity provider,
// configured with [StaffClaims]. Every page is server-rendered, needs no JavaScript, and is
// sent with a Content-Security-Policy without scripts, frame-ancestors 'none', X-Frame-Options
// DENY and Cache-Control no-store. Forms carry the session's CSRF token, which the gate
// checks; posts from other sites are refused, and the gate's refusals (a failed CSRF check, a
// login that is missing or expired) are answered to browsers as pages, not problem+json.
func (cw *Casework) Handler(gate *identity.Gate, opts *HandlerOptions) http.Handler {
	if opts == nil {
		opts = &HandlerOptions{}
	}
	h := &handler{cw: cw, gate: gate, prefix: strings.TrimSuffix(opts.Prefix, "/"), log: opts.Logger, pages: map[string]*template.Template{}, outbox: opts.Outbox}
	if opts.Prefix == "" {
		h.prefix = "/sachbearbeitung"
	}
	if h.log == nil {
		h.log = cw.log
	}
	level := opts.Level
	if level == identity.LevelNone {
		level = identity.LevelBasic
	}
	for _, name := range []string{"inbox", "case", "message", "deliveries", "delivery"} {
		h.pages[name] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	staff := func(f http.HandlerFunc) http.Handler {
		return h.browserErrors(gate.Authenticate(gate.RequireLevel(level)(f)))
	}
	p := h.prefix
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+p+"/static/casework.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, _ = w.Write(stylesheet)
	})
	mux.Handle("GET "+p+"/anmelden", h.browserErrors(gate.LoginHandler()))
	mux.Handle("GET "+p+"/anmelden/callback", h.browserErrors(gate.CallbackHandler()))
	mux.Handle("POST "+p+"/abmelden", h.browserErrors(gate.Authenticate(gate.LogoutHandler())))
	mux.Handle("GET "+p+"/{$}", staff(h.inbox))
	mux.Handle("GET "+p+"/faelle/{id}", staff(h.caseGet))
	mux.Handle("GET "+p+"/faelle/{id}/nachweise/{n}", staff(h.evidence))
	mux.Handle("GET "+p+"/faelle/{id}/nachgereicht/{evidence}", staff(h.receivedEvidence))
	mux.Handle("GET "+p+"/faelle/{id}/antragsuebersicht.pdf", staff(h.summary))
	mux.Handle("POST "+p+"/faelle/{id}/{action}", staff(h.act))
	if h.outbox != nil {
		mux.Handle("GET "+p+"/zustellungen", staff(h.deliveries))
		mux.Handle("GET "+p+"/zustellungen/{id}", staff(h.delivery))
		mux.Handle("POST "+p+"/zustellungen/{id}/erneut", staff(h.requeue))
	}
	mux.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		h.message(w, r, http.StatusNotFound, "notfound-title", "notfound-text", "")
	})
	return secure(h.language(mux))
}

// secure sets the security headers on every answer.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Cache-Control", "no-store") // every case-worker page is personal
		httpsec.Set(hd, r, "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

const langCookie = "ozgkit_casework_lang"

// language switches the pages' language with ?lang=de|en (kept in a cookie) and otherwise
// follows the cookie or the browser's Accept-Language.
func (h *handler) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l := r.URL.Query().Get("lang"); (l == "de" || l == "en") && r.Method == http.MethodGet {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: h.prefix + "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
			q := r.URL.Query()
			q.Del("lang")
			u := r.URL.Path
			if len(q) > 0 {
				u += "?" + q.Encode()
			}
			http.Redirect(w, r, u, http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "de" || c.Value == "en") {
		return c.Value
	}
	if al := strings.ToLower(r.Header.Get("Accept-Language")); strings.HasPrefix(al, "en") {
		return "en"
	}
	return "de"
}

// base is what every page shows and offers its template.
type base struct {
	Lang, Title, Prefix, Authority, CSRF string
	Staff                                Staff
	Errors                               []fieldMessage
	// Operator: the page links to the failed deliveries.
	Operator bool
}

type fieldMessage struct{ Field, Message string }

// T returns the text of key in the page's language.
func (b *base) T(key string) string { return tr(b.Lang, key) }

// FieldError returns the error message of a form field, or "".
func (b *base) FieldError(field string) string {
	for _, e := range b.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// StateLabel names a state in the page's language.
func (b *base) StateLabel(s ozg.State) string { return tr(b.Lang, "state-"+string(s)) }

// Euro formats cents.
func (b *base) Euro(cents int64) string { return document.Euro(cents) }

func (h *handler) base(r *http.Request, title string) *base {
	b := &base{Lang: langOf(r), Prefix: h.prefix, Authority: h.cw.authority, CSRF: identity.CSRFToken(r.Context())}
	if p, ok := identity.PrincipalFrom(r.Context()); ok {
		b.Staff = StaffFrom(p)
		b.Operator = h.outbox != nil && h.cw.Operator(b.Staff)
	}
	b.Title = b.T(title)
	return b
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelError, "casework: render", slog.String("page", page), slog.String("error", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

type messagePage struct {
	*base
	Text, Back, BackText string
}

func (h *handler) message(w http.ResponseWriter, r *http.Request, status int, title, text, back string, args ...any) {
	b := h.base(r, title)
	m := &messagePage{base: b, Text: b.T(text), Back: back}
	if len(args) > 0 {
		m.Text = fmt.Sprintf(m.Text, args...)
	}
	switch {
	case back == "":
		m.Back, m.BackText = h.prefix+"/", b.T("back-to-inbox")
	case strings.HasPrefix(back, h.prefix+"/faelle/"):
		m.BackText = b.T("back-to-case")
	default:
		m.BackText = b.T("back-to-page")
	}
	h.render(w, r, status, "message", m)
}

// staffOf returns the logged-in case worker, or answers 403 when they are assigned nothing.
func (h *handler) staffOf(w http.ResponseWriter, r *http.Request) (Staff, bool) {
	p, ok := identity.PrincipalFrom(r.Context())
	if !ok {
		h.message(w, r, http.StatusUnauthorized, "forbidden-title", "forbidden-text", "")
		return Staff{}, false
	}
	s := StaffFrom(p)
	if len(h.cw.Services(s)) == 0 {
		h.message(w, r, http.StatusForbidden, "forbidden-title", "forbidden-text", "")
		return Staff{}, false
	}
	return s, true
}

// fail answers an action's or a page's error with a page saying what happened.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error, id string) {
	switch {
	case errors.Is(err, ErrNotFound):
		h.message(w, r, http.StatusNotFound, "notfound-title", "notfound-text", "")
	case errors.Is(err, ErrForbidden):
		h.message(w, r, http.StatusForbidden, "forbidden-title", "forbidden-text", "")
	case errors.Is(err, evidence.ErrNotClean):
		h.message(w, r, http.StatusConflict, "not-clean-title", "not-clean-text", h.prefix+"/faelle/"+id)
	case errors.Is(err, ErrStateChanged):
		state := "?"
		if c, cerr := h.cw.store.Case(r.Context(), id); cerr == nil {
			state = tr(langOf(r), "state-"+string(c.State))
		}
		h.message(w, r, http.StatusConflict, "conflict-title", "conflict-text", h.prefix+"/faelle/"+id, state)
	default:
		h.log.LogAttrs(r.Context(), slog.LevelError, "casework: request failed", slog.String("case", id), slog.String("error", err.Error()))
		h.message(w, r, http.StatusInternalServerError, "error-title", "error-text", "")
	}
}

type serviceOption struct{ ID, Name string }

type inboxRow struct {
	ID, Reference, ServiceName, Received, ReceivedISO string
	State                                             ozg.State
	Evidence                                          int
}

type inboxPage struct {
	*base
	Filter struct {
		State, Service, Reference string
	}
	States      []ozg.State
	Services    []serviceOption
	Cases       []inboxRow
	Next, First string
}

func (h *handler) serviceName(id, lang string) string {
	svc, err := h.cw.j.Catalog.Service(id)
	if err != nil {
		return id
	}
	if lang == "en" && svc.NameEN != "" {
		return svc.NameEN
	}
	return svc.Name
}

func berlinTime(t time.Time) string { return t.In(document.Berlin()).Format("02.01.2006, 15:04") }

func (h *handler) inbox(w http.ResponseWriter, r *http.Request) {
	if h.operatorOnly(w, r) {
		return
	}
	s, ok := h.staffOf(w, r)
	if !ok {
		return
	}
	pg := &inboxPage{base: h.base(r, "inbox"), States: inboxStates}
	assigned := h.cw.Services(s)
	for _, id := range assigned {
		pg.Services = append(pg.Services, serviceOption{ID: id, Name: h.serviceName(id, pg.Lang)})
	}
	in := r.URL.Query()
	q := Query{Limit: 20, Cursor: in.Get("cursor")}
	pg.Filter.State, pg.Filter.Service, pg.Filter.Reference = in.Get("state"), in.Get("service"), strings.TrimSpace(in.Get("az"))
	if st := ozg.State(pg.Filter.State); st != "" {
		if slices.Contains(inboxStates, st) {
			q.State = st
		} else {
			pg.Errors = append(pg.Errors, fieldMessage{"state", pg.T("err-state")})
			pg.Filter.State = ""
		}
	}
	if sv := pg.Filter.Service; sv != "" {
		if slices.Contains(assigned, sv) {
			q.Service = sv
		} else {
			pg.Errors = append(pg.Errors, fieldMessage{"service", pg.T("err-service")})
			pg.Filter.Service = ""
		}
	}
	if ref := pg.Filter.Reference; ref != "" {
		if len(ref) <= MaxReferenceQuery && validReference.MatchString(ref) {
			q.Reference = ref
		} else {
			pg.Errors = append(pg.Errors, fieldMessage{"az", pg.T("err-az")})
			if len(pg.Filter.Reference) > MaxReferenceQuery {
				pg.Filter.Reference = pg.Filter.Reference[:MaxReferenceQuery]
			}
		}
	}
	cases, next, err := h.cw.List(r.Context(), s, q)
	if errors.Is(err, ErrBadCursor) || errors.Is(err, ErrInvalid) {
		q.Cursor = ""
		cases, next, err = h.cw.List(r.Context(), s, q)
	}
	if err != nil {
		h.fail(w, r, err, "")
		return
	}
	for _, c := range cases {
		pg.Cases = append(pg.Cases, inboxRow{
			ID: c.ID, Reference: c.Submission.Reference, ServiceName: h.serviceName(c.Submission.ServiceID, pg.Lang),
			State: c.State, Received: berlinTime(c.ReceivedAt), ReceivedISO: c.ReceivedAt.Format(time.RFC3339),
			Evidence: len(c.Submission.Attachments),
		})
	}
	link := func(cursor string) string {
		v := url.Values{}
		for k, val := range map[string]string{"state": string(q.State), "service": q.Service, "az": q.Reference, "cursor": cursor} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if len(v) == 0 {
			return h.prefix + "/"
		}
		return h.prefix + "/?" + v.Encode()
	}
	if next != "" {
		pg.Next = link(next)
	}
	if q.Cursor != "" {
		pg.First = link("")
	}
	status := http.StatusOK
	if len(pg.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, "inbox", pg)
}

type evidenceRow struct {
	N                                     int
	Requirement, Name, Type, Size, SHA512 string
}

type historyRow struct {
	When, ISO, What, Who, Detail string
}

type receivedRow struct {
	When, ISO, Requirement, Name, Type, Size, SHA512, Href string
}

type requirementOption struct {
	ID, Title string
	Checked   bool
}

type casePage struct {
	*base
	*View
	ServiceName, Received, ReceivedISO, Submitted, Done string
	Evidence                                            []evidenceRow
	Sent                                                []receivedRow
	Requirements                                        []requirementOption
	Queries, History                                    []historyRow
	Input                                               map[string]string
	Actions, CanAccept, CanReject, CanAsk, CanDecide    bool
}

func (h *handler) caseGet(w http.ResponseWriter, r *http.Request) {
	s, ok := h.staffOf(w, r)
	if !ok {
		return
	}
	done := ""
	if d := r.URL.Query().Get("erledigt"); slices.Contains([]string{"accepted", "rejected", "query", "decided"}, d) {
		done = "done-" + d
	}
	h.renderCase(w, r, s, r.PathValue("id"), http.StatusOK, done, nil, nil)
}

func (h *handler) renderCase(w http.ResponseWriter, r *http.Request, s Staff, id string, status int, done string, errs []fieldMessage, input map[string]string) {
	lang := langOf(r)
	v, err := h.cw.Open(r.Context(), s, id, lang)
	if err != nil {
		h.fail(w, r, err, id)
		return
	}
	b := h.base(r, "")
	b.Errors = errs
	sub := v.Case.Submission
	b.Title = sub.Reference
	pg := &casePage{base: b, View: v, ServiceName: h.serviceName(sub.ServiceID, lang),
		Received: berlinTime(v.Case.ReceivedAt), ReceivedISO: v.Case.ReceivedAt.Format(time.RFC3339),
		Submitted: berlinTime(sub.SubmittedAt), Input: input}
	if done != "" {
		pg.Done = b.T(done)
	}
	if pg.Input == nil {
		pg.Input = map[string]string{}
	}
	if _, ok := pg.Input["text"]; !ok {
		pg.Input["text"] = b.T("decision-template")
	}
	title := func(id string) string {
		rq, ok := v.Service.Requirement(id)
		switch {
		case !ok:
			return id
		case lang == "en" && rq.TitleEN != "":
			return rq.TitleEN
		}
		return rq.Title
	}
	for i, a := range sub.Attachments {
		pg.Evidence = append(pg.Evidence, evidenceRow{N: i, Requirement: title(a.RequirementID), Name: a.FileName, Type: a.MediaType, Size: document.Bytes(a.Size), SHA512: a.SHA512})
	}
	for _, e := range v.Received {
		pg.Sent = append(pg.Sent, receivedRow{When: berlinTime(e.At), ISO: e.At.Format(time.RFC3339), Requirement: title(e.RequirementID),
			Name: e.FileName, Type: e.MediaType, Size: document.Bytes(e.Size), SHA512: e.SHA512,
			Href: h.prefix + "/faelle/" + url.PathEscape(v.Case.ID) + "/nachgereicht/" + url.PathEscape(e.ID)})
	}
	asked := r.PostForm["requirements"]
	for _, rq := range v.Service.Evidence {
		pg.Requirements = append(pg.Requirements, requirementOption{ID: rq.ID, Title: title(rq.ID), Checked: slices.Contains(asked, rq.ID)})
	}
	for _, e := range v.Events {
		row := historyRow{When: berlinTime(e.At), ISO: e.At.Format(time.RFC3339), What: b.T("act-" + string(e.Action)), Detail: e.Detail}
		switch e.Action {
		case ActionEvidenceRequested:
			row.Detail = title(e.Detail)
		case ActionEvidenceReceived:
			if f, ok := receivedIn(e); ok {
				row.Detail = title(f.RequirementID) + ": " + f.FileName
			}
		}
		switch e.Actor.Kind {
		case "staff":
			row.Who = e.Actor.Name
		case "citizen":
			row.Who = b.T("citizen")
		default:
			row.Who = b.T("system")
		}
		pg.History = append(pg.History, row)
		if e.Action == ActionQuery || e.Action == ActionReply || e.Action == ActionEvidenceRequested || e.Action == ActionEvidenceReceived {
			pg.Queries = append(pg.Queries, row)
		}
	}
	st := v.Case.State
	pg.CanAccept = st == ozg.StateDelivered
	pg.CanReject = st == ozg.StateDelivered
	pg.CanAsk = st == ozg.StateDelivered || st == ozg.StateAccepted
	pg.CanDecide = st == ozg.StateDelivered || st == ozg.StateAccepted
	pg.Actions = pg.CanAccept || pg.CanAsk || pg.CanDecide
	h.render(w, r, status, "case", pg)
}

// act runs one action posted from the case page.
func (h *handler) act(w http.ResponseWriter, r *http.Request) {
	if !h.formPost(w, r) {
		return
	}
	s, ok := h.staffOf(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	ctx := r.Context()
	var err error
	var done string
	input := map[string]string{}
	switch r.PathValue("action") {
	case "annehmen":
		done, err = "accepted", h.cw.Accept(ctx, s, id)
	case "ablehnen":
		input["reason"] = r.PostFormValue("reason")
		done, err = "rejected", h.cw.Reject(ctx, s, id, input["reason"])
	case "rueckfrage":
		input["question"], input["due"] = r.PostFormValue("question"), r.PostFormValue("due")
		var due time.Time
		if input["due"] != "" {
			d, perr := time.ParseInLocation(time.DateOnly, input["due"], document.Berlin())
			if perr != nil {
				err = &FieldError{Field: "due", Reason: "invalid"}
				break
			}
			due = d.Add(24*time.Hour - time.Second)
		}
		done = "query"
		asked := r.PostForm["requirements"]
		if len(asked) > maxRequirementsAsked {
			err = &FieldError{Field: "requirements", Reason: "invalid"}
			break
		}
		_, err = h.cw.AskFor(ctx, s, id, Question{Text: input["question"], Requirements: asked, Due: due})
	case "bescheid":
		input["text"] = r.PostFormValue("text")
		done = "decided"
		_, err = h.cw.Decide(ctx, s, id, Decision{Text: input["text"]})
	default:
		h.message(w, r, http.StatusNotFound, "notfound-title", "notfound-text", "")
		return
	}
	var fe *FieldError
	switch {
	case errors.As(err, &fe):
		h.renderCase(w, r, s, id, http.StatusUnprocessableEntity, "", []fieldMessage{{fe.Field, tr(langOf(r), "err-"+fe.Reason)}}, input)
	case err != nil:
		h.fail(w, r, err, id)
	default:
		http.Redirect(w, r, h.prefix+"/faelle/"+url.PathEscape(id)+"?erledigt="+done, http.StatusSeeOther)
	}
}

// maxRequirementsAsked bounds the evidence requirements one query names.
const maxRequirementsAsked = 50

// downloadable are the sniffed types an evidence file is served as; anything else goes out
// as application/octet-stream.
var downloadable = []string{"application/pdf", "image/png", "image/jpeg"}

func attachmentHeaders(w http.ResponseWriter, mediaType, name string) {
	hd := w.Header()
	hd.Set("Content-Type", mediaType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
}

func (h *handler) evidence(w http.ResponseWriter, r *http.Request) {
	s, ok := h.staffOf(w, r)
	if !ok {
		return
	}
	id, ns := r.PathValue("id"), r.PathValue("n")
	n, err := strconv.Atoi(ns)
	if err != nil || len(ns) > 3 || n < 0 {
		h.message(w, r, http.StatusNotFound, "notfound-title", "notfound-text", "")
		return
	}
	a, rc, err := h.cw.OpenEvidence(r.Context(), s, id, n)
	if err != nil {
		h.fail(w, r, err, id)
		return
	}
	h.download(w, r, id, a.FileName, a.Size, a.SHA512, rc)
}

// receivedEvidence serves a file the citizen sent for a query, as a download.
func (h *handler) receivedEvidence(w http.ResponseWriter, r *http.Request) {
	s, ok := h.staffOf(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	e, rc, err := h.cw.OpenReceivedEvidence(r.Context(), s, id, r.PathValue("evidence"))
	if err != nil {
		h.fail(w, r, err, id)
		return
	}
	h.download(w, r, id, e.FileName, e.Size, e.SHA512, rc)
}

// download streams an evidence file as an attachment of its sniffed type (one of
// downloadable, else application/octet-stream) and closes rc. No Content-Length: the body goes
// out chunked, so when the bytes turn out not to match the recorded size and SHA-512,
// aborting before the last chunk leaves the download incomplete instead of handing over a
// file that looks whole.
func (h *handler) download(w http.ResponseWriter, r *http.Request, id, name string, size int64, sha string, rc io.ReadCloser) {
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 3072)
	head, _ := br.Peek(3072)
	mt, _, _ := strings.Cut(mimetype.Detect(head).String(), ";")
	if !slices.Contains(downloadable, mt) {
		mt = "application/octet-stream"
	}
	attachmentHeaders(w, mt, name)
	sum := sha512.New()
	copied, err := io.Copy(w, io.TeeReader(io.LimitReader(br, max(size, 0)+1), sum))
	if err == nil && (copied != size || !strings.EqualFold(hex.EncodeToString(sum.Sum(nil)), sha)) {
		err = fmt.Errorf("%d bytes read, %d recorded, or their SHA-512 differs", copied, size)
	}
	if err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelError, "casework: evidence download aborted", slog.String("case", id), slog.Int64("bytes", copied), slog.String("error", err.Error()))
		panic(http.ErrAbortHandler)
	}
}

func (h *handler) summary(w http.ResponseWriter, r *http.Request) {
	s, ok := h.staffOf(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	var buf bytes.Buffer
	if err := h.cw.WriteSummary(r.Context(), s, id, &buf); err != nil {
		h.fail(w, r, err, id)
		return
	}
	c, _ := h.cw.store.Case(r.Context(), id)
	name := "Antragsuebersicht.pdf"
	if c != nil {
		name = "Antragsuebersicht-" + fileSafe(c.Submission.Reference) + ".pdf"
	}
	attachmentHeaders(w, "application/pdf", name)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = buf.WriteTo(w)
}
