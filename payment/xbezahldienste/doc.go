// Package xbezahldienste is a client of the XBezahldienste payment-transaction REST API, the
// standard interface of German public payment platforms (ePayBL, pmPayment, ePay21 and
// others). [Client] implements payment.Provider.
//
// # API
//
//	POST {base}/paymenttransaction/{originatorId}/{endpointId}                   create
//	GET  {base}/paymenttransaction/{originatorId}/{endpointId}/{transactionId}   status
//	GET  {base}/status/{originatorId}/{endpointId}                               ping
//
// The last one reports the status of the platform's configuration for the originator and
// endpoint (200 ready, 403 refused, 503 down), not of any transaction: [Client.Ping]
// implements payment.Pinger with it, and payment.Service.Reconcile asks it once per run.
//
// Both answer a [PaymentTransaction]: the [PaymentRequest] as the platform holds it and the
// [PaymentInformation] with the status (INITIAL, PAYED — sic —, FAILED, CANCELED) and, while
// INITIAL, the pay page (transactionRedirectUrl). The amount field is spelled grosAmount
// (sic). The result is never pushed: after the citizen comes back, ask with Status.
//
// # Rules enforced before sending
//
// [PaymentRequest.Validate] checks every length and character rule of the published API
// v1.0.0 (originatorId, endPointId, requestId and item ids ≤ 36 of [A-Za-z0-9_-]; purpose ≤
// 27 of [A-Za-z0-9 _-]; description ≤ 250 of letters including umlauts and À to ſ, digits,
// space, '_', '-', ',' and '.'; grosAmount and the items' amounts, decimal numbers of euros,
// at most 999999; 1 to 99 items adding up to grosAmount, ...); a request that breaks one is
// refused with a *payment.FieldError naming the field and never sent. The purpose is
// transliterated first with [Transliterate] (ä → ae, ß → ss, é → e), the description with
// [TransliterateDescription] (€ → EUR, § → Par., "a: b" → "a - b", 12/2026 → 12-2026);
// characters without a plain equivalent (parentheses, quotes, &) are refused, not dropped,
// as dropping them changes the text. [Check] applies the same rules without a client.
//
// # Errors
//
// The platform's problem documents become an [*Error] carrying the functionalCode
// (PAYMENT_EXISTS, VALIDATION_ERROR, ...) and the functionalText. It wraps the matching sentinel of package payment:
// server errors (5xx), timeouts and network errors wrap payment.ErrUnavailable.
//
// # Authentication
//
// Platforms authenticate differently (ePayBL: TLS client certificate; pmPayment: OAuth2
// client credentials; ePay21: Basic). The client takes a configured *http.Client: put the
// certificate in its transport's TLS config, or use an oauth2 client.
package xbezahldienste
