package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/oidc"
	"github.com/ozgkit/ozgkit/mailbox"
	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/delivery"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// app is the whole example on one origin:
//
//	/idp/              a local BundID-like identity provider (identitytest)
//	/xbezahldienste/   a local XBezahldienste payment platform with its pay page (paymenttest)
//	/auth/...          login, callback and logout (identity.Gate with the OIDC relying party)
//	/api/...           the portal (ozg.Portal): catalogue, applications, evidence, payment, mailbox
//	/sachbearbeitung   the case worker's inbox, where notices (Bescheide) are issued
//	/, /leistungen/, /antraege/, /postfach/
//	                   the citizen's HTML pages (ui.go), on the same library calls as /api
type app struct {
	base     string
	logger   *slog.Logger
	catalog  *ozg.Catalog
	apps     *ozg.Applications
	db       *sqlstore.DB
	outbox   *ozg.Outbox
	payments *payment.Service
	mailbox  *mailbox.Mailbox
	evidence *evidence.Manager
	inbox    *delivery.Inbox
	idp      *identitytest.Provider
	// caseWorkerPassword protects /sachbearbeitung (user "sachbearbeitung").
	caseWorkerPassword string
}

// config is what main's flags set.
type config struct {
	// DSN of the application store: "sqlite:PATH" (default, in DataDir) or "postgres://...".
	DSN string
	// DataDir keeps the SQLite file and the uploaded files.
	DataDir string
	// Clamd, when set, is the address of a clamd ("unix:/run/clamav/clamd.ctl" or
	// "tcp:127.0.0.1:3310"); otherwise uploads are not scanned (and a warning says so).
	Clamd string
}

// newApp builds the example below base (the public URL, no trailing slash) and registers its
// routes on mux. mux must already be served at base: the relying party reads the identity
// provider's discovery document while it starts.
func newApp(ctx context.Context, base string, mux *http.ServeMux, cfg config, logger *slog.Logger) (*app, error) {
	a := &app{base: base, logger: logger, inbox: delivery.NewInbox(), caseWorkerPassword: rand.Text()[:16]}

	list, err := services()
	if err != nil {
		return nil, err
	}
	a.catalog = ozg.NewCatalog(&ozg.CatalogOptions{Logger: logger})
	for _, s := range list {
		if err := a.catalog.Register(s); err != nil {
			return nil, err
		}
	}

	// Storage: everything in SQL (applications, submissions, outbox, evidence records, payments,
	// mailbox); files on disk.
	dsn := cfg.DSN
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(cfg.DataDir, "ozgkit.db")
	}
	if a.db, err = sqlstore.Open(ctx, dsn, &sqlstore.Options{Logger: logger}); err != nil {
		return nil, err
	}
	store := a.db.Applications()
	a.apps = ozg.NewApplications(a.catalog, store, nil)
	blobs, err := evidence.NewFileBlobStore(filepath.Join(cfg.DataDir, "blobs"), nil)
	if err != nil {
		return nil, err
	}

	// Evidence with virus scanning when a clamd is given.
	var scanner evidence.Scanner = evidence.NewNoScanner(logger)
	if cfg.Clamd != "" {
		network, address, ok := cutAddr(cfg.Clamd)
		if !ok {
			return nil, fmt.Errorf("-clamd %q: want unix:PATH or tcp:HOST:PORT", cfg.Clamd)
		}
		if scanner, err = evidence.NewClamd(network, address, nil); err != nil {
			return nil, err
		}
	}
	a.evidence, err = evidence.New(a.db.Evidence(), blobs, scanner, &evidence.Options{Logger: logger})
	if err != nil {
		return nil, err
	}

	// The mailbox keeps attachments in the same blob store as the evidence. Its cursor key comes
	// from the data directory so that page cursors survive a restart.
	cursorKey, err := persistentKey(filepath.Join(cfg.DataDir, "mailbox-cursor.key"))
	if err != nil {
		return nil, err
	}
	if a.mailbox, err = mailbox.New(a.db.Mailbox(), blobs, &mailbox.Options{Logger: logger, CursorKey: cursorKey}); err != nil {
		return nil, err
	}

	// Payment: the XBezahldienste client talks to the local platform over HTTP.
	platform := paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: base + "/xbezahldienste/", Logger: logger})
	mux.Handle("/xbezahldienste/", http.StripPrefix("/xbezahldienste", platform))
	client, err := xbezahldienste.New(xbezahldienste.Config{
		BaseURL: base + "/xbezahldienste/", OriginatorID: "ozgkit", EndpointID: "test", Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	a.payments = payment.NewService(a.db.Payments(), client, &payment.Options{Logger: logger})

	// Identity: the local provider, the relying party, sessions and the gate.
	secret := "example-secret-" + rand.Text()
	a.idp, err = identitytest.New(base+"/idp", &identitytest.Options{Clients: []identitytest.Client{{
		ID: "wohngeld-portal", Secret: secret,
		RedirectURIs: []string{base + "/auth/callback"}, PostLogoutRedirectURIs: []string{base + "/"},
	}}})
	if err != nil {
		return nil, err
	}
	mux.Handle("/idp/", a.idp)
	key := make([]byte, 32)
	rand.Read(key)
	ring, err := identity.NewKeyring(identity.Key{ID: "k1", Secret: key})
	if err != nil {
		return nil, err
	}
	rp, err := oidc.New(ctx, oidc.Config{
		Issuer: base + "/idp", ClientID: "wohngeld-portal", ClientSecret: secret,
		RedirectURL: base + "/auth/callback", PostLogoutRedirectURL: base + "/",
	}, &oidc.Options{Keys: ring, Logger: logger})
	if err != nil {
		return nil, err
	}
	sessions, err := identity.NewSessions(ring, &identity.SessionOptions{Insecure: true}) // http on loopback
	if err != nil {
		return nil, err
	}
	gate := identity.NewGate(sessions, rp, rp, &identity.GateOptions{Logger: logger})
	mux.Handle("/auth/login", gate.LoginHandler())
	mux.Handle("/auth/callback", gate.CallbackHandler())
	mux.Handle("/auth/logout", gate.LogoutHandler())

	// The portal, and the outbox that delivers to the case worker's inbox.
	portal, err := ozg.NewPortal(ozg.PortalConfig{
		Catalog: a.catalog, Applications: a.apps, Evidence: a.evidence, Payments: a.payments, Mailbox: a.mailbox,
		Prefix: "/api", BaseURL: base, Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	mux.Handle("/api/", gate.Authenticate(portal))
	a.outbox = ozg.NewOutbox(store, map[string]ozg.Delivery{"fachverfahren": a.inbox}, blobs, &ozg.OutboxOptions{
		PollInterval: 500 * time.Millisecond, Logger: logger,
		OnDelivered: ozg.OnDelivered(a.catalog, a.apps, a.mailbox),
	})
	mux.Handle("/sachbearbeitung", a.caseWorker(http.HandlerFunc(a.inboxPage)))
	mux.Handle("POST /sachbearbeitung/{submission}/bescheid", a.caseWorker(http.HandlerFunc(a.issueNotice)))
	if err := a.registerUI(mux, gate); err != nil {
		return nil, err
	}
	mux.HandleFunc("GET /catalog.jsonld", a.jsonLD)
	mux.HandleFunc("GET /sitemap.xml", a.sitemap)
	return a, nil
}

// run delivers submissions and reconciles payments until ctx ends.
func (a *app) run(ctx context.Context) {
	go a.outbox.Run(ctx)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.payments.Reconcile(ctx); err != nil && !errors.Is(err, context.Canceled) {
				a.logger.Warn("payment reconcile", "err", err)
			}
		}
	}
}

// Close releases the database.
func (a *app) Close() error { return a.db.Close() }

func cutAddr(s string) (network, address string, ok bool) {
	for _, n := range []string{"unix", "tcp"} {
		if len(s) > len(n)+1 && s[:len(n)+1] == n+":" {
			return n, s[len(n)+1:], true
		}
	}
	return "", "", false
}

// persistentKey reads a 32-byte key from path, creating it (mode 0600) on first use.
func persistentKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil && len(b) == 32 {
		return b, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return key, nil
}
