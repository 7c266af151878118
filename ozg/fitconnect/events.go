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
	EventCreate = "create-submission"
	EventSubmit = "submit-submission"
	EventNotify = "notify-submission"
	EventAccept = "accept-submission"
	EventReject = "reject-submission"
	EventDelete = "delete-submission"
)

// SETType is the typ header of a Security Event Token.
const SETType = "secevent+jwt"

// maxSET bounds the length of one Security Event Token.
const maxSET = 64 << 10

// Event is one verified entry of a case's event log.
type Event struct {
	// ID is the token's jti.
	ID string
	// Issuer is the Submission API for its own events, the destination id for accept and
	// reject events.
	Issuer string
	// Name is the event type without EventPrefix, e.g. "accept-submission".
	Name         string
	SubmissionID string
	CaseID       string
	IssuedAt     time.Time
	// Payload is the event's object, e.g. authenticationTags or the problems of a rejection.
	Payload json.RawMessage
}

// Accepted reports whether the authority accepted the submission.
func (e Event) Accepted() bool { return e.Name == EventAccept }

// Rejected reports whether the authority rejected the submission.
func (e Event) Rejected() bool { return e.Name == EventReject }

// byDestination reports whether an event type is issued and signed by the destination
// (the authority's subscriber) rather than by the Submission API.
func byDestination(name string) bool { return name == EventAccept || name == EventReject }

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
// secevent+jwt, a kid, a signature by the Submission API's key (or, for accept and reject
// events, by the key of the destination named in iss), one event of a known prefix, a
// subject "submission:<id>", txn "case:<id>", iat and jti. wantDestination, when not empty,
// is the only destination whose accept or reject events count. Failures wrap ErrEvent.
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
	if byDestination(name) {
		if wantDestination != "" && pre.Iss != wantDestination {
			return bad("%s issued by %q, not by the destination %q", name, truncate(pre.Iss, 64), wantDestination)
		}
		if keys.Destination == nil {
			return bad("no destination keys to verify %s", name)
		}
		pub, err = keys.Destination(ctx, pre.Iss, h.Kid)
	} else {
		if keys.Service == nil {
			return bad("no service keys to verify %s", name)
		}
		pub, err = keys.Service(ctx, h.Kid)
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
	return Event{
		ID: c.Jti, Issuer: c.Iss, Name: name, SubmissionID: sub, CaseID: txn,
		IssuedAt: time.Unix(*c.Iat, 0).UTC(), Payload: c.Events[EventPrefix+name],
	}, nil
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
