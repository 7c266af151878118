// Package xbezahldienste is a client of the XBezahldienste payment-transaction REST API, the
// standard interface of German public payment platforms (ePayBL, pmPayment, ePay21 and
// others). [Client] implements payment.Provider.
//
// # API
//
//	POST {base}/paymenttransaction/{originatorId}/{endpointId}                   create
//	GET  {base}/paymenttransaction/{originatorId}/{endpointId}/{transactionId}   status
//
// Both answer a [PaymentTransaction]: the [PaymentRequest] as the platform holds it and the
// [PaymentInformation] with the status (INITIAL, PAYED — sic —, FAILED, CANCELED) and, while
// INITIAL, the pay page (transactionRedirectUrl). The amount field is spelled grosAmount
// (sic). The result is never pushed: after the citizen comes back, ask with Status.
//
// # Rules enforced before sending
//
// [PaymentRequest.Validate] checks every length and character rule (requestId ≤ 36 of
// [A-Za-z0-9_-], purpose ≤ 27 of [A-Za-z0-9 -], description ≤ 250, amounts 0 to 999999.99
// with the items adding up to grosAmount, ...); a request that breaks one is refused with a
// *payment.FieldError naming the field and never sent. The purpose is transliterated first
// with [Transliterate] (ä → ae, ß → ss, é → e).
//
// # Errors
//
// The platform's problem documents become an [*Error] carrying the functionalCode
// (PAYMENT_EXISTS, VALIDATION_ERROR, ...). It wraps the matching sentinel of package payment:
// server errors (5xx), timeouts and network errors wrap payment.ErrUnavailable.
//
// # Authentication
//
// Platforms authenticate differently (ePayBL: TLS client certificate; pmPayment: OAuth2
// client credentials; ePay21: Basic). The client takes a configured *http.Client: put the
// certificate in its transport's TLS config, or use an oauth2 client.
package xbezahldienste
