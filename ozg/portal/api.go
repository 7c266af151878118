package portal

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/internal/problem"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/payment"
)

// openAPI is the OpenAPI 3.1 description of the API's routes, served at /openapi.json.
//
//go:embed openapi.json
var openAPI []byte

// maxJSONBody bounds a JSON request body: a form document plus its envelope.
const maxJSONBody = forms.MaxDocumentSize + 64<<10

// API is the http.Handler of the citizen's journey as JSON over HTTP: catalogue, drafts,
// evidence, payment, submission and mailbox, with errors as application/problem+json (RFC
// 7807). Every step calls a method of ozg.Applications, where the journey's rules live. Wrap it
// in identity's Gate.Authenticate, which puts the citizen's Principal on the request; every
// application route needs one at the service's trust level.
type API struct {
	openAPI  []byte
	cfg      APIConfig
	mux      *http.ServeMux
	logger   *slog.Logger
	evidence *evidence.Handler
}

// APIConfig wires an API. Catalog and Applications are required; Evidence is required when a
// service has evidence requirements (the uploads' HTTP handling; the rules are Applications').
type APIConfig struct {
	Catalog      *ozg.Catalog
	Applications *ozg.Applications
	// Evidence keeps uploads (Nachweise); the same store Applications was given.
	Evidence *evidence.Manager
	// Mailbox serves the citizen's Postfach at /mailbox when set.
	Mailbox *mailbox.Mailbox
	// Prefix is the path the routes live below, e.g. "/api"; "" for none.
	Prefix string
	// BaseURL is the portal's public URL (e.g. "https://portal.kiel.example"); the payment
	// provider returns citizens to BaseURL + Prefix + "/applications/{id}/payment/return".
	BaseURL string
	// PaymentDone, when set, is where a citizen's browser goes after the payment return was
	// handled, with ?application=<id>&state=<payment state>; otherwise the return answers JSON.
	PaymentDone string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// NewAPI checks cfg and returns the API.
func NewAPI(cfg APIConfig) (*API, error) {
	if cfg.Catalog == nil || cfg.Applications == nil {
		return nil, errors.New("portal: the API needs a Catalog and Applications")
	}
	if cfg.Prefix != "" && (!strings.HasPrefix(cfg.Prefix, "/") || strings.HasSuffix(cfg.Prefix, "/")) {
		return nil, fmt.Errorf("portal: API prefix %q must start with / and not end with it", cfg.Prefix)
	}
	if err := cfg.Applications.CheckServices(); err != nil {
		return nil, err
	}
	hasFee := false
	for _, s := range cfg.Catalog.Services() {
		if len(s.Evidence) > 0 && cfg.Evidence == nil {
			return nil, fmt.Errorf("portal: service %s has evidence requirements but the API has no Evidence manager", s.ID)
		}
		hasFee = hasFee || s.FeeDueOnline()
	}
	if hasFee {
		if _, err := ozg.CheckBaseURL(cfg.BaseURL); err != nil {
			return nil, fmt.Errorf("portal: API with payments: %w", err)
		}
	}
	doc, err := openAPIFor(cfg.Prefix)
	if err != nil {
		return nil, err
	}
	p := &API{cfg: cfg, mux: http.NewServeMux(), logger: cfg.Logger, openAPI: doc}
	if p.logger == nil {
		p.logger = slog.Default()
	}
	p.routes()
	return p, nil
}

func (p *API) routes() {
	pre := p.cfg.Prefix
	h := func(pattern string, fn http.HandlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		p.mux.HandleFunc(method+" "+pre+path, fn)
	}
	h("GET /openapi.json", p.serveOpenAPI)
	h("GET /session", p.session)
	h("GET /services", p.listServices)
	h("GET /services/{service}", p.getService)
	h("GET /services/{service}/form", p.getForm)
	h("POST /services/{service}/applications", p.createApplication)
	h("GET /applications", p.listApplications)
	h("GET /applications/{application}", p.getApplication)
	h("PUT /applications/{application}", p.saveApplication)
	h("POST /applications/{application}/withdraw", p.withdrawApplication)
	h("POST /applications/{application}/submit", p.submitApplication)
	h("POST /applications/{application}/payment", p.startPayment)
	h("GET /applications/{application}/payment/return", p.paymentReturn)
	if p.cfg.Evidence != nil {
		p.evidence = evidence.NewHandler(p.cfg.Evidence, evidenceApps{p}, p.owner,
			&evidence.HandlerOptions{Logger: p.logger, RequestID: func(r *http.Request) string { return RequestID(r.Context()) }})
		inner := http.NewServeMux()
		p.evidence.Register(inner, pre)
		guarded := p.levelGate(inner)
		p.mux.Handle("POST "+pre+"/applications/{application}/evidence", guarded)
		p.mux.Handle("GET "+pre+"/applications/{application}/evidence", guarded)
		p.mux.Handle("GET "+pre+"/applications/{application}/evidence/{evidence}", guarded)
		p.mux.Handle("DELETE "+pre+"/applications/{application}/evidence/{evidence}", guarded)
	}
	if p.cfg.Mailbox != nil {
		mh := mailbox.NewHandler(p.cfg.Mailbox, citizen, &mailbox.HandlerOptions{Prefix: pre, Logger: p.logger})
		p.mux.Handle(pre+"/mailbox", mh)
		p.mux.Handle(pre+"/mailbox/", mh)
	}
}

// ServeHTTP implements http.Handler.
func (p *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	h, pattern := p.mux.Handler(r)
	if pattern == "" { // unknown route or wrong method: a problem document, not Go's plain text
		notFoundOrMethod(w, r, h)
		return
	}
	p.mux.ServeHTTP(w, r)
}

// session answers who is logged in, at which level, and the CSRF token that state-changing
// requests with the session cookie must carry in the X-CSRF-Token header.
func (p *API) session(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.principal(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"subject": pr.Subject, "level": pr.Level.String(), "method": pr.Method,
		"givenNames": pr.GivenNames, "familyName": pr.FamilyName,
		"csrfToken": identity.CSRFToken(r.Context()),
	})
}

// citizen tells the mailbox handler who asks.
func citizen(r *http.Request) (mailbox.Citizen, error) {
	pr, ok := identity.PrincipalFrom(r.Context())
	if !ok || !pr.Authenticated() {
		return mailbox.Citizen{}, errors.New("not logged in")
	}
	return mailbox.Citizen{Subject: pr.Subject, Level: mailbox.Level(pr.Level)}, nil
}

// owner returns the authenticated citizen's subject.
func (p *API) owner(r *http.Request) (string, bool) {
	pr, ok := identity.PrincipalFrom(r.Context())
	if !ok || !pr.Authenticated() {
		return "", false
	}
	return pr.Subject, true
}

// evidenceApps is the journey as the evidence handlers see it: the application's state and
// requirements, and the hook that keeps the draft's version in step with its evidence.
type evidenceApps struct{ p *API }

func (e evidenceApps) Application(ctx context.Context, owner, id string) (evidence.Application, error) {
	return e.p.evidenceApplication(ctx, owner, id)
}

func (e evidenceApps) EvidenceChanged(ctx context.Context, owner, id string) error {
	return e.p.cfg.Applications.EvidenceChanged(ctx, owner, id)
}

// evidenceApplication tells the evidence handlers about an application of owner.
func (p *API) evidenceApplication(ctx context.Context, owner, id string) (evidence.Application, error) {
	a, err := p.cfg.Applications.Get(ctx, owner, id)
	if errors.Is(err, ozg.ErrNotFound) {
		return evidence.Application{}, fmt.Errorf("%w: application %s", evidence.ErrNotFound, id)
	}
	if err != nil {
		return evidence.Application{}, err
	}
	svc, err := p.cfg.Catalog.Service(a.ServiceID)
	if err != nil {
		return evidence.Application{}, err
	}
	return evidence.Application{ID: a.ID, Draft: a.State == ozg.StateDraft, Requirements: svc.Evidence}, nil
}

// levelGate answers for the application a request names: 401 without login, 404 for another
// owner's application, 403 when the login's level is below the service's.
func (p *API) levelGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, _, ok := p.application(w, r); ok {
			next.ServeHTTP(w, r)
		}
	})
}

// principal returns the logged-in citizen or answers 401.
func (p *API) principal(w http.ResponseWriter, r *http.Request) (*identity.Principal, bool) {
	pr, ok := identity.PrincipalFrom(r.Context())
	if !ok || !pr.Authenticated() {
		problem.Write(w, problem.Details{Status: http.StatusUnauthorized, Detail: "Bitte melden Sie sich an. (Please log in.)"})
		return nil, false
	}
	return pr, true
}

// meetsLevel answers 403 naming the level when pr's login is below what svc requires.
func meetsLevel(w http.ResponseWriter, pr *identity.Principal, svc *ozg.Service) bool {
	if pr.Level.Meets(svc.Level) {
		return true
	}
	problem.Write(w, problem.Details{
		Status: http.StatusForbidden,
		Title:  "Vertrauensniveau zu niedrig",
		Detail: fmt.Sprintf("Diese Leistung verlangt eine Anmeldung mit Vertrauensniveau %s; Sie sind mit %s angemeldet. (This service needs trust level %s; your login is %s.)",
			svc.Level, pr.Level, svc.Level, pr.Level),
		Extra: map[string]any{"requiredLevel": svc.Level.String(), "currentLevel": pr.Level.String()},
	})
	return false
}

// application loads the application the route names for the logged-in owner and checks the
// service's level, answering the error itself when it returns false.
func (p *API) application(w http.ResponseWriter, r *http.Request) (*identity.Principal, *ozg.Application, *ozg.Service, bool) {
	pr, ok := p.principal(w, r)
	if !ok {
		return nil, nil, nil, false
	}
	a, err := p.cfg.Applications.Get(r.Context(), pr.Subject, r.PathValue("application"))
	if err != nil {
		p.fail(w, r, err)
		return nil, nil, nil, false
	}
	svc, err := p.cfg.Catalog.Service(a.ServiceID)
	if err != nil {
		p.fail(w, r, err)
		return nil, nil, nil, false
	}
	if !meetsLevel(w, pr, svc) {
		return nil, nil, nil, false
	}
	return pr, a, svc, true
}

// fail answers err as a problem document.
func (p *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *forms.ValidationError
	var te *ozg.TransitionError
	var ie *ozg.IncompleteError
	var pfe *payment.FieldError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ie):
		problems := make([]problem.FieldError, 0, len(ie.Problems))
		for _, p := range ie.Problems {
			problems = append(problems, problem.FieldError{Pointer: p.Field, Code: p.Code, Message: p.Message, MessageEN: p.MessageEN})
		}
		problem.Write(w, problem.Details{Status: http.StatusUnprocessableEntity, Title: "Antrag unvollständig",
			Detail: "Es fehlen noch Nachweise oder die Zahlung. (Evidence or payment is missing.)", Errors: problems})
	case errors.As(err, &ve):
		problem.Write(w, problem.Details{Status: http.StatusUnprocessableEntity, Title: "Angaben unvollständig oder fehlerhaft",
			Detail: "Bitte prüfen Sie die markierten Felder. (Please check the marked fields.)", Errors: ve.Problem()})
	case errors.As(err, &mbe):
		problem.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit))
	case errors.Is(err, ozg.ErrNotFound), errors.Is(err, payment.ErrNotFound), errors.Is(err, evidence.ErrNotFound):
		problem.Error(w, http.StatusNotFound, "not found")
	case errors.As(err, &te):
		problem.Write(w, problem.Details{Status: http.StatusConflict, Detail: err.Error(), Extra: map[string]any{"state": string(te.From)}})
	case errors.Is(err, ozg.ErrConflict), errors.Is(err, ozg.ErrInvalidTransition), errors.Is(err, ozg.ErrDuplicateSubmission),
		errors.Is(err, payment.ErrKeyReused), errors.Is(err, payment.ErrConflict):
		problem.Error(w, http.StatusConflict, err.Error())
	case errors.Is(err, ozg.ErrFeeAttempts):
		problem.Error(w, http.StatusConflict, fmt.Sprintf("%d Zahlungsversuche sind fehlgeschlagen; bitte wenden Sie sich an die Behörde. (%d payment attempts failed; please contact the authority.)", ozg.MaxPaymentAttempts, ozg.MaxPaymentAttempts))
	case errors.Is(err, ozg.ErrBadCursor), errors.Is(err, ozg.ErrBadPage):
		problem.Error(w, http.StatusBadRequest, err.Error())
	case errors.As(err, &pfe), errors.Is(err, ozg.ErrInvalidApplication):
		problem.Error(w, http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, payment.ErrUnavailable), errors.Is(err, ozg.ErrFeeUnavailable):
		problem.Error(w, http.StatusServiceUnavailable, "Der Bezahldienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut. (The payment provider is unavailable; please try again later.)")
	case errors.Is(err, payment.ErrProvider):
		problem.Error(w, http.StatusBadGateway, "Der Bezahldienst hat die Zahlung abgelehnt. Bitte versuchen Sie es später erneut oder wenden Sie sich an die Behörde. (The payment provider refused the payment.)")
	case errors.Is(err, payment.ErrMismatch):
		problem.Error(w, http.StatusBadGateway, "the payment provider reported a transaction that does not match the payment")
	case errors.Is(err, context.Canceled):
		problem.Error(w, http.StatusServiceUnavailable, "request canceled")
	default:
		p.logger.ErrorContext(r.Context(), "portal: api", "method", r.Method, "route", r.Pattern, "request", RequestID(r.Context()), "err", err)
		problem.Error(w, http.StatusInternalServerError, "internal error")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a bounded JSON body into v, refusing unknown fields and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fmt.Errorf("%w: body is not the expected JSON: %v", ozg.ErrInvalidApplication, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: trailing data after the JSON body", ozg.ErrInvalidApplication)
	}
	return nil
}

func (p *API) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(p.openAPI)
}

// openAPIFor returns the document with its server URL set to prefix (the embedded document
// says "/api").
func openAPIFor(prefix string) ([]byte, error) {
	if prefix == "/api" {
		return openAPI, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		return nil, fmt.Errorf("portal: embedded OpenAPI document: %w", err)
	}
	if prefix == "" {
		delete(doc, "servers")
	} else {
		servers, _ := json.Marshal([]map[string]string{{"url": prefix}})
		doc["servers"] = servers
	}
	return json.MarshalIndent(doc, "", "  ")
}

// publicURL returns BaseURL + Prefix + path.
func (p *API) publicURL(path string) string {
	return strings.TrimRight(p.cfg.BaseURL, "/") + p.cfg.Prefix + path
}

// pathID escapes an id for a URL path.
func pathID(id string) string { return url.PathEscape(id) }
