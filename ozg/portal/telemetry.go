package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/ozg/sqlstore"
)

// Telemetry is what a portal reports for its operations team: every HTTP request with its
// route, its own outbound calls, every attempt of the outbox, and the gauges of the work that
// waits (Stats). The portal defines it without the types of any telemetry library, so a
// portal without telemetry does not link one; ozg/portal/telemetry implements it with
// OpenTelemetry (traces and metrics, exported e.g. to Prometheus). Set it in Config.Telemetry.
type Telemetry interface {
	// Handler wraps the portal's handler, inside the request ids (RequestID works in it)
	// and outside the panic recovery (a panic is seen as the 500 it is answered with).
	// route returns the pattern of the route that serves a request (see Portal.Route).
	Handler(next http.Handler, route func(*http.Request) string) http.Handler
	// Transport wraps the transport of the portal's own outbound calls to peer: "identity"
	// for the OIDC provider. base is never nil.
	Transport(peer string, base http.RoundTripper) http.RoundTripper
	// OutboxAttempt is told of every attempt of the outbox (delivery, receipt, withdrawal)
	// and its outcome. It must not block.
	OutboxAttempt(ctx context.Context, a ozg.OutboxAttempt)
	// Observe is called once, when New has built the portal, with the function that reads
	// the portal's Stats; the telemetry reads it when it collects its gauges. stop is
	// called by Close.
	Observe(stats func(context.Context) (Stats, error)) (stop func(), err error)
}

// Stats is the work that waits in a portal's stores, as an operator watches it.
type Stats struct {
	// Outbox is the outbox's depth, its due work and how long the oldest due work waits.
	Outbox ozg.OutboxStats
	// Queues are the scan queue (pending evidence), the Postfach's pending and failed
	// notifications and the open payments.
	Queues sqlstore.QueueStats
}

// Stats reads the work that waits in the portal's stores now (a few indexed counts; one
// full count of the Postfach's failed notifications): read it at a metrics scrape's pace.
func (p *Portal) Stats(ctx context.Context) (Stats, error) {
	var (
		s    Stats
		err1 error
		err2 error
	)
	s.Outbox, err1 = p.outbox.Stats(ctx)
	s.Queues, err2 = p.db.QueueStats(ctx)
	if err := errors.Join(err1, err2); err != nil {
		return Stats{}, fmt.Errorf("portal: stats: %w", err)
	}
	return s, nil
}

// Route returns the pattern of the portal's route that serves r, method and path as
// registered, e.g. "GET /api/applications/{application}" or "/auth/login", and "" when no
// route matches (an answer 404 or 405). The routes of the API and of the pages are named by
// their own patterns, not by the prefix they are mounted at; the Postfach's API by its
// prefix. It only reads r.
func (p *Portal) Route(r *http.Request) string {
	if p.mux == nil {
		return ""
	}
	_, pattern := p.mux.Handler(r)
	switch pattern {
	case p.cfg.APIPrefix + "/":
		_, pattern = p.api.mux.Handler(r)
	case "/":
		_, pattern = p.pages.mux.Handler(r)
	}
	return pattern
}

// instrument wraps the portal's handler (inside the request ids) in Config.Telemetry.
func (p *Portal) instrument(h http.Handler) http.Handler {
	if p.cfg.Telemetry == nil {
		return h
	}
	return p.cfg.Telemetry.Handler(h, p.Route)
}

// outboundClient returns the client for the portal's outbound calls to peer: c (nil: one
// with a 10 s timeout) with its transport wrapped in Config.Telemetry. c itself is not
// changed.
func (p *Portal) outboundClient(peer string, c *http.Client) *http.Client {
	if p.cfg.Telemetry == nil {
		return c
	}
	out := &http.Client{Timeout: 10 * time.Second}
	if c != nil {
		*out = *c
	}
	base := out.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out.Transport = p.cfg.Telemetry.Transport(peer, base)
	return out
}

// onAttempt is the outbox's OnAttempt: Config.Telemetry's, or nil.
func (p *Portal) onAttempt() func(context.Context, ozg.OutboxAttempt) {
	if p.cfg.Telemetry == nil {
		return nil
	}
	return p.cfg.Telemetry.OutboxAttempt
}

// observe hands the portal's Stats to Config.Telemetry.
func (p *Portal) observe() error {
	if p.cfg.Telemetry == nil {
		return nil
	}
	stop, err := p.cfg.Telemetry.Observe(p.Stats)
	if err != nil {
		return fmt.Errorf("portal: telemetry: %w", err)
	}
	p.stopTelemetry = stop
	return nil
}
