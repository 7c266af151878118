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
package ozg
