// Package hashcache is a small bounded cache keyed by a SHA-256 hash, with an expiry per
// entry. identity uses it to answer repeated session cookies and bearer tokens without
// decrypting or verifying them again.
package hashcache

import (
	"sync"
	"time"
)

// Cache holds at most its size entries; when full, the oldest entry leaves first. Expired
// entries are never returned. It is safe for concurrent use.
type Cache[V any] struct {
	mu    sync.Mutex
	items map[[32]byte]entry[V]
	ring  [][32]byte // every entry sits in one slot, so the map never outgrows the ring
	next  int
}

type entry[V any] struct {
	v   V
	exp time.Time
}

// New returns a cache of size entries (size > 0).
func New[V any](size int) *Cache[V] {
	return &Cache[V]{items: make(map[[32]byte]entry[V], size), ring: make([][32]byte, size)}
}

// Get returns the value stored under key if it has not expired at now.
func (c *Cache[V]) Get(key [32]byte, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if ok && !now.Before(e.exp) {
		delete(c.items, key)
		ok = false
	}
	return e.v, ok
}

// Put stores v under key until exp. A key already present keeps its first value.
func (c *Cache[V]) Put(key [32]byte, v V, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; ok {
		return
	}
	delete(c.items, c.ring[c.next]) // the slot's previous occupant leaves
	c.ring[c.next] = key
	c.next = (c.next + 1) % len(c.ring)
	c.items[key] = entry[V]{v: v, exp: exp}
}

// Len returns the number of entries, expired ones included until they are looked up.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
