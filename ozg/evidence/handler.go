package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ozgkit/ozgkit/internal/problem"
)

// Applications tells the evidence handlers about the application (Antrag) a request names.
// Package ozg implements it over its application store, so this package needs neither ozg nor
// identity.
//
// Contract: Application returns the application id if and only if it belongs to owner; a
// missing application and another owner's application both give an error wrapping
// [ErrNotFound] (the handlers answer 404 for both, never 403).
type Applications interface {
	Application(ctx context.Context, owner, id string) (Application, error)
}

// ChangeHook is an optional method of [Applications]: the handlers call EvidenceChanged after
// they stored or deleted a file of application id. An error means the change must not stand
// (the application was submitted meanwhile): a new upload is deleted again and answered 409.
// Package ozg uses it to count the draft's version up, so a submission checks the evidence it
// commits.
type ChangeHook interface {
	EvidenceChanged(ctx context.Context, owner, id string) error
}

// ApplicationsFunc adapts a function to [Applications].
type ApplicationsFunc func(ctx context.Context, owner, id string) (Application, error)

// Application implements [Applications].
func (f ApplicationsFunc) Application(ctx context.Context, owner, id string) (Application, error) {
	return f(ctx, owner, id)
}

// Application is what the handlers need to know of an application.
type Application struct {
	ID string
	// Draft: evidence can be uploaded and deleted only while the application is a draft
	// (not yet submitted).
	Draft bool
	// Requirements are the evidence requirements of the application's service.
	Requirements []Requirement
}

// Handler serves the evidence routes of the citizen's journey; mount its methods or call
// [Handler.Register]. The application id and evidence id come from the request's path values
// "application" and "evidence" (http.ServeMux patterns, or set them with r.SetPathValue).
type Handler struct {
	m     *Manager
	apps  Applications
	owner func(*http.Request) (string, bool)
	opts  HandlerOptions
	log   *slog.Logger

	noDeadline sync.Once
}

// HandlerOptions tune a [Handler].
type HandlerOptions struct {
	// MultipartOverhead is how many bytes a multipart request may have beyond the largest
	// MaxSize of the application's requirements (boundaries, headers, the requirement field);
	// default 64 KiB.
	MultipartOverhead int64
	// Logger; default the Manager's.
	Logger *slog.Logger
	// UploadIdleTimeout is the longest an upload's body may pause without a byte, and the
	// grace before UploadMinRate applies (default 30 s). The upload sets these read
	// deadlines on its connection through http.ResponseController; they take the place of
	// the server's ReadTimeout for the body, so the server may keep a short one for
	// everything else. A client cut off is answered 408 and its connection closed; nothing
	// of the upload is kept.
	UploadIdleTimeout time.Duration
	// UploadMinRate is the least average rate, in bytes per second, at which an upload's
	// body must arrive once its grace has passed (default 8 KiB/s; negative disables).
	UploadMinRate int64
	// RequestID returns the id under which a request is logged (e.g. from the portal's
	// request-id middleware); it is logged with failures and handed to the citizen in the
	// problem's "requestId", never the failure itself. Nil: no id.
	RequestID func(*http.Request) string
}

// maxMultipartParts bounds the parts read before the file.
const maxMultipartParts = 8

// NewHandler returns the handlers. owner returns the authenticated citizen of a request (for
// example identity's principal id); false answers 401.
func NewHandler(m *Manager, apps Applications, owner func(*http.Request) (string, bool), opts *HandlerOptions) *Handler {
	h := &Handler{m: m, apps: apps, owner: owner}
	if opts != nil {
		h.opts = *opts
	}
	if h.opts.MultipartOverhead <= 0 {
		h.opts.MultipartOverhead = 64 << 10
	}
	if h.opts.UploadIdleTimeout <= 0 {
		h.opts.UploadIdleTimeout = 30 * time.Second
	}
	if h.opts.UploadMinRate == 0 {
		h.opts.UploadMinRate = 8 << 10
	}
	h.log = h.opts.Logger
	if h.log == nil {
		h.log = m.log
	}
	return h
}

// Register mounts the four routes on mux below prefix (e.g. "/api"):
//
//	POST   {prefix}/applications/{application}/evidence             Upload
//	GET    {prefix}/applications/{application}/evidence             List
//	GET    {prefix}/applications/{application}/evidence/{evidence}  Download
//	DELETE {prefix}/applications/{application}/evidence/{evidence}  Delete
func (h *Handler) Register(mux *http.ServeMux, prefix string) {
	base := prefix + "/applications/{application}/evidence"
	mux.HandleFunc("POST "+base, h.Upload)
	mux.HandleFunc("GET "+base, h.List)
	mux.HandleFunc("GET "+base+"/{evidence}", h.Download)
	mux.HandleFunc("DELETE "+base+"/{evidence}", h.Delete)
}

// application authenticates the request and looks its application up; on failure it has
// answered and returns false.
func (h *Handler) application(w http.ResponseWriter, r *http.Request) (Application, bool) {
	owner, ok := h.owner(r)
	if !ok || owner == "" {
		problem.Error(w, http.StatusUnauthorized, "Bitte melden Sie sich an.")
		return Application{}, false
	}
	id := r.PathValue("application")
	app, err := h.apps.Application(r.Context(), owner, id)
	if errors.Is(err, ErrNotFound) || (err == nil && app.ID != id) {
		problem.Error(w, http.StatusNotFound, "Antrag nicht gefunden.")
		return Application{}, false
	}
	if err != nil {
		h.log.Error("evidence: look up application", "err", err)
		problem.Error(w, http.StatusInternalServerError, "")
		return Application{}, false
	}
	return app, true
}

func notDraft(w http.ResponseWriter) {
	problem.Write(w, problem.Details{
		Status: http.StatusConflict,
		Detail: "Der Antrag ist bereits eingereicht; Nachweise können nicht mehr geändert werden.",
		Extra:  map[string]any{"code": "applicationSubmitted"},
	})
}

// Upload stores the file of a multipart/form-data request: first the field "requirement" (the
// requirement id), then one file part. It answers 201 with the evidence as JSON. A body that
// stalls or arrives below the minimum rate is cut off (408, see [HandlerOptions]); a body that
// ends early is answered 400 and a storage failure 500, both with a plain message (the
// details go to the log, with the request id). Nothing of a failed upload is kept.
func (h *Handler) Upload(w http.ResponseWriter, r *http.Request) {
	app, ok := h.application(w, r)
	if !ok {
		return
	}
	if !app.Draft {
		notDraft(w)
		return
	}
	var largest int64
	for _, req := range app.Requirements {
		largest = max(largest, req.MaxSize)
	}
	if largest == 0 {
		problem.Error(w, http.StatusConflict, "Für diese Leistung sind keine Nachweise vorgesehen.")
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "multipart/form-data" {
		problem.Error(w, http.StatusUnsupportedMediaType, "Erwartet wird multipart/form-data.")
		return
	}
	body := newUploadBody(w, r, h.opts.UploadIdleTimeout, h.opts.UploadMinRate)
	if !body.armed() {
		h.noDeadline.Do(func() {
			h.log.Warn("evidence: the ResponseWriter takes no read deadline (does a middleware wrap it without Unwrap?); only the server's timeouts bound stalled uploads")
		})
	}
	r.Body = http.MaxBytesReader(w, body, largest+h.opts.MultipartOverhead)
	f := failure{h: h, w: w, r: r, body: body}
	mr, err := r.MultipartReader()
	if err != nil {
		badRequest(w, "", "malformed", "Die Anfrage ist kein gültiges multipart/form-data.", "The request is not valid multipart/form-data: "+err.Error())
		return
	}
	reqID := ""
	for range maxMultipartParts {
		p, err := mr.NextPart()
		if err != nil {
			f.multipart(err, "Die Anfrage enthält keine Datei (Feld file).", "The request has no file part.")
			return
		}
		if p.FileName() == "" && p.FormName() == "requirement" {
			b, err := io.ReadAll(io.LimitReader(p, 65))
			if err != nil {
				f.multipart(err, "", "")
				return
			}
			if len(b) > 64 || len(b) == 0 {
				badRequest(w, "requirement", "invalid", "Das Feld requirement muss eine Nachweis-ID von 1 bis 64 Zeichen sein.", "The requirement field must be an id of 1 to 64 characters.")
				return
			}
			reqID = string(b)
			continue
		}
		if p.FormName() != "file" || p.FileName() == "" {
			badRequest(w, p.FormName(), "unknownField", "Unbekanntes Feld in der Anfrage: erwartet werden requirement und file.", fmt.Sprintf("Unexpected part %q: expected the fields requirement and file.", p.FormName()))
			return
		}
		if reqID == "" {
			badRequest(w, "requirement", "required", "Das Feld requirement muss vor der Datei stehen.", "The requirement field must precede the file part.")
			return
		}
		var req *Requirement
		for i := range app.Requirements {
			if app.Requirements[i].ID == reqID {
				req = &app.Requirements[i]
			}
		}
		if req == nil {
			problem.Write(w, problem.Details{Status: http.StatusUnprocessableEntity, Detail: "Unbekannter Nachweis.",
				Errors: []problem.FieldError{{Pointer: "requirement", Code: "unknown", Message: "Diese Leistung kennt den Nachweis nicht.", MessageEN: fmt.Sprintf("The service has no evidence requirement %q.", reqID)}}})
			return
		}
		e, err := h.m.UploadPart(r.Context(), app.ID, *req, p)
		if err != nil {
			f.upload(err)
			return
		}
		// One file per request: anything but the end of the body undoes the upload.
		if _, err := mr.NextPart(); err != io.EOF {
			_ = h.m.Delete(context.WithoutCancel(r.Context()), app.ID, e.ID)
			if err == nil {
				badRequest(w, "file", "tooManyParts", "Bitte laden Sie je Anfrage genau eine Datei hoch.", "Upload exactly one file per request.")
			} else {
				f.multipart(err, "", "")
			}
			return
		}
		if err := h.changed(r, app.ID); err != nil {
			_ = h.m.Delete(context.WithoutCancel(r.Context()), app.ID, e.ID)
			h.log.Info("evidence: upload refused after storing", "err", err)
			notDraft(w)
			return
		}
		w.Header().Set("Location", r.URL.Path+"/"+e.ID)
		writeJSON(w, http.StatusCreated, e)
		return
	}
	badRequest(w, "", "tooManyParts", "Die Anfrage hat zu viele Teile.", fmt.Sprintf("More than %d parts before the file.", maxMultipartParts))
}

func badRequest(w http.ResponseWriter, field, code, de, en string) {
	d := problem.Details{Status: http.StatusBadRequest, Detail: de}
	if field != "" {
		d.Errors = []problem.FieldError{{Pointer: field, Code: code, Message: de, MessageEN: en}}
	} else {
		d.Extra = map[string]any{"code": code, "detailEn": en}
	}
	problem.Write(w, d)
}

// failure answers the failures of one upload request.
type failure struct {
	h    *Handler
	w    http.ResponseWriter
	r    *http.Request
	body *uploadBody
}

// client answers a failure of the client's body (cut off for slowness, truncated, gone) with
// a plain message and reports whether it was one. Details go to the log only.
func (f failure) client(err error) bool {
	if f.body.err != nil {
		// What is left of a failed body is not worth reading: the connection closes.
		f.w.Header().Set("Connection", "close")
	}
	var mbe *http.MaxBytesError
	switch {
	case f.body.timeout:
		f.log(slog.LevelInfo, "evidence: upload cut off: too slow or stalled", err)
		f.write(problem.Details{Status: http.StatusRequestTimeout, Detail: "Die Datei kam zu langsam an; die Übertragung wurde abgebrochen. Bitte versuchen Sie es noch einmal.",
			Extra: map[string]any{"code": "timeout", "detailEn": "The upload was too slow or stalled and was cut off."}})
	case errors.As(err, &mbe):
		return false
	case f.body.err != nil, errors.Is(err, io.ErrUnexpectedEOF), f.r.Context().Err() != nil:
		f.log(slog.LevelInfo, "evidence: upload incomplete", err)
		f.write(problem.Details{Status: http.StatusBadRequest, Detail: "Die Datei kam nicht vollständig an.",
			Errors: []problem.FieldError{{Pointer: "file", Code: "incomplete", Message: "Die Datei kam nicht vollständig an.", MessageEN: "The upload did not arrive completely."}}})
	default:
		return false
	}
	return true
}

// multipart answers an error of reading the multipart body.
func (f failure) multipart(err error, eofDE, eofEN string) {
	var mbe *http.MaxBytesError
	switch {
	case f.client(err):
	case errors.As(err, &mbe):
		problem.Write(f.w, problem.Details{Status: http.StatusRequestEntityTooLarge, Detail: "Die Anfrage ist zu groß.",
			Errors: []problem.FieldError{{Pointer: "file", Code: "tooLarge", Message: "Die Datei ist zu groß.", MessageEN: fmt.Sprintf("The request is larger than %d bytes.", mbe.Limit)}}})
	case err == io.EOF && eofDE != "":
		badRequest(f.w, "file", "required", eofDE, eofEN)
	default:
		// The multipart reader's own errors name the client's syntax only.
		badRequest(f.w, "", "malformed", "Die Anfrage ist kein gültiges multipart/form-data.", "The multipart body is malformed: "+err.Error())
	}
}

// upload answers an error of the pipeline: a refusal with its message, a failure of the
// client's body plainly, anything else (the blob store, the metadata store, the scanner) as
// 500 with the request id and without the error, which goes to the log.
func (f failure) upload(err error) {
	var re *RefusedError
	if errors.As(err, &re) {
		status, code := http.StatusUnprocessableEntity, "invalid"
		switch {
		case errors.Is(err, ErrTooLarge):
			status, code = http.StatusRequestEntityTooLarge, "tooLarge"
		case errors.Is(err, ErrEmpty):
			code = "empty"
		case errors.Is(err, ErrMediaType):
			status, code = http.StatusUnsupportedMediaType, "mediaType"
		case errors.Is(err, ErrExtensionMismatch):
			code = "extensionMismatch"
		case errors.Is(err, ErrTooManyFiles):
			status, code = http.StatusConflict, "tooManyFiles"
		case errors.Is(err, ErrInfected):
			code = "infected"
		}
		problem.Write(f.w, problem.Details{Status: status, Detail: re.Message,
			Errors: []problem.FieldError{{Pointer: re.Field, Code: code, Message: re.Message, MessageEN: re.MessageEN}}})
		return
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		f.multipart(mbe, "", "")
		return
	}
	if f.client(err) {
		return
	}
	f.log(slog.LevelError, "evidence: upload failed", err)
	f.write(problem.Details{Status: http.StatusInternalServerError,
		Detail: "Die Datei konnte gerade nicht gespeichert werden. Bitte versuchen Sie es später noch einmal.",
		Extra:  map[string]any{"code": "storageFailed"}})
}

func (f failure) log(level slog.Level, msg string, err error) {
	attrs := []slog.Attr{slog.String("application", f.r.PathValue("application")), slog.String("err", err.Error())}
	if id := f.requestID(); id != "" {
		attrs = append(attrs, slog.String("request", id))
	}
	f.h.log.LogAttrs(f.r.Context(), level, msg, attrs...)
}

// write answers d, with the request id when there is one.
func (f failure) write(d problem.Details) {
	if id := f.requestID(); id != "" {
		if d.Extra == nil {
			d.Extra = map[string]any{}
		}
		d.Extra["requestId"] = id
	}
	problem.Write(f.w, d)
}

func (f failure) requestID() string {
	if f.h.opts.RequestID == nil {
		return ""
	}
	id := f.h.opts.RequestID(f.r)
	if len(id) > 128 {
		id = id[:128]
	}
	return id
}

// List answers the application's evidence as JSON: {"evidence": [...]}.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
	app, ok := h.application(w, r)
	if !ok {
		return
	}
	list, err := h.m.List(r.Context(), app.ID)
	if err != nil {
		h.log.Error("evidence: list", "err", err)
		problem.Error(w, http.StatusInternalServerError, "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"evidence": list})
}

// Download sends the bytes of one clean evidence as an attachment with its sniffed media type,
// a safe Content-Disposition and X-Content-Type-Options: nosniff.
func (h *Handler) Download(w http.ResponseWriter, r *http.Request) {
	app, ok := h.application(w, r)
	if !ok {
		return
	}
	e, rc, err := h.m.Open(r.Context(), app.ID, r.PathValue("evidence"))
	if err != nil {
		h.evidenceError(w, err, e)
		return
	}
	defer rc.Close()
	hd := w.Header()
	hd.Set("Content-Type", e.MediaType)
	hd.Set("Content-Length", strconv.FormatInt(e.Size, 10))
	hd.Set("Content-Disposition", ContentDisposition(e.FileName))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, rc); err != nil {
		h.log.Warn("evidence: download interrupted", "evidence", e.ID, "err", err)
	}
}

// ContentDisposition returns an attachment header value for a (sanitised) file name: the
// name quoted as RFC 2616 allows when it is ASCII, RFC 2231/5987 encoded (filename*) otherwise.
func ContentDisposition(fileName string) string {
	name := SanitizeFileName(fileName)
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}

// Delete removes one evidence of a draft application; 204 on success.
func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) {
	app, ok := h.application(w, r)
	if !ok {
		return
	}
	if !app.Draft {
		notDraft(w)
		return
	}
	if err := h.m.Delete(r.Context(), app.ID, r.PathValue("evidence")); err != nil {
		h.evidenceError(w, err, Evidence{})
		return
	}
	if err := h.changed(r, app.ID); err != nil {
		h.log.Warn("evidence: after delete", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// changed calls the applications' ChangeHook, when they have one.
func (h *Handler) changed(r *http.Request, applicationID string) error {
	hook, ok := h.apps.(ChangeHook)
	if !ok {
		return nil
	}
	owner, _ := h.owner(r)
	return hook.EvidenceChanged(r.Context(), owner, applicationID)
}

func (h *Handler) evidenceError(w http.ResponseWriter, err error, e Evidence) {
	switch {
	case errors.Is(err, ErrNotFound):
		problem.Error(w, http.StatusNotFound, "Nachweis nicht gefunden.")
	case errors.Is(err, ErrNotClean):
		problem.Write(w, problem.Details{Status: http.StatusConflict,
			Detail: "Der Nachweis ist (noch) nicht als virenfrei geprüft.",
			Extra:  map[string]any{"scanState": e.ScanState}})
	default:
		h.log.Error("evidence: request failed", "err", err)
		problem.Error(w, http.StatusInternalServerError, "")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
