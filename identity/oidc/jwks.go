package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// maxKeys bounds the JWKS size the cache takes.
const maxKeys = 100

// cachedKey is a verification key exported once from its JWK, so verifying does not
// convert it again.
type cachedKey struct {
	raw any                    // *rsa.PublicKey or *ecdsa.PublicKey
	alg jwa.SignatureAlgorithm // the JWK's alg, "" when it names none
}

// maxMissedKids bounds how many distinct unknown kids may each cause a JWKS fetch within
// minRefresh: tokens with made-up kids cannot make the relying party hammer the provider.
const maxMissedKids = 32

// keyCache holds the provider's JWKS by kid. A kid not in the cache is fetched for at once
// (a provider that rotated keys signs with a kid we have not seen), at most once per
// minRefresh for the same kid and for at most maxMissedKids distinct kids per minRefresh. A
// cache older than maxAge is fetched again, at most once per minRefresh. Concurrent misses
// share one fetch.
type keyCache struct {
	client     *http.Client
	uri        string
	minRefresh time.Duration
	maxAge     time.Duration
	now        func() time.Time

	mu        sync.RWMutex
	keys      map[string]cachedKey
	fetchedAt time.Time

	fetchMu   sync.Mutex           // one fetch at a time
	lastFetch time.Time            // last attempt, successful or not
	missed    map[string]time.Time // unknown kid -> when it last caused a fetch
	fetches   int                  // for tests
}

func newKeyCache(client *http.Client, uri string, minRefresh, maxAge time.Duration, now func() time.Time) *keyCache {
	return &keyCache{client: client, uri: uri, minRefresh: minRefresh, maxAge: maxAge, now: now, missed: map[string]time.Time{}}
}

// key returns the key for kid ("" for a token without kid: then the only key of the ring
// that suits alg, if there is exactly one).
func (c *keyCache) key(ctx context.Context, kid string, alg jwa.SignatureAlgorithm) (cachedKey, error) {
	now := c.now()
	c.mu.RLock()
	k, ok := c.lookup(kid, alg)
	stale := now.Sub(c.fetchedAt) > c.maxAge
	c.mu.RUnlock()
	if ok && !stale {
		return k, nil
	}
	if err := c.refresh(ctx, kid, alg, !ok); err != nil && !ok {
		return cachedKey{}, err
	}
	c.mu.RLock()
	k, ok = c.lookup(kid, alg)
	c.mu.RUnlock()
	if !ok {
		return cachedKey{}, fmt.Errorf("%w: kid %q", ErrUnknownKey, truncate(kid, 64))
	}
	return k, nil
}

func (c *keyCache) lookup(kid string, alg jwa.SignatureAlgorithm) (cachedKey, bool) {
	if kid != "" {
		k, ok := c.keys[kid]
		return k, ok
	}
	var found cachedKey
	n := 0
	for _, k := range c.keys {
		if keySuits(k.raw, alg) {
			found = k
			n++
		}
	}
	return found, n == 1
}

// refresh fetches the JWKS when it may. For an unknown kid (missing) it may unless this kid
// caused a fetch less than minRefresh ago or maxMissedKids other kids did; for a stale cache
// it may unless any fetch was attempted less than minRefresh ago. Failed fetches count too,
// so a provider that is down is not hammered, and a stale but known key keeps working.
func (c *keyCache) refresh(ctx context.Context, kid string, alg jwa.SignatureAlgorithm, missing bool) error {
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	now := c.now()
	if missing {
		c.mu.RLock()
		_, found := c.lookup(kid, alg)
		c.mu.RUnlock()
		if found {
			return nil // a concurrent fetch brought it
		}
		if !c.mayFetchFor(kid, now) {
			return nil
		}
	} else if !c.lastFetch.IsZero() && now.Sub(c.lastFetch) < c.minRefresh {
		return nil // rate-limited: another fetch just happened
	}
	c.lastFetch = now
	c.fetches++
	keys, err := c.fetch(ctx)
	if err != nil {
		return fmt.Errorf("oidc: jwks: %w", err)
	}
	c.mu.Lock()
	c.keys, c.fetchedAt = keys, now
	c.mu.Unlock()
	return nil
}

// mayFetchFor reports whether the unknown kid may cause a fetch now, and records it if so.
// The caller holds fetchMu.
func (c *keyCache) mayFetchFor(kid string, now time.Time) bool {
	if last, ok := c.missed[kid]; ok && now.Sub(last) < c.minRefresh {
		return false
	}
	for k, at := range c.missed {
		if now.Sub(at) >= c.minRefresh {
			delete(c.missed, k)
		}
	}
	if len(c.missed) >= maxMissedKids {
		return false
	}
	c.missed[kid] = now
	return true
}

func (c *keyCache) fetch(ctx context.Context) (map[string]cachedKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.uri, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", c.uri, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDocument {
		return nil, fmt.Errorf("JWKS larger than 1 MiB")
	}
	set, err := jwk.Parse(b)
	if err != nil {
		return nil, err
	}
	if set.Len() > maxKeys {
		return nil, fmt.Errorf("JWKS has %d keys, more than %d", set.Len(), maxKeys)
	}
	keys := make(map[string]cachedKey, set.Len())
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		if u := k.KeyUsage(); u != "" && u != "sig" {
			continue // encryption keys never verify signatures
		}
		var raw any
		if err := k.Raw(&raw); err != nil {
			continue
		}
		switch raw.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
		default:
			continue // symmetric or private keys have no place in a JWKS for verification
		}
		alg, _ := k.Algorithm().(jwa.SignatureAlgorithm)
		keys[k.KeyID()] = cachedKey{raw: raw, alg: alg}
	}
	return keys, nil
}

func keySuits(raw any, alg jwa.SignatureAlgorithm) bool {
	switch raw.(type) {
	case *rsa.PublicKey:
		switch alg {
		case jwa.RS256, jwa.RS384, jwa.RS512, jwa.PS256, jwa.PS384, jwa.PS512:
			return true
		}
	case *ecdsa.PublicKey:
		switch alg {
		case jwa.ES256, jwa.ES384, jwa.ES512:
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
