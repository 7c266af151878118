package fitconnect

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// EventPrefix is the URI prefix of FIT-Connect event types.
const EventPrefix = "https://schema.fitko.de/fit-connect/events/"

// Event types (the part after EventPrefix).
const (
	EventCreate  = "create-submission"
	EventSubmit  = "submit-submission"
	EventNotify  = "notify-submission"
	EventAccept  = "accept-submission"
	EventReject  = "reject-submission"
	EventForward = "forward-submission"
	EventDelete  = "delete-submission"
)

// SETType is the typ header of a Security Event Token.
const SETType = "secevent+jwt"

// maxSET bounds the length of one Security Event Token.
const maxSET = 64 << 10

// Event is one entry of a case's event log. Err is nil when the entry was verified; an entry
// that failed verification is kept with Err saying why, and its other fields are what its
// unverified claims say, for display only (Payload stays empty).
type Event struct {
	// ID is the token's jti.
	ID string
	// Issuer is the Submission API (Zustelldienst) for its own events, the destination id for
	// events of the receiving system.
	Issuer string
	// Name is the event type without EventPrefix, e.g. "accept-submission".
	Name         string
	SubmissionID string
	CaseID       string
	IssuedAt     time.Time
	// Payload is the event's object, e.g. authenticationTags or the problems of a rejection.
	Payload json.RawMessage
	// Err is why the entry failed verification (wrapping ErrEvent, ErrKey or ErrUntrusted);
	// nil for a verified entry.
	Err error
}

// Verified reports whether the entry passed verification.
func (e Event) Verified() bool { return e.Err == nil }

// Accepted reports whether the authority accepted the submission (a verified
// accept-submission).
func (e Event) Accepted() bool { return e.Err == nil && e.Name == EventAccept }

// Rejected reports whether the submission was rejected (a verified reject-submission), by
// the authority or, when it was not fetched within 14 days, by the Zustelldienst (see
// [Event.ByDestination]).
func (e Event) Rejected() bool { return e.Err == nil && e.Name == EventReject }

// Forwarded reports whether a downstream system took the submission over for forwarding
// (a verified forward-submission, signed by the receiving system).
func (e Event) Forwarded() bool { return e.Err == nil && e.Name == EventForward }

// ByDestination reports whether the event was issued and signed by the destination (the
// receiving system) rather than by the Zustelldienst.
func (e Event) ByDestination() bool { return isUUID(e.Issuer) }

// signer says who may issue and sign an event type, following FITKO's event table: the
// Zustelldienst (the Submission API, its JWKS) its own events; the receiving system (the
// destination's signature key) accept-submission and forward-submission; and
// reject-submission either of them: the receiving system, or the Zustelldienst when a
// submission was not fetched within 14 days.
type signer int

const (
	byService signer = 1 << iota
	byDestination
)

func signerOf(name string) signer {
	switch name {
	case EventCreate, EventSubmit, EventNotify, EventDelete:
		return byService
	case EventAccept, EventForward:
		return byDestination
	}
	// reject-submission, and events this package does not know: the issuer decides.
	return byService | byDestination
}

// SETKeys finds the public keys Security Event Tokens are verified with.
//
// Contract: Service returns the Submission API's signature key with the kid (from its JWKS);
// Destination returns the signature key of the destination with the kid, checked with
// CheckSignatureKey. Either returns an error wrapping ErrEvent or ErrKey when there is no
// such key, and any other error when the keys could not be fetched.
type SETKeys struct {
	Service     func(ctx context.Context, kid string) (*rsa.PublicKey, error)
	Destination func(ctx context.Context, destinationID, kid string) (*rsa.PublicKey, error)
}

type setHeader struct {
	Alg  string   `json:"alg"`
	Typ  string   `json:"typ"`
	Kid  string   `json:"kid"`
	Crit []string `json:"crit"`
}

type setClaims struct {
	Iss    string                     `json:"iss"`
	Sub    string                     `json:"sub"`
	Txn    string                     `json:"txn"`
	Iat    *int64                     `json:"iat"`
	Jti    string                     `json:"jti"`
	Events map[string]json.RawMessage `json:"events"`
}

// VerifySET verifies one Security Event Token of the event log: header alg PS512 and typ
// secevent+jwt, a kid, one event of FIT-Connect's prefix, a subject "submission:<id>", txn
// "case:<id>", iat and jti, and a signature by the key FITKO's event table assigns:
// create-, submit-, notify- and delete-submission by the Submission API's key (its JWKS);
// accept- and forward-submission by the signature key of the destination named in iss;
// reject-submission by the destination when iss is a destination id, otherwise by the
// Submission API (the Zustelldienst rejects a submission not fetched within 14 days). An
// event type this package does not know is verified by whoever iss names.
// wantDestination, when not empty, is the only destination whose events count. Failures wrap
// ErrEvent.
func VerifySET(ctx context.Context, raw string, keys SETKeys, wantDestination string) (Event, error) {
	bad := func(format string, args ...any) (Event, error) {
		return Event{}, fmt.Errorf("%w: %s", ErrEvent, fmt.Sprintf(format, args...))
	}
	if len(raw) > maxSET {
		return bad("%d bytes, more than %d", len(raw), maxSET)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return bad("not a compact JWS")
	}
	var h setHeader
	if err := decodeSegment(parts[0], &h); err != nil {
		return bad("header: %v", err)
	}
	switch {
	case h.Alg != jwa.PS512.String():
		return bad("alg %q, want PS512", truncate(h.Alg, 32))
	case h.Typ != SETType:
		return bad("typ %q, want %s", truncate(h.Typ, 32), SETType)
	case h.Kid == "":
		return bad("no kid")
	case len(h.Crit) > 0:
		return bad("crit %q not understood", h.Crit)
	}
	// The claims are read before verification only to choose the key; the event is built
	// from the verified payload below.
	var pre setClaims
	if err := decodeSegment(parts[1], &pre); err != nil {
		return bad("claims: %v", err)
	}
	name, err := eventName(pre.Events)
	if err != nil {
		return Event{}, err
	}
	var pub *rsa.PublicKey
	who := signerOf(name)
	fromDestination := isUUID(pre.Iss)
	switch {
	case fromDestination && who&byDestination == 0:
		return bad("%s is the Zustelldienst's event, but issued by the destination %q", name, truncate(pre.Iss, 64))
	case !fromDestination && who&byService == 0:
		return bad("%s is the receiving system's event, but issued by %q, not a destination", name, truncate(pre.Iss, 64))
	}
	if fromDestination {
		if wantDestination != "" && pre.Iss != wantDestination {
			return bad("%s issued by %q, not by the destination %q", name, truncate(pre.Iss, 64), wantDestination)
		}
		if keys.Destination == nil {
			return bad("no destination keys to verify %s", name)
		}
		pub, err = keys.Destination(ctx, pre.Iss, h.Kid)
		if err != nil {
			err = &keyFetchError{err}
		}
	} else {
		if keys.Service == nil {
			return bad("no service keys to verify %s", name)
		}
		pub, err = keys.Service(ctx, h.Kid)
		if err != nil {
			err = &keyFetchError{err}
		}
	}
	if err != nil {
		return Event{}, fmt.Errorf("%w: key %q: %w", ErrEvent, truncate(h.Kid, 64), err)
	}
	payload, err := jws.Verify([]byte(raw), jws.WithKey(jwa.PS512, pub))
	if err != nil {
		return bad("signature: %v", err)
	}
	var c setClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return bad("claims: %v", err)
	}
	if name2, err := eventName(c.Events); err != nil || name2 != name {
		return bad("events changed under verification")
	}
	sub, ok := strings.CutPrefix(c.Sub, "submission:")
	if !ok || sub == "" {
		return bad("sub %q is not submission:<id>", truncate(c.Sub, 64))
	}
	txn, ok := strings.CutPrefix(c.Txn, "case:")
	if !ok || txn == "" {
		return bad("txn %q is not case:<id>", truncate(c.Txn, 64))
	}
	if c.Iat == nil || c.Jti == "" || c.Iss == "" {
		return bad("iss, iat and jti are required")
	}
	if c.Iss != pre.Iss {
		return bad("iss changed under verification")
	}
	return Event{
		ID: c.Jti, Issuer: c.Iss, Name: name, SubmissionID: sub, CaseID: txn,
		IssuedAt: time.Unix(*c.Iat, 0).UTC(), Payload: c.Events[EventPrefix+name],
	}, nil
}

// keyFetchError is a failure to get the key a token names; Events tells from it whether the
// entry or the fetch is to blame.
type keyFetchError struct{ err error }

func (e *keyFetchError) Error() string { return e.err.Error() }
func (e *keyFetchError) Unwrap() error { return e.err }

// unverified returns what a token that failed verification claims, with err, for display.
func unverified(raw string, err error) Event {
	e := Event{Err: err}
	parts := strings.Split(raw, ".")
	if len(raw) > maxSET || len(parts) != 3 {
		return e
	}
	var c setClaims
	if decodeSegment(parts[1], &c) != nil {
		return e
	}
	e.ID, e.Issuer = truncate(c.Jti, 64), truncate(c.Iss, 128)
	e.SubmissionID, _ = strings.CutPrefix(truncate(c.Sub, 64), "submission:")
	e.CaseID, _ = strings.CutPrefix(truncate(c.Txn, 64), "case:")
	if name, err := eventName(c.Events); err == nil {
		e.Name = truncate(name, 64)
	}
	if c.Iat != nil {
		e.IssuedAt = time.Unix(*c.Iat, 0).UTC()
	}
	return e
}

func eventName(events map[string]json.RawMessage) (string, error) {
	if len(events) != 1 {
		return "", fmt.Errorf("%w: %d events in one token, want 1", ErrEvent, len(events))
	}
	for uri := range events {
		name, ok := strings.CutPrefix(uri, EventPrefix)
		if !ok || name == "" || strings.Contains(name, "/") {
			return "", fmt.Errorf("%w: event %q is not a FIT-Connect event", ErrEvent, truncate(uri, 96))
		}
		return name, nil
	}
	return "", nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
