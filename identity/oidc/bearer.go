package oidc

import (
	"context"
	"crypto/sha256"
	"strings"
	"sync"
	"time"

	"github.com/ozgkit/ozgkit/identity"
)

// VerifyBearer verifies a bearer token (an access token in JWT form, or an ID token) sent by
// an API client and returns its principal. The token must be signed by the provider, be
// valid now, and be addressed to this client (aud is ClientID or one of BearerAudiences, or
// azp is ClientID); its claims must map to a principal. A repeated token is answered from a
// bounded cache keyed by its SHA-256 until it expires. The principal returned is the
// caller's to keep.
func (rp *RelyingParty) VerifyBearer(ctx context.Context, token string) (*identity.Principal, error) {
	token = strings.TrimSpace(token)
	var sum [32]byte
	if rp.bearer != nil && len(token) <= maxToken {
		sum = sha256.Sum256([]byte(token))
		if p, ok := rp.bearer.get(sum, rp.now()); ok {
			return p, nil
		}
	}
	auds := append([]string{rp.cfg.ClientID}, rp.cfg.BearerAudiences...)
	v, err := rp.verifyToken(ctx, token, auds, true)
	if err != nil {
		return nil, err
	}
	p, err := rp.principal(v.claims)
	if err != nil {
		return nil, err
	}
	if rp.bearer != nil {
		rp.bearer.put(sum, p, v.token.Expiration())
	}
	cp := *p
	return &cp, nil
}

var _ identity.BearerVerifier = (*RelyingParty)(nil)

// bearerCache remembers verified bearer tokens by hash until they expire. It holds at most
// size entries; when full, the oldest entry leaves first.
type bearerCache struct {
	size int

	mu    sync.Mutex
	items map[[32]byte]bearerEntry
	order [][32]byte // insertion order, a ring of len size
	next  int
}

type bearerEntry struct {
	p   *identity.Principal
	exp time.Time
}

func newBearerCache(size int) *bearerCache {
	return &bearerCache{size: size, items: make(map[[32]byte]bearerEntry, size), order: make([][32]byte, size)}
}

func (c *bearerCache) get(key [32]byte, now time.Time) (*identity.Principal, bool) {
	c.mu.Lock()
	e, ok := c.items[key]
	if ok && !now.Before(e.exp) {
		delete(c.items, key)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	cp := *e.p
	return &cp, true
}

func (c *bearerCache) put(key [32]byte, p *identity.Principal, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; ok {
		return
	}
	// Every entry sits in one slot of the ring, so the map never outgrows it; the slot's
	// previous occupant leaves (a no-op when it expired already).
	delete(c.items, c.order[c.next])
	c.order[c.next] = key
	c.next = (c.next + 1) % c.size
	c.items[key] = bearerEntry{p: p, exp: exp}
}

func (c *bearerCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
