package fitconnect

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
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
	if err := s.call(ctx, "GET", s.api("/destinations/"+destinationID), body{}, &d, 200); err != nil {
		return nil, err
	}
	if d.EncryptionKid == "" {
		return nil, fmt.Errorf("%w: destination %s names no encryptionKid", ErrKey, destinationID)
	}
	raw, err := s.getRaw(ctx, s.api("/destinations/")+destinationID+"/keys/"+url.PathEscape(d.EncryptionKid))
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
	raw, err := s.getRaw(ctx, s.api("/destinations/")+destinationID+"/keys/"+url.PathEscape(kid))
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

// eventLog is one page of GET /v1/cases/{caseId}/events.
type eventLog struct {
	CaseID     string   `json:"caseId"`
	Offset     int      `json:"offset"`
	Count      int      `json:"count"`
	TotalCount int      `json:"totalCount"`
	EventLog   []string `json:"eventLog"`
}

// EventPageSize is how many entries Events asks for per page: the Submission API's maximum
// limit (its default is 100).
const EventPageSize = 500

// MaxEvents bounds the entries of one event log Events reads (and so its pages, each at most
// 4 MiB): a longer log is an error.
const MaxEvents = 5000

// Events reads the event log of a case, every page of it (GET
// /v1/cases/{caseId}/events?limit=500&offset=..., up to MaxEvents entries, following
// totalCount), and verifies every Security Event Token with VerifySET: the Zustelldienst's
// events with the Submission API's JWKS, the receiving system's with the signature key of
// destinationID.
//
// One bad entry does not make the log unreadable: an entry that fails verification (a
// forged or broken token, an unknown key, another case) is returned with Event.Err set, and
// Accepted, Rejected and Forwarded are false for it; it is never silently dropped. The call
// fails only when the log cannot be read or a key cannot be fetched (network, 5xx), so that
// a passing outage never marks good entries unverified.
func (s *Sender) Events(ctx context.Context, caseID, destinationID string) ([]Event, error) {
	if !isUUID(caseID) {
		return nil, fmt.Errorf("fitconnect: case id %q is not a UUID", truncate(caseID, 64))
	}
	var raws []string
	for offset := 0; ; {
		var l eventLog
		path := fmt.Sprintf("%s?limit=%d&offset=%d", s.api("/cases/"+caseID+"/events"), EventPageSize, offset)
		if err := s.call(ctx, "GET", path, body{}, &l, 200); err != nil {
			return nil, err
		}
		if l.TotalCount > MaxEvents || len(raws)+len(l.EventLog) > MaxEvents {
			return nil, fmt.Errorf("%w: event log of case %s has more than %d entries", ErrEvent, caseID, MaxEvents)
		}
		if len(l.EventLog) > EventPageSize {
			return nil, fmt.Errorf("%w: a page of %d entries, %d asked for", ErrEvent, len(l.EventLog), EventPageSize)
		}
		raws = append(raws, l.EventLog...)
		offset += len(l.EventLog)
		// A server that does not page (no totalCount) answered everything at once.
		if len(l.EventLog) == 0 || l.TotalCount == 0 || offset >= l.TotalCount {
			break
		}
	}
	keys := SETKeys{Service: s.serviceKey, Destination: s.destinationSignatureKey}
	out := make([]Event, 0, len(raws))
	for i, raw := range raws {
		e, err := VerifySET(ctx, raw, keys, destinationID)
		if err != nil {
			if ctx.Err() != nil || fetchFailed(err) {
				return nil, fmt.Errorf("fitconnect: case %s, event %d: %w", caseID, i, err)
			}
			e = unverified(raw, err)
			s.logger.WarnContext(ctx, "fitconnect: event log entry not verified", "case", caseID, "entry", i, "err", err)
		} else if e.CaseID != caseID {
			e.Err = fmt.Errorf("%w: event %d belongs to case %q", ErrEvent, i, truncate(e.CaseID, 64))
		}
		out = append(out, e)
	}
	return out, nil
}

// fetchFailed reports whether err is a failure to fetch a key for a reason that is not the
// entry's (network, 5xx), rather than a key that does not exist or fails its checks.
func fetchFailed(err error) bool {
	var kf *keyFetchError
	if !errors.As(err, &kf) {
		return false
	}
	var api *APIError
	switch {
	case errors.As(err, &api):
		return api.Temporary()
	case errors.Is(kf.err, ErrEvent), errors.Is(kf.err, ErrKey), errors.Is(kf.err, ErrUntrusted):
		return false
	}
	return true
}

// SubmissionEvents is Events for a submission delivered with this sender and its receipt:
// the events of that submission only (an unverified entry is included when its unverified
// claims name the submission, with Err set).
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
