// Package portal is the citizen-facing side of an ozgkit portal: the server-rendered HTML
// journey, the JSON API, login, the Postfach, health endpoints and the catalogue's exports, and
// the one call that wires them with every store and background loop.
//
// # One call
//
// [New] (or [ListenAndServe]) builds a whole portal from a [Config]: the services, the public
// base URL, the identity provider (OIDC, or any identity.Authenticator such as identity/saml),
// the payment provider, the delivery targets and the theme with the legal pages. Everything
// else has a default that works on one machine with nothing installed: SQLite and uploaded
// files in a data directory, session and cursor keys created there once and kept, no virus
// scanning (with a warning). PostgreSQL (Config.DSN), shared keys (Config.SessionKeys,
// Config.CursorKey), a clamd scanner and e-mail notifications are configuration.
//
// A service that names a delivery target that is not configured, charges a fee without a
// payment provider, or has evidence requirements without an evidence store is refused when the
// portal starts, not when the first citizen submits.
//
// # Routes
//
//	/                              start page, service pages (/leistungen/{id}), the journey,
//	                               Meine Anträge, Postfach (Pages; German, English available)
//	/api/...                       the JSON API (API): problem+json errors, /api/openapi.json
//	/auth/login, /auth/callback,   login and step-up at the service's trust level, logout
//	/auth/logout
//	/healthz, /readyz              alive; ready (the database answers)
//	/catalog.jsonld, /sitemap.xml, schema.org JSON-LD, sitemap, XZuFi 2.2 for the
//	/catalog.xzufi.xml             Portalverbund
//
// Every answer carries the security headers of [SecurityHeaders] and a request id
// (X-Request-Id, and "instance" in problem documents); a panic in a handler answers 500 and
// is logged once with the request id, never a dropped connection.
//
// # How the parts fit
//
// Both front ends call the same Go methods of ozg.Applications, where every rule of the
// journey lives (drafts validated against the form, evidence bound to the draft, the fee paid
// with the service's amount, complete submission, withdrawal). Submit stores the submission and
// its outbox entry in one transaction; [Portal.Run] runs the loops that follow:
//
//   - the outbox (ozg.Outbox): delivers each submission to its target with retries, records
//     the delivery together with the application's move to "delivered", then sends the receipt
//     (Eingangsbestätigung) to the Postfach ([OnDelivered]) and, after a withdrawal, tells the
//     authority;
//   - Postfach notifications (mailbox.Mailbox.Run) and queued virus scans;
//   - reconciliation of payments left open (payment.Service.Reconcile);
//   - retention: each service's Löschfristen (ozg.Retention) for drafts, submissions,
//     evidence and Postfach messages, swept hourly in bounded batches (Portal.Sweeper for a
//     dry run).
//
// Run returns when every loop has stopped; [Portal.Serve] and [Portal.ListenAndServe] run it
// beside an http.Server with timeouts ([Portal.Server]) and shut both down gracefully.
//
// # Operations
//
// Config.Telemetry takes an observer of the portal (ozg/portal/telemetry is OpenTelemetry's:
// spans and request metrics per route, traced outbound calls, outbox attempts, gauges for the
// outbox's depth and oldest due work, the scan queue, notifications and open payments); the
// portal itself does not depend on OpenTelemetry. Every log line written with a request's
// context carries its request id ([LogRequestIDs]); [Portal.Route] names the route a request
// takes and [Portal.Stats] reads the gauges. Failed deliveries are listed and requeued with
// Portal.Outbox (and by ozg/casework's operator pages and cmd/ozgoutbox).
//
// # Parts
//
// [API] and [Pages] can also be used alone, mounted in a router of your own behind an
// identity.Gate; [PaymentFees] adapts a payment.Service to the journey's fee seam.
package portal
