// Package payment takes the fees (Gebühren) a service charges before submission, through
// payment platforms (Bezahldienste) that speak XBezahldienste: ePayBL, pmPayment, ePay21 and
// others.
//
// payment is a leaf package: it imports nothing else of ozgkit; the citizen is a plain
// subject string.
//
// # Overview
//
// A [Payment] is one attempt to pay one application's fee. Its [State] only moves forward:
// created → pending → paid, failed, canceled or expired; and a payment the provider confirms
// as paid becomes paid even after a failure or expiry was recorded.
//
// The [Service] is what a portal uses:
//
//   - [Service.Start] stores a payment and opens a transaction at the [Provider]; the citizen
//     is sent to the returned RedirectURL (the pay page). Start is idempotent by key: the same
//     key gives the same payment, a different amount under the same key is refused.
//   - [Service.HandleReturn] runs when the citizen comes back. It asks the provider for the
//     status — query parameters are never believed — checks amount and currency, and that the
//     payment belongs to the citizen and the application.
//   - [Service.Reconcile] asks about payments left pending and expires those left too long.
//     A provider that is a [Pinger] (XBezahldienste's GET /status) is asked once first: while
//     it is down, no payment is asked about and none expires on its silence.
//   - Options.OnPaid is called once when a payment becomes paid; [Payment.Facts] gives what
//     the back office and the FIT-Connect metadata need, the status in FIT-Connect's terms
//     ([PaymentInformationStatus]: paid is BOOKED).
//
// # Providers and stores
//
// A [Provider] creates and reads transactions; its contract is in its doc comment and in
// paymenttest.RunProviderConformance. Package payment/xbezahldienste is the client of the
// XBezahldienste REST API; package payment/paymenttest has a local XBezahldienste server with
// a pay page and an in-memory provider. A [Store] keeps payments; [MemoryStore] is in memory,
// paymenttest.RunStoreConformance checks others. Timeouts and server errors of a provider
// wrap [ErrUnavailable]; the Service retries them with backoff ([Retry]) and never marks a
// payment failed because of them.
//
// # Errors
//
// Sentinels for errors.Is: [ErrNotFound], [ErrExists], [ErrConflict], [ErrKeyReused],
// [ErrInvalid] (as a [*FieldError] naming the field), [ErrUnavailable], [ErrMismatch],
// [ErrProvider], [ErrNotPaid].
package payment
