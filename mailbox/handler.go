package mailbox

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/ozgkit/ozgkit/internal/problem"
)

// CitizenFunc tells the handler who sends a request: the subject and trust level of the
// session. The portal supplies it (from identity's session or bearer token), so mailbox does
// not depend on identity. An error, or an empty Subject, answers 401.
type CitizenFunc func(r *http.Request) (Citizen, error)

// HandlerOptions configure [NewHandler]. Nil gives the defaults.
type HandlerOptions struct {
	// Prefix is the path below which the routes live, e.g. "/api"; default "" (routes start
	// at /mailbox). It has no trailing slash.
	Prefix string
	// Logger logs server errors, never personal data; default slog.Default().
	Logger *slog.Logger
}

// maxReplyRequest bounds the JSON body of a reply: the text's 64 KiB, escaped, plus framing.
const maxReplyRequest = 6*MaxBodySize + 1024

type handler struct {
	mb      *Mailbox
	citizen CitizenFunc
	prefix  string
	log     *slog.Logger
}

// NewHandler returns the mailbox's JSON API (errors as application/problem+json):
//
//	GET  {prefix}/mailbox                        list: ?kind=&application=&limit=&cursor=
//	GET  {prefix}/mailbox/{id}                   read one message (marks it read)
//	GET  {prefix}/mailbox/{id}/attachments/{n}   download attachment n (from 0), streamed
//	POST {prefix}/mailbox/{id}/reply             answer a query: {"body": "..."}
//
// Another citizen's message answers 404, never 403; a message above the session's trust level
// answers 403 naming the level needed (member "requiredLevel"). Bodies are plain text and JSON
// escapes <, > and &, so markup in them is never interpreted.
func NewHandler(mb *Mailbox, citizen CitizenFunc, opts *HandlerOptions) http.Handler {
	h := &handler{mb: mb, citizen: citizen}
	if opts != nil {
		h.prefix, h.log = opts.Prefix, opts.Logger
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	mux := http.NewServeMux()
	p := h.prefix
	mux.HandleFunc("GET "+p+"/mailbox", h.list)
	mux.HandleFunc("GET "+p+"/mailbox/{id}", h.read)
	mux.HandleFunc("GET "+p+"/mailbox/{id}/attachments/{n}", h.attachment)
	mux.HandleFunc("POST "+p+"/mailbox/{id}/reply", h.reply)
	for path, allow := range map[string]string{
		p + "/mailbox": "GET, HEAD", p + "/mailbox/{id}": "GET, HEAD",
		p + "/mailbox/{id}/attachments/{n}": "GET, HEAD", p + "/mailbox/{id}/reply": "POST",
	} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			problem.Error(w, http.StatusMethodNotAllowed, "Diese Methode ist hier nicht erlaubt.")
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem.Error(w, http.StatusNotFound, "Diese Adresse gibt es nicht.")
	})
	return mux
}

type attachmentJSON struct {
	Index     int    `json:"index"`
	Name      string `json:"name"`
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
	SHA512    string `json:"sha512"`
	Href      string `json:"href"`
}

type messageJSON struct {
	ID           string           `json:"id"`
	Kind         Kind             `json:"kind"`
	Status       Status           `json:"status,omitempty"`
	Subject      string           `json:"subject,omitempty"`
	Body         *string          `json:"body,omitempty"`
	Sender       Sender           `json:"sender"`
	Application  string           `json:"application,omitempty"`
	Service      string           `json:"service,omitempty"`
	MinLevel     Level            `json:"minLevel"`
	Locked       bool             `json:"locked,omitempty"`
	Created      time.Time        `json:"created"`
	ReadAt       time.Time        `json:"readAt,omitzero"`
	ReplyAllowed bool             `json:"replyAllowed,omitempty"`
	Due          time.Time        `json:"due,omitzero"`
	InReplyTo    string           `json:"inReplyTo,omitempty"`
	ReplyID      string           `json:"replyId,omitempty"`
	Attachments  []attachmentJSON `json:"attachments,omitempty"`
}

type listJSON struct {
	Messages []messageJSON `json:"messages"`
	Unread   int           `json:"unread"`
	Next     string        `json:"next,omitempty"`
}

func (h *handler) view(m *Message, withBody, locked bool) messageJSON {
	v := messageJSON{
		ID: m.ID, Kind: m.Kind, Status: m.Status, Subject: m.Subject, Sender: m.Sender,
		Application: m.Application, Service: m.Service, MinLevel: m.MinLevel, Locked: locked,
		Created: m.Created, ReadAt: m.ReadAt, ReplyAllowed: m.ReplyAllowed, Due: m.Due,
		InReplyTo: m.InReplyTo, ReplyID: m.ReplyID,
	}
	if withBody {
		v.Body = &m.Body
	}
	for i, a := range m.Attachments {
		v.Attachments = append(v.Attachments, attachmentJSON{
			Index: i, Name: a.Name, MediaType: a.MediaType, Size: a.Size, SHA512: a.SHA512,
			Href: fmt.Sprintf("%s/mailbox/%s/attachments/%d", h.prefix, m.ID, i),
		})
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// Encoder escapes <, > and & as \u003c, \u003e, \u0026 (SetEscapeHTML is on by default).
	_ = json.NewEncoder(w).Encode(v)
}

func (h *handler) who(w http.ResponseWriter, r *http.Request) (Citizen, bool) {
	c, err := h.citizen(r)
	if err != nil || c.Subject == "" {
		problem.Error(w, http.StatusUnauthorized, "Bitte melden Sie sich an, um Ihr Postfach zu öffnen.")
		return Citizen{}, false
	}
	return c, true
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	c, ok := h.who(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	o := ListOptions{
		Filter: Filter{Application: q.Get("application"), Kind: Kind(q.Get("kind"))},
		Cursor: q.Get("cursor"),
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			h.fail(w, r, &ValidationError{Errors: []FieldError{{Field: "limit", Code: "invalid",
				Message: "Die Seitengröße muss eine positive ganze Zahl sein.", MessageEN: "limit must be a positive integer"}}})
			return
		}
		o.Limit = n
	}
	page, err := h.mb.List(r.Context(), c, o)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := listJSON{Messages: make([]messageJSON, 0, len(page.Entries)), Unread: page.Unread, Next: page.Next}
	for i := range page.Entries {
		e := &page.Entries[i]
		out.Messages = append(out.Messages, h.view(&e.Message, false, e.Locked))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) read(w http.ResponseWriter, r *http.Request) {
	c, ok := h.who(w, r)
	if !ok {
		return
	}
	read := h.mb.Read
	if r.Method == http.MethodHead {
		read = h.mb.get // a HEAD request does not mark the message read
	}
	m, err := read(r.Context(), c, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.view(&m, true, false))
}

func (h *handler) attachment(w http.ResponseWriter, r *http.Request) {
	c, ok := h.who(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= MaxAttachments {
		problem.Error(w, http.StatusNotFound, "Diesen Anhang gibt es nicht.")
		return
	}
	a, rc, err := h.mb.OpenAttachment(r.Context(), c, r.PathValue("id"), n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer rc.Close()
	hd := w.Header()
	hd.Set("Content-Type", a.MediaType)
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
	if disp == "" {
		disp = "attachment"
	}
	hd.Set("Content-Disposition", disp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hd.Set("Cache-Control", "private, no-store")
	if sum, err := hex.DecodeString(a.SHA512); err == nil {
		hd.Set("Repr-Digest", "sha-512=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	// No Content-Length: the body is sent chunked, so if the stored bytes turn out not to match
	// their hash the aborted response is incomplete for the client, not silently wrong.
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, rc); err != nil {
		if errors.Is(err, ErrCorrupt) {
			h.log.Error("mailbox: attachment bytes do not match their hash", "message", r.PathValue("id"), "attachment", n)
		}
		panic(http.ErrAbortHandler)
	}
}

type replyRequest struct {
	Body string `json:"body"`
}

func (h *handler) reply(w http.ResponseWriter, r *http.Request) {
	c, ok := h.who(w, r)
	if !ok {
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		problem.Error(w, http.StatusUnsupportedMediaType, "Die Antwort muss als application/json gesendet werden.")
		return
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxReplyRequest))
	dec.DisallowUnknownFields()
	var req replyRequest
	err := dec.Decode(&req)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON object")
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			problem.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Die Anfrage ist größer als %d Bytes.", maxReplyRequest))
			return
		}
		problem.Write(w, problem.Details{Status: http.StatusBadRequest, Detail: "Die Anfrage ist kein gültiges JSON-Objekt {\"body\": \"...\"}.",
			Errors: []problem.FieldError{{Pointer: "/body", Code: "invalid", Message: "Ungültiges JSON.", MessageEN: err.Error()}}})
		return
	}
	m, err := h.mb.Reply(r.Context(), c, r.PathValue("id"), req.Body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/mailbox/%s", h.prefix, m.ID))
	writeJSON(w, http.StatusCreated, h.view(&m, true, false))
}

// fail answers err as a problem document.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *ValidationError
	var le *LevelError
	switch {
	case errors.As(err, &ve):
		d := problem.Details{Status: http.StatusBadRequest, Detail: "Die Angaben sind nicht gültig."}
		for _, f := range ve.Errors {
			d.Errors = append(d.Errors, problem.FieldError{Pointer: "/" + f.Field, Code: f.Code, Message: f.Message, MessageEN: f.MessageEN})
		}
		problem.Write(w, d)
	case errors.As(err, &le):
		problem.Write(w, problem.Details{
			Status: http.StatusForbidden,
			Detail: fmt.Sprintf("Diese Nachricht erfordert das Vertrauensniveau %q; Ihre Anmeldung hat %q. Bitte melden Sie sich mit einem stärkeren Verfahren an.", le.Required, le.Have),
			Extra:  map[string]any{"requiredLevel": le.Required.String(), "currentLevel": le.Have.String()},
		})
	case errors.Is(err, ErrBadCursor):
		problem.Write(w, problem.Details{Status: http.StatusBadRequest, Detail: "Der Blätter-Verweis ist ungültig.",
			Errors: []problem.FieldError{{Pointer: "cursor", Code: "invalid", Message: "Der Blätter-Verweis ist ungültig oder wurde verändert.", MessageEN: "invalid or altered cursor"}}})
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrNoAttachment):
		problem.Error(w, http.StatusNotFound, "Diese Nachricht gibt es in Ihrem Postfach nicht.")
	case errors.Is(err, ErrAlreadyReplied):
		problem.Error(w, http.StatusConflict, "Sie haben auf diese Rückfrage bereits geantwortet.")
	case errors.Is(err, ErrReplyNotAllowed):
		problem.Error(w, http.StatusConflict, "Auf diese Nachricht kann nicht (mehr) geantwortet werden.")
	default:
		if r.Context().Err() == nil {
			h.log.Error("mailbox: request failed", "method", r.Method, "pattern", r.Pattern, "err", err)
		}
		problem.Error(w, http.StatusInternalServerError, "Ein interner Fehler ist aufgetreten.")
	}
}
