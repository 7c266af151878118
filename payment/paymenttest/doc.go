// Package paymenttest is the test and development kit of package payment:
//
//   - [Server], a local XBezahldienste server that validates requests like a strict provider,
//     keeps transactions in memory and serves an accessible pay page on which the citizen
//     chooses to pay, cancel or fail. It runs under net/http/httptest and can be mounted as an
//     http.Handler in example apps.
//   - [MemoryProvider], a payment.Provider in memory, without HTTP.
//   - [Citizen], which drives a pay page over HTTP like a browser would.
//   - [RunProviderConformance] and [RunStoreConformance], the suites every payment.Provider
//     and payment.Store implementation runs in its tests.
//
// # Pay page
//
// The pay page of a transaction lives at {base}/pay/{transactionId}. It is a plain HTML form
// (no script) with a choice of payment method and three buttons: pay, cancel and fail
// (the latter stands for a declined card). Each button posts back, changes the transaction
// and redirects the browser (303) to the redirectUrl of the payment request.
package paymenttest
