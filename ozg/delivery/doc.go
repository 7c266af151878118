// Package delivery holds ozg.Delivery implementations that take submissions to a back office
// (Fachverfahren):
//
//   - [Webhook] posts each submission to an HTTPS endpoint of the back office as a signed
//     multipart request, streaming the evidence files; [Receiver] is the matching http.Handler
//     for the back office's side, which checks the signature, the timestamp and every file's
//     SHA-512.
//   - [Inbox] keeps submissions in memory for a case-worker view, as the examples use it.
//
// The FIT-Connect sender lives in ozg/fitconnect.
//
// # Webhook signatures
//
// The first part of the multipart body is the submission as JSON (the metadata, including each
// file's SHA-512 and size). The header Ozg-Signature carries "t=<unix seconds>,v1=<hex>", where
// hex is HMAC-SHA512 with the shared secret over "<t>.<metadata JSON>". The files follow as
// further parts and are bound to the signature through their hashes. Receivers refuse
// signatures older than five minutes and compare in constant time.
package delivery
