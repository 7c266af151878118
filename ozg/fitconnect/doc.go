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
// payment becomes paymentInformation (payment.Facts); the reference number (Aktenzeichen)
// becomes additionalReferenceInfo.senderReference. authenticationInformation is not written:
// schema 1.0.0 wants an identification report (a signed document) there, which the login
// facts of an ozg.Submission are not.
//
// # Encryption
//
// Every payload (metadata, data, each attachment) is encrypted on its own as a compact JWE,
// alg RSA-OAEP-256, enc A256GCM ([Encrypt]). Destination keys must be RSA of at least 4096 bits,
// exponent 65537 (AQAB), alg RSA-OAEP-256 and key_ops wrapKey, with the expected kid; when
// [KeyPolicy].Roots holds the trust anchors (the V-PKI roots), the key's x5c chain must lead to
// one of them and its leaf must certify the key. Set Roots in production.
//
// # Receiving
//
// Authorities (subscribers) open a submission with [OpenSubmission] and their private key: it
// decrypts ([Decrypt] refuses other algorithms, compression and tampered ciphertexts),
// validates the metadata (optionally against the schema, [CompileMetadataSchema]) and checks
// every hash.
//
// # Event log and callbacks
//
// [Sender.Events] reads a case's event log and verifies each Security Event Token
// ([VerifySET]): PS512, typ secevent+jwt, signed by the Submission API's key from its JWKS, or
// for accept-submission and reject-submission by the destination's signature key. Pollers or
// the outbox's OnDelivered use [Event.Accepted] and [Event.Rejected] to move applications on.
//
// Callbacks carry callback-timestamp and callback-authentication, the hex HMAC-SHA512 over
// "<timestamp>.<body>"; [VerifyCallback] and [CallbackHandler] refuse timestamps older than five
// minutes and compare in constant time; [SignCallback] signs for tests.
//
// Package fitconnecttest runs a local FIT-Connect-like Submission API for tests.
package fitconnect
