// Package fitconnect delivers submissions (Einreichungen) to the authority's back office
// (Fachverfahren) through FIT-Connect, the federal delivery infrastructure, and gives
// authorities the means to open what they receive.
//
// # Sending
//
// [Sender] implements ozg.Delivery. For each submission it
//
//  1. fetches an OAuth 2.0 token with the client-credentials grant (golang.org/x/oauth2),
//  2. reads the destination's encryption key (GET /v1/destinations/{id} for its
//     encryptionKid, then GET /v1/destinations/{id}/keys/{kid}) and checks it with
//     [CheckEncryptionKey],
//  3. builds the metadata document ([BuildMetadata], schema 1.0.0) and encrypts it and the data,
//  4. announces the submission with its attachment ids and the service's LeiKa URN
//     (POST /v1/submissions),
//  5. uploads each attachment as a compact JWE, application/jose
//     (PUT /v1/submissions/{id}/attachments/{attachmentId}), and
//  6. submits {encryptedMetadata, encryptedData} (PUT /v1/submissions/{id}).
//
// Success is what API v1 documents and what deployments answer: 201 or 200 for the
// announcement, 204 or 200 for an attachment, 202 or 200 for the submit (a 200 is never taken
// for a failure). Config.APIVersion names the API version of the paths; "v1", the default, is
// the one FITKO publishes for senders (its OpenAPI documents and docs.fitko.de describe no
// other), and NewSender refuses versions this package does not speak.
//
// The receipt's id is "<caseId>/<submissionId>" ([ParseReceiptID]). 4xx answers other than 408
// and 429, keys that fail their checks and facts that do not fit the metadata schema are
// permanent failures (ozg.ErrPermanent); everything else is retried by the outbox. See
// [Sender.Deliver] for what a retry after a partial delivery does.
//
// Attachments stream from the evidence blob store, but a JWE is made in memory: each
// attachment is read whole, one at a time, bounded by SenderOptions.MaxAttachment
// (default [MaxPayload], 64 MiB); encrypting it allocates about five times its size.
//
// # Metadata
//
// The metadata names the data's schema (Route.SchemaURI) and carries the SHA-512 (hex) of the
// unencrypted data and of every attachment, so that the authority can tell that nothing was
// swapped on the way; the publicServiceType is "urn:de:fim:leika:leistung:<key>"; the
// payment facts become paymentInformation as the provider reported them
// ([NewPaymentInformation]: status, method and its detail, transaction id, URL, reference,
// time, amount; XBezahldienste's PAYED is FIT-Connect's BOOKED; [Metadata.Payment] reads them
// back); the reference number (Aktenzeichen) becomes additionalReferenceInfo.senderReference. authenticationInformation is not written:
// schema 1.0.0 wants an identification report (a signed document) there, which the login
// facts of an ozg.Submission are not.
//
// # Encryption
//
// Every payload (metadata, data, each attachment) is encrypted on its own as a compact JWE,
// alg RSA-OAEP-256, enc A256GCM, with the payload's media type in cty ([EncryptContent]);
// nothing is compressed. Destination keys must be RSA of at least 4096 bits,
// exponent 65537 (AQAB), alg RSA-OAEP-256 and key_ops wrapKey, with the expected kid; when
// [KeyPolicy].Roots holds the trust anchors (the V-PKI roots), the key's x5c chain must lead to
// one of them and its leaf must certify the key. Set Roots in production.
//
// # Receiving
//
// Authorities (subscribers) open a submission with [OpenSubmission] and their private key: it
// decrypts ([Decrypt] refuses other algorithms and tampered ciphertexts; it accepts zip "DEF",
// which some senders use, and stops inflating at the payload bound, so that a compressed
// payload takes no more memory than an uncompressed one may),
// validates the metadata (optionally against the schema, [CompileMetadataSchema]) and checks
// every hash.
//
// # Event log and callbacks
//
// [Sender.Events] reads a case's event log, page by page (limit 500, offset, up to
// totalCount, at most [MaxEvents] entries), and verifies each Security Event Token
// ([VerifySET]): PS512, typ secevent+jwt, signed as FITKO's event table says: the
// Zustelldienst's events (create-, submit-, notify-, delete-submission) with the Submission
// API's JWKS, the receiving system's (accept-, forward-submission) with the destination's
// signature key, and reject-submission by either (the Zustelldienst rejects a submission not
// fetched within 14 days). An entry that fails verification is returned with [Event].Err set
// and counts for nothing; it never makes the rest of the log unreadable. Pollers or the
// outbox's OnDelivered use [Event.Accepted], [Event.Rejected] and [Event.Forwarded] to move
// applications on.
//
// Callbacks carry callback-timestamp and callback-authentication, the hex HMAC-SHA512 over
// "<timestamp>.<body>"; [VerifyCallback] and [CallbackHandler] refuse timestamps older than five
// minutes and compare in constant time; [SignCallback] signs for tests.
//
// # Receiving each submission once
//
// A subscriber that fetches submissions (with [OpenSubmission]) may see one twice: after a
// crash between handing it to the Fachverfahren and confirming it (accept-submission), or when
// a callback is repeated. Key the hand-over by the FIT-Connect submission id in a durable
// record before the Fachverfahren acts — ozg/delivery's Deduplicator (memory, or ozg/sqlstore's
// shared by replicas) is made for it: Claim the id, hand the submission over, Complete with
// the Fachverfahren's receipt; a repeat finds the receipt and is confirmed again without a
// second hand-over.
//
// Package fitconnecttest runs a local FIT-Connect-like Submission API for tests.
package fitconnect
