// Package fitconnecttest runs a local FIT-Connect-like Submission API under httptest, for
// end-to-end tests of senders without the FIT-Connect test environment.
//
// [Server] implements exactly the endpoints ozg/fitconnect's Sender uses: the OAuth 2.0 token
// endpoint (client credentials), the destination and its keys, announcing a submission,
// uploading attachments, submitting, the case's event log of signed Security Event Tokens and
// the service's JWKS, and it posts signed callbacks to a configured URL. It also plays the
// authority: on submit it decrypts everything with the destination's private key, checks the
// hashes against the metadata and logs accept-submission or reject-submission;
// [Server.Received] returns what it decrypted.
//
// [SharedKeys] are fixed RSA-4096 test keys published with the package (the same in every
// process, so that fuzz corpora signed with them stay valid; they protect nothing);
// [GenerateKeys] makes fresh ones. [PKI] certifies keys for x5c chains; [Server.Fail] injects
// failures.
//
// The event log is paged as API v1 documents it (limit 1 to 500, default 100, offset,
// totalCount); [Server.LogEvent] adds events signed as FITKO's event table says (e.g.
// forward-submission by the destination, the Zustelldienst's reject-submission);
// [Server.ContentTypes] shows the cty of what was received; Options.SubmitStatus answers a
// submit with 200 instead of 202.
package fitconnecttest
