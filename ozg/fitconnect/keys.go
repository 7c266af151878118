package fitconnect

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/ozgkit/ozgkit/ozg"
)

// keyTTL is how long fetched keys are reused.
const keyTTL = 10 * time.Minute

// destKey is a cached, checked signature key of a destination.
type destKey struct {
	key     *rsa.PublicKey
	fetched time.Time
}

// keyCache holds the Submission API's JWKS.
type keyCache struct {
	keys    map[string]*rsa.PublicKey
	fetched time.Time
}

// destination is the part of GET /v1/destinations/{id} the sender reads.
type destination struct {
	DestinationID string `json:"destinationId"`
	EncryptionKid string `json:"encryptionKid"`
	Status        string `json:"status"`
}

// EncryptionKey fetches the destination's current public encryption key
// (GET /v1/destinations/{id}, then GET /v1/destinations/{id}/keys/{encryptionKid}) and checks
// it with CheckEncryptionKey under the sender's KeyPolicy. It is fetched for every
// submission, so that a rotated key is used at once.
func (s *Sender) EncryptionKey(ctx context.Context, destinationID string) (*EncryptionKey, error) {
	if !isUUID(destinationID) {
		return nil, fmt.Errorf("%w: destination id %q is not a UUID", ErrKey, truncate(destinationID, 64))
	}
	var d destination
	if err := s.call(ctx, "GET", "/v1/destinations/"+destinationID, body{}, 200, &d); err != nil {
		return nil, err
	}
	if d.EncryptionKid == "" {
		return nil, fmt.Errorf("%w: destination %s names no encryptionKid", ErrKey, destinationID)
	}
	raw, err := s.getRaw(ctx, "/v1/destinations/"+destinationID+"/keys/"+url.PathEscape(d.EncryptionKid))
	if err != nil {
		return nil, err
	}
	k, err := CheckEncryptionKey(raw, d.EncryptionKid, s.policy)
	if err != nil {
		return nil, fmt.Errorf("destination %s: %w", destinationID, err)
	}
	return k, nil
}

// destinationSignatureKey returns the destination's signature key with kid, checked with
// CheckSignatureKey, from a cache or GET /v1/destinations/{id}/keys/{kid}.
func (s *Sender) destinationSignatureKey(ctx context.Context, destinationID, kid string) (*rsa.PublicKey, error) {
	if !isUUID(destinationID) {
		return nil, fmt.Errorf("%w: issuer %q is not a destination id", ErrEvent, truncate(destinationID, 64))
	}
	ck := destinationID + "/" + kid
	s.mu.Lock()
	c, ok := s.destKeys[ck]
	s.mu.Unlock()
	if ok && s.now().Sub(c.fetched) < keyTTL {
		return c.key, nil
	}
	raw, err := s.getRaw(ctx, "/v1/destinations/"+destinationID+"/keys/"+url.PathEscape(kid))
	if err != nil {
		return nil, err
	}
	pub, err := CheckSignatureKey(raw, kid, s.policy)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.destKeys) > 1000 {
		clear(s.destKeys)
	}
	s.destKeys[ck] = destKey{key: pub, fetched: s.now()}
	s.mu.Unlock()
	return pub, nil
}

// serviceKey returns the Submission API's signature key with kid from its JWKS
// (/.well-known/jwks.json), fetched again when older than keyTTL or when kid is unknown and
// the last fetch is more than a minute ago (key rotation).
func (s *Sender) serviceKey(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	s.mu.Lock()
	c := s.serviceKeys
	s.mu.Unlock()
	now := s.now()
	if c != nil && now.Sub(c.fetched) < keyTTL {
		if k, ok := c.keys[kid]; ok {
			return k, nil
		}
		if now.Sub(c.fetched) < time.Minute {
			return nil, fmt.Errorf("%w: no service key %q", ErrEvent, truncate(kid, 64))
		}
	}
	raw, err := s.getRaw(ctx, "/.well-known/jwks.json")
	if err != nil {
		return nil, err
	}
	keys, err := parseServiceJWKS(raw)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.serviceKeys = &keyCache{keys: keys, fetched: now}
	s.mu.Unlock()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("%w: no service key %q", ErrEvent, truncate(kid, 64))
}

// parseServiceJWKS keeps the RSA keys of at least MinKeyBits that may verify PS512.
func parseServiceJWKS(raw json.RawMessage) (map[string]*rsa.PublicKey, error) {
	set, err := jwk.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: service JWKS: %v", ErrKey, err)
	}
	if set.Len() > 100 {
		return nil, fmt.Errorf("%w: service JWKS has %d keys, more than 100", ErrKey, set.Len())
	}
	out := map[string]*rsa.PublicKey{}
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		if k.KeyID() == "" || (k.Algorithm().String() != "" && k.Algorithm().String() != "PS512") {
			continue
		}
		var pub rsa.PublicKey
		if k.Raw(&pub) != nil || pub.N.BitLen() < MinKeyBits || pub.E != 65537 {
			continue
		}
		out[k.KeyID()] = &pub
	}
	return out, nil
}

// eventLog is the answer to GET /v1/cases/{caseId}/events.
type eventLog struct {
	EventLog []string `json:"eventLog"`
}

// maxEvents bounds the entries of one event log this package verifies.
const maxEvents = 1000

// Events reads the event log of a case (GET /v1/cases/{caseId}/events) and verifies every
// Security Event Token (see VerifySET): the Submission API's own events with its JWKS, accept
// and reject events with the signature key of destinationID. An entry that fails
// verification fails the whole call with an error wrapping ErrEvent: a forged entry is never
// skipped silently. Use Event.Accepted and Event.Rejected to move the application on.
func (s *Sender) Events(ctx context.Context, caseID, destinationID string) ([]Event, error) {
	if !isUUID(caseID) {
		return nil, fmt.Errorf("fitconnect: case id %q is not a UUID", truncate(caseID, 64))
	}
	var l eventLog
	if err := s.call(ctx, "GET", "/v1/cases/"+caseID+"/events", body{}, 200, &l); err != nil {
		return nil, err
	}
	if len(l.EventLog) > maxEvents {
		return nil, fmt.Errorf("%w: event log of %d entries, more than %d", ErrEvent, len(l.EventLog), maxEvents)
	}
	keys := SETKeys{Service: s.serviceKey, Destination: s.destinationSignatureKey}
	out := make([]Event, 0, len(l.EventLog))
	for i, raw := range l.EventLog {
		e, err := VerifySET(ctx, raw, keys, destinationID)
		if err != nil {
			return nil, fmt.Errorf("fitconnect: case %s, event %d: %w", caseID, i, err)
		}
		if e.CaseID != caseID {
			return nil, fmt.Errorf("%w: event %d belongs to case %q", ErrEvent, i, truncate(e.CaseID, 64))
		}
		out = append(out, e)
	}
	return out, nil
}

// SubmissionEvents is Events for a submission delivered with this sender and its receipt:
// the events of that submission only.
func (s *Sender) SubmissionEvents(ctx context.Context, sub *ozg.Submission, r ozg.Receipt) ([]Event, error) {
	caseID, submissionID, err := ParseReceiptID(r.ID)
	if err != nil {
		return nil, err
	}
	route, ok := s.cfg.Routes[sub.ServiceID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrNoRoute, sub.ServiceID)
	}
	all, err := s.Events(ctx, caseID, route.DestinationID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if e.SubmissionID == submissionID {
			out = append(out, e)
		}
	}
	return out, nil
}
