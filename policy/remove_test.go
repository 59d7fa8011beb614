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

// TestRemoverSegmented checks Remove on the policies with several queues,
// hands or random choice, at a capacity where they all admit: removed keys
// free their space and miss, other keys stay, removals are not evictions,
// and the policy keeps working through churn until emptied.
func TestRemoverSegmented(t *testing.T) {
	for _, name := range []string{"clock", "sieve", "random", "s3fifo", "twoq", "slru", "arc", "wtinylfu"} {
		t.Run(name, func(t *testing.T) {
			c, err := New(Spec{Name: name}, Config{Capacity: 1000, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			rm, ok := c.(Remover)
			if !ok {
				t.Fatalf("%s does not implement Remover", name)
			}
			for round := 0; round < 3; round++ {
				for k := uint64(1); k <= 50; k++ {
					c.Access(&traces.Request{Key: k, Size: 10})
				}
			}
			if c.Len() != 50 || c.Used() != 500 || c.Evictions() != 0 {
				t.Fatalf("after filling: len %d used %d evictions %d; want 50, 500, 0", c.Len(), c.Used(), c.Evictions())
			}
			for k := uint64(3); k <= 50; k += 3 {
				if !rm.Remove(k) || rm.Remove(k) {
					t.Fatalf("Remove(%d) must report true once", k)
				}
			}
			if c.Len() != 34 || c.Used() != 340 || c.Evictions() != 0 {
				t.Fatalf("after removing 16: len %d used %d evictions %d; want 34, 340, 0", c.Len(), c.Used(), c.Evictions())
			}
			for k := uint64(1); k <= 50; k++ {
				if hit := c.Access(&traces.Request{Key: k, Size: 10}); hit != (k%3 != 0) {
					t.Fatalf("key %d: hit %v after removing every third key", k, hit)
				}
			}
			// Churn well past the capacity, removing as we go.
			for k := uint64(100); k < 3000; k++ {
				c.Access(&traces.Request{Key: k, Size: 10})
				if k%5 == 0 {
					rm.Remove(k - 7)
				}
				if c.Used() > 1000 || c.Used() != 10*int64(c.Len()) {
					t.Fatalf("at key %d: used %d, len %d", k, c.Used(), c.Len())
				}
			}
			for k := uint64(1); k < 3000; k++ {
				rm.Remove(k)
			}
			if c.Len() != 0 || c.Used() != 0 {
				t.Errorf("after removing everything: len %d used %d", c.Len(), c.Used())
			}
		})
	}
}
