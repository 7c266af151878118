// Package ozg composes ozgkit's parts into an online service in the sense of the German
// Onlinezugangsgesetz (OZG).
//
// # Services and the catalogue
//
// A [Service] describes one public service (Verwaltungsleistung): its Leistungsschlüssel, the
// responsible authority and its region (Amtlicher Regionalschlüssel), the trust level a citizen
// must log in at, the form, the evidence (Nachweise), the fee and where submissions go.
// [Service.Validate] reports every broken rule at once. A [Catalog] holds the services of a
// portal, finds them by id, Leistungsschlüssel and region, routes a citizen's area to the
// responsible authority, and exports JSON, schema.org JSON-LD, a sitemap and, for the
// Portalverbund, an XZuFi 2.2 transfer message ([Catalog.WriteXZuFi]).
//
// # Maturity
//
// [Assess] rates a service as deployed under the OZG Reifegradmodell 1.1 (levels 0–4): each
// criterion gets the highest level it allows and a reason, and the lowest wins. Level 3 is the
// OZG's floor: apply fully online with evidence, payment and authentication.
//
// # Applications
//
// An [Application] (Antrag) moves draft → submitted → delivered → accepted/rejected → decided,
// or is withdrawn; every other move is refused. [Applications] runs that lifecycle over an
// [ApplicationStore] (memory here, SQL in ozg/sqlstore) and assigns reference numbers
// (Aktenzeichen) that never repeat. ozg/ozgtest holds the store conformance suite.
//
// # The journey as Go methods
//
// [Applications] carries every step of the citizen's journey with its rules: Create and
// SaveData (the draft valid as far as it goes), AttachEvidence and RemoveEvidence (through the
// [EvidenceFiles] seam; *evidence.Manager is one), StartPayment and PaymentReturned (through
// the [Fees] seam; ozg/portal adapts payment.Service), Check (what is still missing, as an
// *[IncompleteError]), Submit (data valid in full, every required evidence present and scanned
// clean, the fee paid with the service's amount) and Withdraw. The HTML pages and the JSON API
// of ozg/portal both call these methods; nothing else decides.
//
// # Submissions and the outbox
//
// Submit stores the submission (Einreichung) with its outbox entry in one transaction. The
// [Outbox] delivers it to the service's [Delivery] target (FIT-Connect, a signed webhook, a
// back office's inbox) with retries and backoff. Each step is recorded in the store together
// with its consequences, so a crash repeats work at most and loses nothing:
//
//	pending ──delivered──▶ notifying ──receipt in the Postfach──▶ delivered
//
// the application moving to "delivered" in the same transaction as the delivery. A withdrawal
// cancels a pending entry in the same transaction as the application's move to withdrawn, or,
// once delivered, becomes a withdrawal the outbox delivers ([Withdrawer]). Failed work stays
// visible (Outbox.Failed) until a person requeues it.
//
// # Retention
//
// A service's [Retention] says how long drafts, submissions, evidence and Postfach messages are
// kept (Löschfristen); zero keeps them, [DefaultRetention] suggests periods. A [Sweeper]
// deletes what is due in bounded batches, oldest first, and reports counts per service and
// kind without personal data; a dry run counts what the sweep would delete. A submitted
// application goes only after its outbox entry is delivered or withdrawn, checked again in the
// deleting transaction, so nothing the outbox still has to do is lost. Stores that can do this
// implement [RetentionStore]; ozg/portal runs the sweeper hourly.
package ozg
