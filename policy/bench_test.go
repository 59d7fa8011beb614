package policy_test

import (
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// BenchmarkPolicies replays cloudPhysicsIO.oracleGeneral.bin (113,872
// requests with sizes and times) through a fresh cache of 256 MiB per
// op, for the policies that keep per-entry state in the shared store
// (and LRU, which keeps none, for comparison). One op is one replay.
//
//	go test -run '^$' -bench Policies -count 5 ./policy/
func BenchmarkPolicies(b *testing.B) {
	tr := loadShared(b, "cloudPhysicsIO.oracleGeneral.bin")
	tr.NextAccess()
	reqs := make([]trace.Request, tr.Len())
	tr.Fill(0, reqs)
	for _, s := range []string{
		"lru", "arc", "belady", "belady-size", "cacheus", "car", "clock", "gdsf",
		"hyperbolic", "lecar", "lfu", "lfuda", "lirs", "memcached", "qdlp", "random",
		"redis-lru", "redis-lfu", "redis-ttl", "s3fifo", "s3fifo-v0", "sieve", "slru",
		"sr-lru", "ttl", "twoq", "wtinylfu",
	} {
		b.Run(s, func(b *testing.B) {
			spec, err := policy.ParseSpec(s)
			if err != nil {
				b.Fatal(err)
			}
			cfg := policy.Config{Capacity: 256 << 20, Seed: 1, TTL: time.Hour}
			var r trace.Request
			b.ReportAllocs()
			for b.Loop() {
				c, err := policy.New(spec, cfg)
				if err != nil {
					b.Fatal(err)
				}
				for i := range reqs {
					r = reqs[i]
					c.Access(&r)
				}
			}
		})
	}
}
