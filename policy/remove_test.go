package policy

import (
	"testing"

	"github.com/cachesim/cachesim/traces"
)

// TestRemover checks, for every built-in policy, that Remove drops exactly
// the named object, frees its space, is not an eviction, and that the
// policy keeps working afterwards.
func TestRemover(t *testing.T) {
	for _, name := range []string{"lru", "fifo", "lfu", "ttl"} {
		t.Run(name, func(t *testing.T) {
			c, err := New(Spec{Name: name}, Config{Capacity: 10})
			if err != nil {
				t.Fatal(err)
			}
			rm, ok := c.(Remover)
			if !ok {
				t.Fatalf("%s does not implement Remover", name)
			}
			for k := uint64(1); k <= 3; k++ {
				c.Access(&traces.Request{Key: k, Size: 3})
			}
			c.Access(&traces.Request{Key: 2, Size: 3}) // a hit, so LFU has two buckets
			if !rm.Remove(2) || rm.Remove(2) || rm.Remove(99) {
				t.Fatal("Remove must report true once for a cached key and false otherwise")
			}
			if c.Len() != 2 || c.Used() != 6 || c.Evictions() != 0 {
				t.Fatalf("after Remove: len %d used %d evictions %d; want 2, 6, 0", c.Len(), c.Used(), c.Evictions())
			}
			if c.Access(&traces.Request{Key: 2, Size: 3}) {
				t.Error("a removed key hit")
			}
			// 1, 3, 2 cached (9 of 10): one more object forces one eviction.
			c.Access(&traces.Request{Key: 4, Size: 3})
			if c.Len() != 3 || c.Used() != 9 || c.Evictions() != 1 {
				t.Errorf("after refill: len %d used %d evictions %d; want 3, 9, 1", c.Len(), c.Used(), c.Evictions())
			}
			for k := uint64(1); k <= 4; k++ {
				rm.Remove(k)
			}
			if c.Len() != 0 || c.Used() != 0 {
				t.Errorf("after removing everything: len %d used %d", c.Len(), c.Used())
			}
			if c.Access(&traces.Request{Key: 5, Size: 3}) || c.Len() != 1 {
				t.Error("an emptied cache does not admit again")
			}
		})
	}
}
