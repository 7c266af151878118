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
// RSA-4096 keys take seconds to generate: [SharedKeys] makes them once per test binary.
// [PKI] certifies keys for x5c chains; [Server.Fail] injects failures.
package fitconnecttest
