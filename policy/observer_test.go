package policy

import (
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// TestEvictionObserver checks, for every built-in policy, that the observer
// hears of exactly the evictions the policy counts, each of an object that
// was admitted and is no longer cached.
func TestEvictionObserver(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			c, err := New(payloadSpec(name), Config{Capacity: 50, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if UsesFuture(c) {
				t.Skip("offline policy: needs the next-access column")
			}
			obs, ok := c.(EvictionObserver)
			if !ok {
				t.Fatalf("%s does not implement EvictionObserver", name)
			}
			var heard uint64
			var bad uint64
			seen := map[uint64]bool{}
			obs.OnEvict(func(key uint64, size uint32) {
				heard++
				if !seen[key] || size != uint32(1+key%5) {
					bad = key
				}
			})
			rng := rand.New(rand.NewPCG(3, 4))
			for i := 0; i < 5000; i++ {
				k := uint64(rng.IntN(1 + rng.IntN(400)))
				seen[k] = true
				c.Access(&trace.Request{Time: int64(i) * 1e6, Key: k, Size: uint32(1 + k%5)})
			}
			if heard != c.Evictions() {
				t.Errorf("observer heard %d evictions, the policy counts %d", heard, c.Evictions())
			}
			// memcached's 50 bytes hold no slab page; redis-ttl evicts only
			// keys with a TTL; libCacheSim's ClockPro never evicts.
			if heard == 0 && name != "memcached" && name != "redis-ttl" && name != "clockpro" {
				t.Error("no evictions: the test exercises nothing")
			}
			if bad != 0 {
				t.Errorf("observer heard of key %d with a wrong size or never admitted", bad)
			}
		})
	}
}
