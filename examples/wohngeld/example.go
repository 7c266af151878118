package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/saml"
	"github.com/ozgkit/ozgkit/identity/samltest"
	"github.com/ozgkit/ozgkit/ozg/casework"
	"github.com/ozgkit/ozgkit/ozg/evidence"
	"github.com/ozgkit/ozgkit/ozg/portal"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// config is what main's flags set.
type config struct {
	Addr, DataDir, DSN, Clamd string
	// Metrics, when set, is where Prometheus scrapes /metrics (see metrics.go).
	Metrics string
	// Login is "oidc" (default) or "saml".
	Login  string
	Logger *slog.Logger
}

// example is the running example: the portal and the local stand-ins for the services a
// municipality connects to.
type example struct {
	portal   *portal.Portal
	ln       net.Listener
	base     string
	idp      *identitytest.Provider
	samlIdP  *samltest.Provider
	staffIdP *identitytest.Provider
	casework *casework.Casework
	servers  []*http.Server
	// metricsURL is where the metrics are served, with -metrics.
	metricsURL string
}

// start builds the example and listens; serve runs it.
func start(ctx context.Context, cfg config) (*example, error) {
	e := &example{}
	var err error
	if e.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, err
	}
	e.base = "http://" + e.ln.Addr().String()

	// The BundID-like identity provider and the XBezahldienste platform, each on a loopback port.
	secret := rand.Text()
	idpURL, err := e.side(func(base string) (http.Handler, error) {
		e.idp, err = identitytest.New(base, &identitytest.Options{Clients: []identitytest.Client{{
			ID: "wohngeld-portal", Secret: secret,
			RedirectURIs: []string{e.base + "/auth/callback"}, PostLogoutRedirectURIs: []string{e.base + "/"},
		}}})
		return e.idp, err
	})
	if err != nil {
		return nil, e.close(err)
	}
	payURL, err := e.side(func(base string) (http.Handler, error) {
		return paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: base + "/", Logger: cfg.Logger}), nil
	})
	if err != nil {
		return nil, e.close(err)
	}
	var (
		tel       portal.Telemetry // nil without -metrics
		payClient *http.Client
	)
	if cfg.Metrics != "" {
		t, err := e.metrics(cfg.Metrics)
		if err != nil {
			return nil, e.close(err)
		}
		tel, payClient = t, t.Client("payment", nil)
	}
	pay, err := xbezahldienste.New(xbezahldienste.Config{BaseURL: payURL + "/", OriginatorID: "ozgkit", EndpointID: "test", Logger: cfg.Logger, HTTPClient: payClient})
	if err != nil {
		return nil, e.close(err)
	}
	var scanner evidence.Scanner
	if cfg.Clamd != "" {
		network, address, ok := strings.Cut(cfg.Clamd, ":")
		if !ok || (network != "unix" && network != "tcp") {
			return nil, e.close(fmt.Errorf("-clamd %q: want unix:PATH or tcp:HOST:PORT", cfg.Clamd))
		}
		if scanner, err = evidence.NewClamd(network, address, nil); err != nil {
			return nil, e.close(err)
		}
	}
	list, err := services()
	if err != nil {
		return nil, e.close(err)
	}

	login, routes, err := e.samlLogin(cfg)
	if err != nil {
		return nil, e.close(err)
	}
	e.portal, err = portal.New(ctx, portal.Config{
		BaseURL:    e.base,
		Login:      login,
		Routes:     routes,
		Services:   list,
		OIDC:       portal.OIDC{Issuer: idpURL, ClientID: "wohngeld-portal", ClientSecret: secret},
		Payments:   pay,
		BackOffice: e.backOffice(cfg),
		Theme: portal.Theme{
			Name: "Beispielportal der Landeshauptstadt Kiel", NameEN: "Example portal of the City of Kiel",
			// The example's authority is fictitious; a real portal links its own legal pages.
			ImprintURL:       "https://www.kiel.example/impressum",
			PrivacyURL:       "https://www.kiel.example/datenschutz",
			AccessibilityURL: "https://www.kiel.example/barrierefreiheit",
		},
		DataDir: cfg.DataDir, DSN: cfg.DSN, Scanner: scanner, Logger: cfg.Logger,
		Telemetry: tel,
	})
	if err != nil {
		return nil, e.close(err)
	}
	return e, nil
}

// samlLogin returns, for -login saml, a SAML service provider logging in at a local
// BundID-like SAML identity provider, and the route of its metadata; nil for OIDC.
func (e *example) samlLogin(cfg config) (identity.Authenticator, map[string]http.Handler, error) {
	switch cfg.Login {
	case "", "oidc":
		return nil, nil, nil
	case "saml":
	default:
		return nil, nil, fmt.Errorf("-login %q: want oidc or saml", cfg.Login)
	}
	if _, err := e.side(func(base string) (http.Handler, error) {
		var err error
		e.samlIdP, err = samltest.New(base, nil)
		return e.samlIdP, err
	}); err != nil {
		return nil, nil, err
	}
	key, cert, err := samltest.NewKeyPair("wohngeld-portal", time.Now()) // a real portal loads its registered key
	if err != nil {
		return nil, nil, err
	}
	sp, err := saml.New(saml.Config{
		EntityID: e.base + "/auth/saml/metadata", ACSURL: e.base + "/auth/callback",
		IdPMetadata: e.samlIdP.Metadata(), Key: key, Certificate: cert, OrganizationDisplayName: "Landeshauptstadt Kiel",
	}, &saml.Options{Logger: cfg.Logger})
	if err != nil {
		return nil, nil, err
	}
	md, err := sp.Metadata()
	if err != nil {
		return nil, nil, err
	}
	if err := e.samlIdP.AddServiceProvider(md); err != nil {
		return nil, nil, err
	}
	return sp, map[string]http.Handler{"GET /auth/saml/metadata": sp.MetadataHandler()}, nil
}

// side serves the handler mk makes on its own loopback port and returns its URL.
func (e *example) side(mk func(base string) (http.Handler, error)) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	base := "http://" + ln.Addr().String()
	h, err := mk(base)
	if err != nil {
		ln.Close()
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	e.servers = append(e.servers, srv)
	go srv.Serve(ln)
	return base, nil
}

// close releases what start made and returns err.
func (e *example) close(err error) error {
	for _, s := range e.servers {
		s.Close()
	}
	if e.ln != nil {
		e.ln.Close()
	}
	if e.portal != nil {
		e.portal.Close()
	}
	return err
}

// run starts the example, prints where it is and serves until ctx ends.
func run(ctx context.Context, cfg config, out io.Writer) error {
	e, err := start(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Beispielportal:  %s/\n", e.base)
	fmt.Fprintf(out, "Sachbearbeitung: %s/sachbearbeitung/ (Testpersonen sabine, tom; otto für fehlgeschlagene Zustellungen)\n", e.base)
	if e.metricsURL != "" {
		fmt.Fprintf(out, "Metriken:        %s (Prometheus)\n", e.metricsURL)
	}
	fmt.Fprintf(out, "API:             %s/api/openapi.json — beenden mit Strg+C\n", e.base)
	return e.close(e.portal.Serve(ctx, e.ln))
}
