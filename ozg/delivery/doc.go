// Package delivery holds ozg.Delivery implementations that take submissions to a back office
// (Fachverfahren):
//
//   - [Webhook] posts each submission to an HTTPS endpoint of the back office as a signed
//     multipart request, streaming the evidence files; [Receiver] is the matching http.Handler
//     for the back office's side, which checks the signature, the timestamp and every file's
//     SHA-512.
//   - [Inbox] keeps submissions in memory for a case-worker view, as the examples use it.
//   - [Deduplicator] is the durable record with which a receiving end takes each submission
//     once; [MemoryDeduplicator] is the in-process one, sqlstore has the shared one, and
//     deliverytest.RunDeduplicatorConformance checks them.
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
//
// # Exactly once at the receiving end
//
// Delivery is at least once: the portal's outbox retries until it has recorded an answer, so a
// sender that dies after the back office took a submission, or whose answer was lost, delivers
// the same submission again (same submission id, sent also as the Idempotency-Key header).
// [Receiver] deduplicates by the submission id through a [Deduplicator] and runs its handler
// once per submission:
//
//	dedup := db.Deduplicator() // sqlstore: durable, shared by the back office's replicas
//	http.Handle("/ozg/submissions", delivery.NewReceiver(secret, handle,
//		&delivery.ReceiverOptions{Deduplicator: dedup}))
//
// A receiver written by others should do the same:
//
//  1. Check the signature first; then take the key from the signed submission's "id", not
//     from the unsigned Idempotency-Key header (refuse a header that differs).
//  2. Claim the id in a durable record shared by all replicas before taking the submission,
//     in one statement that only one caller can win (an INSERT on a primary key, or an
//     upsert that takes over a claim whose lease ran out). A claim held by another request
//     answers 409 Conflict: the sender retries later.
//  3. A completed id answers the receipt recorded for it with 200, without taking anything
//     again (Receiver adds Idempotent-Replayed: true).
//  4. After the handler, record its receipt under the claim even if the sender has gone away
//     (do not use the request's canceled context): that is exactly when it delivers again.
//     After a failure, give the claim up, so the retry runs the handler anew.
//  5. Keep completed ids longer than any sender retries (30 days by default), and make the
//     lease longer than the handler takes.
//
// The last gap is a crash between the handler's effect and the record of its receipt. A back
// office that stores submissions in a database closes it by making the submission id a unique
// key of its own table, or by recording both in one transaction.
package delivery
