package hashcache

import (
	"testing"
	"time"
)

func TestTheCacheStaysWithinItsSizeAndDropsTheOldestFirst(t *testing.T) {
	c := New[int](3)
	now := time.Now()
	for i := range 10 {
		c.Put([32]byte{byte(i)}, i, now.Add(time.Hour))
	}
	if c.Len() != 3 {
		t.Fatalf("len = %d", c.Len())
	}
	if v, ok := c.Get([32]byte{9}, now); !ok || v != 9 {
		t.Error("the newest entry must be there")
	}
	if _, ok := c.Get([32]byte{0}, now); ok {
		t.Error("the oldest entry must have left")
	}
}

func TestExpiredEntriesAreNotReturned(t *testing.T) {
	c := New[string](2)
	now := time.Now()
	c.Put([32]byte{1}, "a", now.Add(time.Second))
	if _, ok := c.Get([32]byte{1}, now.Add(time.Second)); ok {
		t.Fatal("an entry at its expiry must not be returned")
	}
	for i := range 5 { // lookups that deleted entries must not let the map outgrow the ring
		c.Put([32]byte{byte(10 + i)}, "x", now.Add(time.Hour))
		c.Get([32]byte{byte(10 + i)}, now.Add(2*time.Hour))
	}
	if c.Len() > 2 {
		t.Fatalf("len = %d", c.Len())
	}
}
