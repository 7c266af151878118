// Package casework is the authority's side of an online service (Sachbearbeitung): for
// municipalities without a Fachverfahren for a service, a place where case workers receive
// and decide applications.
//
// # The inbox
//
// [Casework] is an ozg.Delivery target: register it with the outbox under the services'
// Delivery name, and every submission lands in a durable inbox ([Store]: [MemoryStore] for
// tests, ozg/sqlstore's CaseworkStore on SQLite or PostgreSQL). A submission delivered twice —
// the same submission id, or the same owner and idempotency key — is kept once. The
// attachments stay in the portal's blob store; the case keeps their metadata and SHA-512.
//
// # Case workers
//
// Case workers log in at the municipality's own OpenID provider ([NewStaffGate]): the same
// relying party as the citizens' login, a session cookie of its own ([StaffCookie]), and
// roles read from a configurable claim ([StaffClaims]). Options.Roles assigns services to
// roles; a case worker sees only the cases of the services of their roles, and a case of
// another service is "not found".
//
// # Actions
//
// Every action is a Go method and a form on the case page: [Casework.Accept],
// [Casework.Reject] with a reason, [Casework.Ask] a question (Rückfrage) that the citizen
// answers in the Postfach ([Casework.ReceiveReply] is the mailbox's reply hook),
// [Casework.AskFor] a [Question] that also asks for evidence anew (Nachforderung), and
// [Casework.Decide], which issues the Bescheid as text and PDF into the Postfach. Each state
// change goes through ozg.Applications.Advance, so of two concurrent actions only one takes
// effect; the other answers [ErrStateChanged], shown as a page that says so. Each state change
// is told to the citizen with a status message (a query carries the status ACTION_REQUIRED
// itself); the messages are sent with idempotency keys, so a Decide that the Postfach failed
// after the case was decided is completed by repeating it with the same text.
//
// # Nachforderung
//
// A query that asks for evidence is recorded in the audit trail with each requirement it
// names ([ActionEvidenceRequested]). The Casework is the journey's ozg.EvidenceRequests: the
// citizen's files for the query go through ozg.Applications.AttachRequestedEvidence — the
// whole evidence pipeline, only while the query is open and unanswered, only for the
// requirements it names and up to each one's MaxCount — and each file is recorded
// ([ActionEvidenceReceived], [ReceivedEvidence]: name, type, size, SHA-512). ozg/portal's
// Postfach offers the file inputs in the query's answer form (portal.PagesConfig.EvidenceRequests).
// The case page lists the files with the answer and serves them as downloads
// ([Casework.OpenReceivedEvidence]).
//
// # Audit trail
//
// Every staff action — accepting, rejecting, asking, deciding, opening evidence or the
// Antragsübersicht — is an [Event] (who, when, which case, what) added to the case's
// append-only trail and shown on the case page. Nothing is deleted.
//
// # Failed deliveries
//
// The people who run the portal have a role of their own (Options.OperatorRole). With the
// portal's outbox in HandlerOptions.Outbox they get the page "Fehlgeschlagene Zustellungen":
// the work the outbox gave up, of every service — a delivery to a back office, a receipt to
// the citizen, a withdrawal — with reference, service, target, the step that failed,
// attempts, the last error and when it was last due, and a button that requeues it. The Go
// methods are [Casework.FailedDeliveries], [Casework.OutboxWork] and
// [Casework.RequeueDelivery]; a requeue is written to the log as "casework: audit" and, when
// the inbox holds the submission's case, added to its trail ([ActionRequeued]). The command
// cmd/ozgoutbox does the same from a shell.
//
// # Pages
//
// [Casework.Handler] serves the pages: server-rendered with html/template, German and
// English, no JavaScript, readable on a 375 px screen, with a Content-Security-Policy
// without scripts, frame-ancestors 'none', X-Frame-Options DENY and Cache-Control no-store.
// Evidence is downloaded as an attachment with its sniffed type. The staff gate's refusals —
// a form whose CSRF token does not fit, a post after the login expired — are answered to
// browsers as pages with a way back, not as problem+json. The PDFs (Antragsübersicht,
// Bescheid) come from casework/document.
package casework
