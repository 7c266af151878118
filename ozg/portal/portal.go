package portal

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/oidc"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
	"github.com/ozgkit/ozgkit/payment"
)

// Config is a whole portal. Services, BaseURL, OIDC and Theme's legal pages are required;
// Payments when a service charges a fee, Deliveries for every delivery target a service
// names. Everything else has a default that works on one machine with nothing installed.
type Config struct {
	// BaseURL is the portal's public URL, e.g. "https://service.kiel.de" (no trailing slash).
	// Login callbacks, payment returns and the catalogue's links are built from it. Cookies
	// are Secure unless it is http:// on a loopback address.
	BaseURL string
	// Services are the portal's services; each is validated (ozg.Service.Validate).
	Services []*ozg.Service
	// OIDC is the identity provider citizens log in with (BundID, a Servicekonto, ...).
	OIDC OIDC
	// Login, when set, is used instead of OIDC: any identity.Authenticator, such as
	// identity/saml's ServiceProvider for BundID over SAML 2.0. Its callback is served at
	// /auth/callback, wrapped in its ACS method when it has one (SAML's HTTP-POST binding);
	// API clients' bearer tokens are accepted only when it is an identity.BearerVerifier too.
	Login identity.Authenticator
	// Payments takes fees online: an XBezahldienste client (payment/xbezahldienste) or any
	// payment.Provider. Required when a service charges a fee before submission.
	Payments payment.Provider
	// Deliveries are the delivery targets by the name services give in Service.Delivery
	// (FIT-Connect, a signed webhook, ozg/casework's inbox). A service naming a target that
	// is not here is refused at start.
	Deliveries map[string]ozg.Delivery
	// Theme: the portal's name, colours and legal pages.
	Theme Theme

	// DataDir keeps the SQLite database, the uploaded files and the keys the portal makes
	// once (session and cursor keys); default "ozgkit-data". Created with mode 0750.
	DataDir string
	// DSN overrides the database: "postgres://..." for PostgreSQL (several replicas), or
	// "sqlite:PATH". Default: SQLite in DataDir.
	DSN string
	// Blobs keeps uploaded files (evidence, Postfach attachments). Default: files in DataDir
	// with SQLite; with PostgreSQL the database's own blob store (sqlstore.DB.Blobs), so
	// replicas share every file. An S3-compatible store is ozg/evidence/s3blob.
	Blobs evidence.BlobStore
	// Scanner scans uploads for malware (evidence.NewClamd); nil: no scanning, with a
	// warning in the log.
	Scanner evidence.Scanner
	// Notifier tells citizens of new Postfach messages (e.g. mailbox.NewSMTPNotifier); nil:
	// none.
	Notifier mailbox.Notifier
	// SessionKeys and CursorKey replace the keys kept in DataDir: set the same on every
	// replica. SessionKeys seal session cookies (32 bytes each, the first is current);
	// CursorKey signs Postfach page cursors (at least 32 bytes).
	SessionKeys [][]byte
	CursorKey   []byte
	// BackOffice, when set, is called once the portal's stores are built: a back office on the
	// same database and Postfach (such as ozg/casework) returns its delivery targets, its
	// pages, its hook for citizens' replies and what the receipt carries.
	BackOffice func(ctx context.Context, p *Portal) (BackOffice, error)
	// Routes are further handlers served beside the portal's own routes, by ServeMux
	// pattern (e.g. a back office at "/sachbearbeitung/"). They get the portal's security
	// headers, request ids and panic recovery, but no citizen login: they bring their own.
	Routes map[string]http.Handler
	// Redaktion identifies who publishes the service descriptions in the XZuFi export at
	// /catalog.xzufi.xml (the id the Landesredaktion gave the municipality); default the host
	// of BaseURL.
	Redaktion string
	// APIPrefix is where the JSON API lives; default "/api".
	APIPrefix string
	// OutboxPollInterval is how often the outbox looks for work; default 2s.
	OutboxPollInterval time.Duration
	// OutboxLease is how long work a replica claimed stays hidden from the others (default
	// 10 minutes): after a replica dies, its claimed work waits this long. OutboxAttemptTimeout
	// bounds one attempt (default 2 minutes, at most half the lease); set both below your
	// delivery targets' patience.
	OutboxLease, OutboxAttemptTimeout time.Duration
	// Logger; nil means slog.Default(). The portal logs through it with LogRequestIDs, so
	// every line logged for a request carries its id.
	Logger *slog.Logger
	// Telemetry, when set, reports requests, outbound calls, the outbox's attempts and the
	// portal's Stats, e.g. ozg/portal/telemetry's OpenTelemetry. nil: none.
	Telemetry Telemetry
}

// BackOffice is what a back office adds to a portal (see Config.BackOffice).
type BackOffice struct {
	// Deliveries are further delivery targets, by name.
	Deliveries map[string]ozg.Delivery
	// Routes are the back office's pages, by ServeMux pattern (they bring their own login).
	Routes map[string]http.Handler
	// OnReply receives the citizens' replies to the authority's questions in the Postfach.
	OnReply mailbox.ReplyHook
	// EvidenceRequests, when set, lets citizens answer a question that asks for evidence
	// (Nachforderung) with files, through the evidence pipeline (ozg/casework is one).
	EvidenceRequests ozg.EvidenceRequests
	// ReceiptAttachments returns files for the citizen's receipt (Eingangsbestätigung) of a
	// delivered submission, e.g. the Antragsübersicht as PDF.
	ReceiptAttachments func(svc *ozg.Service, s *ozg.Submission) ([]mailbox.NewAttachment, error)
	// DeliveryAttachments returns documents that every delivery to the targets of
	// Config.Deliveries (FIT-Connect, a webhook) carries beside the evidence, e.g. the
	// Antragsübersicht as PDF; made anew for each attempt, with size and SHA-512.
	DeliveryAttachments func(svc *ozg.Service, s *ozg.Submission) ([]mailbox.NewAttachment, error)
}

// OIDC configures the OpenID Connect provider citizens log in at (authorization code flow
// with PKCE; the trust level from the acr claim).
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// Options tune the relying party (e.g. a fixed level for a provider that sends no acr);
	// Keys and Logger are set by the portal.
	Options *oidc.Options
}

// Portal is a whole citizen portal: the catalogue's public pages, login, the HTML journey, the
// JSON API, the Postfach, health endpoints and the catalogue's exports on one http.Handler,
// and the background work (outbox, notifications, payment reconciliation, draft cleanup,
// queued scans, expired sessions) in Run.
type Portal struct {
	cfg      Config
	logger   *slog.Logger
	handler  http.Handler
	db       *sqlstore.DB
	catalog  *ozg.Catalog
	apps     *ozg.Applications
	evidence *evidence.Manager
	mailbox  *mailbox.Mailbox
	payments *payment.Service
	outbox   *ozg.Outbox
	gate     *identity.Gate
	sessions *identity.Sessions
	api      *API
	pages    *Pages
	blobs    evidence.BlobStore
	back     BackOffice
	// onDelivered is the outbox's work after a delivery: the receipt, with the back office's
	// attachments when it has them.
	onDelivered func(ctx context.Context, s *ozg.Submission, r ozg.Receipt) error
	// mux routes the portal's requests (Route); stopTelemetry ends Config.Telemetry's Observe.
	mux           *http.ServeMux
	stopTelemetry func()
}

// New builds the portal from cfg: it opens (and migrates) the database, creates the keys on
// first start, reads the identity provider's discovery document, and checks that every part
// a service needs is configured. Call Run for the background work and serve the Portal (see
// Server and ListenAndServe). Close releases the database.
func New(ctx context.Context, cfg Config) (*Portal, error) {
	p := &Portal{cfg: cfg, logger: cfg.Logger}
	if p.logger == nil {
		p.logger = slog.Default()
	}
	p.logger = slog.New(LogRequestIDs(p.logger.Handler()))
	base, err := ozg.CheckBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	p.cfg.BaseURL = base
	if p.cfg.DataDir == "" {
		p.cfg.DataDir = "ozgkit-data"
	}
	if p.cfg.APIPrefix == "" {
		p.cfg.APIPrefix = "/api"
	}
	if p.cfg.Redaktion == "" {
		u, _ := url.Parse(base)
		p.cfg.Redaktion = u.Host
	}
	if err := p.buildCatalog(); err != nil {
		return nil, err
	}
	// The catalogue's exports are written on request; a Redaktion they cannot carry is a
	// configuration error to report now, not a 500 when the Portalverbund first asks.
	if err := p.catalog.WriteXZuFi(io.Discard, ozg.XZuFiOptions{BaseURL: base, Redaktion: p.cfg.Redaktion}); err != nil {
		return nil, fmt.Errorf("portal: Config.Redaktion: %w", err)
	}
	if err := os.MkdirAll(p.cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("portal: data directory: %w", err)
	}
	ok := false
	defer func() {
		if !ok && p.db != nil {
			p.db.Close()
		}
	}()
	if err := p.buildStores(ctx); err != nil {
		return nil, err
	}
	if err := p.buildBackOffice(ctx); err != nil {
		return nil, err
	}
	if err := p.buildIdentity(ctx); err != nil {
		return nil, err
	}
	if err := p.buildFrontEnds(); err != nil {
		return nil, err
	}
	if err := p.observe(); err != nil {
		return nil, err
	}
	ok = true
	return p, nil
}

func (p *Portal) buildCatalog() error {
	if len(p.cfg.Services) == 0 {
		return errors.New("portal: Config.Services is empty")
	}
	p.catalog = ozg.NewCatalog(&ozg.CatalogOptions{Logger: p.logger})
	var errs []error
	for _, s := range p.cfg.Services {
		if err := p.catalog.Register(s); err != nil {
			errs = append(errs, err)
			continue
		}
		if s.FeeDueOnline() && p.cfg.Payments == nil {
			errs = append(errs, fmt.Errorf("portal: service %s charges a fee before submission but Config.Payments is nil", s.ID))
		}
	}
	return errors.Join(errs...)
}

func (p *Portal) buildStores(ctx context.Context) error {
	dsn := p.cfg.DSN
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(p.cfg.DataDir, "ozgkit.db")
	}
	var err error
	if p.db, err = sqlstore.Open(ctx, dsn, &sqlstore.Options{Logger: p.logger}); err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	blobs := p.cfg.Blobs
	switch {
	case blobs != nil:
	case p.db.Postgres():
		if blobs, err = p.db.Blobs(nil); err != nil {
			return fmt.Errorf("portal: %w", err)
		}
	default:
		if blobs, err = evidence.NewFileBlobStore(filepath.Join(p.cfg.DataDir, "blobs"), nil); err != nil {
			return fmt.Errorf("portal: %w", err)
		}
	}
	scanner := p.cfg.Scanner
	if scanner == nil {
		scanner = evidence.NewNoScanner(p.logger)
	}
	if p.evidence, err = evidence.New(p.db.Evidence(), blobs, scanner, &evidence.Options{Logger: p.logger}); err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	cursorKey := p.cfg.CursorKey
	if cursorKey == nil {
		if cursorKey, err = keyFile(filepath.Join(p.cfg.DataDir, "mailbox-cursor.key")); err != nil {
			return err
		}
	}
	// Notifications (e-mail) go out from Run's mailbox loop, never inside the outbox's work.
	mbOpts := &mailbox.Options{Notifier: p.cfg.Notifier, CursorKey: cursorKey, Logger: p.logger, QueueNotifications: true}
	if p.cfg.BackOffice != nil { // replies go to the back office, which is made next
		mbOpts.OnReply = func(ctx context.Context, q, r mailbox.Message) error {
			if p.back.OnReply == nil {
				return mailbox.ErrReplyNotAllowed
			}
			return p.back.OnReply(ctx, q, r)
		}
	}
	if p.mailbox, err = mailbox.New(p.db.Mailbox(), blobs, mbOpts); err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	opts := &ozg.ApplicationsOptions{Evidence: p.evidence, Logger: p.logger}
	if p.cfg.Payments != nil {
		p.payments = payment.NewService(p.db.Payments(), p.cfg.Payments, &payment.Options{Logger: p.logger})
		opts.Fees = PaymentFees(p.payments)
	}
	p.blobs = blobs
	p.apps = ozg.NewApplications(p.catalog, p.db.Applications(), opts)
	return p.apps.CheckServices()
}

// buildBackOffice makes the outbox, asks the back office for its parts (the outbox exists by
// then, for a back office's operator pages), adds its delivery targets, and checks that every
// service's delivery target exists.
func (p *Portal) buildBackOffice(ctx context.Context) error {
	targets := map[string]ozg.Delivery{}
	for name, d := range p.cfg.Deliveries {
		targets[name] = d
	}
	// The outbox reads targets when it works, which Run starts later: the back office's
	// targets are added to the same map below.
	p.outbox = ozg.NewOutbox(p.db.Applications(), targets, p.blobs, &ozg.OutboxOptions{
		PollInterval: p.cfg.OutboxPollInterval, Lease: p.cfg.OutboxLease, AttemptTimeout: p.cfg.OutboxAttemptTimeout,
		Logger: p.logger,
		OnDelivered: func(ctx context.Context, s *ozg.Submission, r ozg.Receipt) error {
			return p.onDelivered(ctx, s, r)
		},
		OnAttempt: p.onAttempt(),
	})
	p.onDelivered = OnDelivered(p.catalog, p.mailbox)
	if p.cfg.BackOffice != nil {
		var err error
		if p.back, err = p.cfg.BackOffice(ctx, p); err != nil {
			return fmt.Errorf("portal: back office: %w", err)
		}
		if gen := p.back.DeliveryAttachments; gen != nil {
			for name, d := range targets { // Config.Deliveries: the targets outside the back office
				targets[name] = withDocuments(p.catalog, d, gen)
			}
		}
		for name, d := range p.back.Deliveries {
			if _, dup := targets[name]; dup {
				return fmt.Errorf("portal: delivery target %q is named twice (Config.Deliveries and the back office)", name)
			}
			targets[name] = d
		}
		if p.back.ReceiptAttachments != nil {
			p.onDelivered = onDeliveredWith(p.catalog, p.mailbox, p.back.ReceiptAttachments)
		}
	}
	var errs []error
	for _, s := range p.catalog.Services() {
		if _, ok := targets[s.Delivery]; !ok {
			errs = append(errs, fmt.Errorf("portal: service %s delivers to %q, which is not a configured delivery target (%s)",
				s.ID, s.Delivery, strings.Join(sortedKeys(targets), ", ")))
		}
	}
	return errors.Join(errs...)
}

// loopback reports whether the base URL is plain http on a loopback host (development).
func loopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

func (p *Portal) buildIdentity(ctx context.Context) error {
	keys := p.cfg.SessionKeys
	if len(keys) == 0 {
		k, err := keyFile(filepath.Join(p.cfg.DataDir, "session.key"))
		if err != nil {
			return err
		}
		keys = [][]byte{k}
	}
	ring := make([]identity.Key, 0, len(keys))
	for i, k := range keys {
		ring = append(ring, identity.Key{ID: fmt.Sprintf("k%d", len(keys)-i), Secret: k})
	}
	keyring, err := identity.NewKeyring(ring...)
	if err != nil {
		return fmt.Errorf("portal: session keys: %w", err)
	}
	// Sessions live in the database, so logout, step-up and a new login end them on every
	// replica.
	sessions, err := identity.NewSessions(keyring, &identity.SessionOptions{Insecure: loopback(p.cfg.BaseURL), Store: p.db.Sessions()})
	if err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	if p.cfg.Login != nil {
		p.sessions = sessions
		bearer, _ := p.cfg.Login.(identity.BearerVerifier)
		p.gate = identity.NewGate(sessions, p.cfg.Login, bearer, &identity.GateOptions{Logger: p.logger})
		return nil
	}
	if p.cfg.OIDC.Issuer == "" || p.cfg.OIDC.ClientID == "" {
		return errors.New("portal: Config.OIDC needs the Issuer and ClientID of the identity provider (or set Config.Login)")
	}
	var opts oidc.Options
	if p.cfg.OIDC.Options != nil {
		opts = *p.cfg.OIDC.Options
	}
	opts.Keys, opts.Logger = keyring, p.logger
	opts.HTTPClient = p.outboundClient("identity", opts.HTTPClient)
	base := p.cfg.BaseURL
	rp, err := oidc.New(ctx, oidc.Config{
		Issuer: p.cfg.OIDC.Issuer, ClientID: p.cfg.OIDC.ClientID, ClientSecret: p.cfg.OIDC.ClientSecret,
		RedirectURL: base + "/auth/callback", PostLogoutRedirectURL: base + "/",
	}, &opts)
	if err != nil {
		return fmt.Errorf("portal: identity provider: %w", err)
	}
	p.sessions = sessions
	p.gate = identity.NewGate(sessions, rp, rp, &identity.GateOptions{Logger: p.logger})
	return nil
}

func (p *Portal) buildFrontEnds() error {
	var err error
	p.api, err = NewAPI(APIConfig{
		Catalog: p.catalog, Applications: p.apps, Evidence: p.evidence, Mailbox: p.mailbox,
		Prefix: p.cfg.APIPrefix, BaseURL: p.cfg.BaseURL, Logger: p.logger,
	})
	if err != nil {
		return err
	}
	p.pages, err = NewPages(PagesConfig{
		Catalog: p.catalog, Applications: p.apps, Mailbox: p.mailbox, Gate: p.gate,
		APIPrefix: p.cfg.APIPrefix, BaseURL: p.cfg.BaseURL, Theme: p.cfg.Theme, Logger: p.logger,
		EvidenceRequests: p.back.EvidenceRequests,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	// Browsers get the login's errors (a cancelled login, too low a level, a refused CSRF
	// check) as pages in their language; API clients keep problem+json.
	mux.Handle("/auth/login", p.pages.BrowserErrors(p.gate.LoginHandler()))
	var callback http.Handler = p.gate.CallbackHandler()
	if acs, ok := p.cfg.Login.(interface {
		ACS(http.Handler) http.Handler
	}); ok {
		callback = acs.ACS(callback)
	}
	mux.Handle("/auth/callback", p.pages.BrowserErrors(callback))
	mux.Handle("/auth/logout", p.gate.LogoutHandler())
	mux.Handle(p.cfg.APIPrefix+"/", p.gate.Authenticate(p.api))
	mux.HandleFunc("GET /healthz", p.healthz)
	mux.HandleFunc("GET /readyz", p.readyz)
	mux.HandleFunc("GET /catalog.jsonld", p.jsonLD)
	mux.HandleFunc("GET /sitemap.xml", p.sitemap)
	mux.HandleFunc("GET /catalog.xzufi.xml", p.xzufi)
	for _, routes := range []map[string]http.Handler{p.cfg.Routes, p.back.Routes} {
		for _, pattern := range sortedKeys(routes) {
			if err := handle(mux, pattern, routes[pattern]); err != nil {
				return err
			}
		}
	}
	mux.Handle("/", p.pages.Handler())
	p.mux = mux
	p.handler = withRequestID(false, p.instrument(recoverer(p.logger, p.errorPage, SecurityHeaders(mux))))
	return nil
}

// handle registers h on mux, turning ServeMux's panic on a bad or conflicting pattern into an
// error that names the pattern.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("portal: Config.Routes[%q]: %v", pattern, v)
		}
	}()
	if h == nil {
		return fmt.Errorf("portal: Config.Routes[%q] is nil", pattern)
	}
	mux.Handle(pattern, h)
	return nil
}

func (p *Portal) errorPage(w http.ResponseWriter, r *http.Request, status int) {
	p.pages.ErrorPage(w, r, status, "")
}

// ServeHTTP implements http.Handler.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.handler.ServeHTTP(w, r) }

// Catalog, Applications, Mailbox, Evidence, Outbox and Gate return the portal's parts, for
// code beside the portal (a back office, an operator's command, tests).
func (p *Portal) Catalog() *ozg.Catalog { return p.catalog }

// Applications returns the journey's Go API.
func (p *Portal) Applications() *ozg.Applications { return p.apps }

// Mailbox returns the citizens' Postfach.
func (p *Portal) Mailbox() *mailbox.Mailbox { return p.mailbox }

// Evidence returns the evidence manager.
func (p *Portal) Evidence() *evidence.Manager { return p.evidence }

// Outbox returns the outbox (failed deliveries: Outbox.Failed and Outbox.Requeue).
func (p *Portal) Outbox() *ozg.Outbox { return p.outbox }

// Blobs returns the store of uploaded files (evidence and Postfach attachments).
func (p *Portal) Blobs() evidence.BlobStore { return p.blobs }

// Gate returns the identity gate.
func (p *Portal) Gate() *identity.Gate { return p.gate }

// DB returns the database.
func (p *Portal) DB() *sqlstore.DB { return p.db }

// Close releases the database (and ends Config.Telemetry's reading of Stats).
func (p *Portal) Close() error {
	if p.stopTelemetry != nil {
		p.stopTelemetry()
	}
	return p.db.Close()
}

// Run does the portal's background work until ctx ends: the outbox (deliveries, receipts,
// withdrawals), Postfach notifications, reconciliation of payments left open, retention
// (each service's Löschfristen: drafts, submissions, evidence, messages), purging of expired
// sessions, and queued virus scans. It returns when every loop has stopped; work in
// flight is finished first (deliveries are bounded by the outbox's attempt timeout).
func (p *Portal) Run(ctx context.Context) error {
	loops := map[string]func(context.Context) error{
		"outbox":  p.outbox.Run,
		"mailbox": func(ctx context.Context) error { return p.mailbox.Run(ctx, 10*time.Second) },
		"scanner": p.evidence.RunScanner,
		"sessions": func(ctx context.Context) error {
			return every(ctx, time.Hour, func(ctx context.Context) error {
				_, err := p.sessions.DeleteExpired(ctx)
				return err
			})
		},
		"retention": p.runRetention,
	}
	if p.payments != nil {
		loops["payments"] = func(ctx context.Context) error {
			return every(ctx, time.Minute, func(ctx context.Context) error {
				_, err := p.payments.Reconcile(ctx)
				return err
			})
		}
	}
	var wg sync.WaitGroup
	for name, loop := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := loop(ctx); err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
				p.logger.Error("portal: background loop stopped", "loop", name, "err", err)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// every runs fn now and then every interval until ctx ends; failures are logged by the caller's
// loop and do not stop it.
func every(ctx context.Context, interval time.Duration, fn func(context.Context) error) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			slog.Default().Warn("portal: periodic work failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Server returns an http.Server for the portal on addr with timeouts for the public
// internet: headers within 10 s, a whole request within 10 minutes (uploads also have a
// per-request minimum rate), answers within 10 minutes, idle connections closed after 2.
func (p *Portal) Server(addr string) *http.Server {
	return &http.Server{
		Addr: addr, Handler: p,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Minute,
		WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(p.logger.Handler(), slog.LevelWarn),
	}
}

// ListenAndServe serves the portal on addr and runs its background work until ctx ends, then
// shuts down gracefully: no new requests, requests in flight get 20 seconds, background work
// finishes what it holds.
func (p *Portal) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	return p.Serve(ctx, ln)
}

// Serve is ListenAndServe on a listener.
func (p *Portal) Serve(ctx context.Context, ln net.Listener) error {
	srv := p.Server(ln.Addr().String())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-serveErr:
	case <-ctx.Done():
		shutdown, stop := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		err = srv.Shutdown(shutdown)
		stop()
	}
	cancel()
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// healthz answers 200 while the process serves.
func (p *Portal) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 when the database (and a blob store with a Check method, such as
// s3blob's) answers, 503 naming what does not.
func (p *Portal) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := p.db.SQL().PingContext(ctx); err != nil {
		p.logger.WarnContext(ctx, "portal: not ready", "part", "database", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	if c, ok := p.blobs.(interface{ Check(context.Context) error }); ok {
		if err := c.Check(ctx); err != nil {
			p.logger.WarnContext(ctx, "portal: not ready", "part", "blob store", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("blob store unavailable\n"))
			return
		}
	}
	w.Write([]byte("ready\n"))
}

func (p *Portal) jsonLD(w http.ResponseWriter, r *http.Request) {
	ld, err := p.catalog.JSONLD(p.cfg.BaseURL)
	if err != nil {
		p.logger.Error("portal: catalogue JSON-LD", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ld+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(ld)
}

func (p *Portal) sitemap(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	if err := p.catalog.WriteSitemap(w, p.cfg.BaseURL); err != nil {
		p.logger.Error("portal: sitemap", "err", err)
	}
}

// xzufi serves the catalogue as XZuFi 2.2 for the Portalverbund (PVOG) and a Landesredaktion.
func (p *Portal) xzufi(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := p.catalog.WriteXZuFi(&buf, ozg.XZuFiOptions{BaseURL: p.cfg.BaseURL, Redaktion: p.cfg.Redaktion}); err != nil {
		p.logger.Error("portal: XZuFi export", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(buf.Bytes())
}

// keyFile reads a 32-byte key kept hex-encoded in path, creating it (mode 0600) on first use.
func keyFile(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		k, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(k) != 32 {
			return nil, fmt.Errorf("portal: key file %s does not hold 32 hex-encoded bytes", path)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("portal: read key: %w", err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process made it first
		return keyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("portal: write key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		return nil, fmt.Errorf("portal: write key: %w", err)
	}
	return k, f.Sync()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ListenAndServe builds the portal from cfg (see New), serves it on addr and runs its
// background work until ctx ends, then shuts down gracefully and closes the database.
func ListenAndServe(ctx context.Context, addr string, cfg Config) error {
	p, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	return p.ListenAndServe(ctx, addr)
}
