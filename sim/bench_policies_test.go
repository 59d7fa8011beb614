package sim_test

import (
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
)

// BenchmarkReplayNewPolicies is BenchmarkReplay for the policies of issue 7:
// the in-memory Zipf trace at 10,000 objects (memcached: 10,000 48-byte
// chunks in 4,800-byte pages, since its pages are bytes). One op is one request.
func BenchmarkReplayNewPolicies(b *testing.B) {
	tr := zipfTrace(b)
	cases := []struct {
		spec     string
		capacity int64
	}{
		{"belady", 10_000}, {"belady-size", 10_000}, {"clock", 10_000}, {"sieve", 10_000},
		{"s3fifo", 10_000}, {"arc", 10_000}, {"twoq", 10_000}, {"slru", 10_000},
		{"random", 10_000}, {"lirs", 10_000}, {"wtinylfu", 10_000},
		{"redis-lru", 10_000}, {"redis-lfu", 10_000}, {"redis-ttl", 10_000},
		{"memcached(page=4800)", 480_000},
		// issue 17: libCacheSim's policies
		{"mru", 10_000}, {"lfuda", 10_000}, {"gdsf", 10_000}, {"cr-lfu", 10_000}, {"sr-lru", 10_000},
		{"s3fifo-v0", 10_000}, {"qdlp", 10_000}, {"car", 10_000}, {"clockpro", 10_000}, {"lecar", 10_000},
		{"lhd", 10_000}, {"cacheus", 10_000}, {"hyperbolic", 10_000},
	}
	for _, bc := range cases {
		spec, err := policy.ParseSpec(bc.spec)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(spec.Name, func(b *testing.B) {
			b.ReportAllocs()
			var st sim.Stats
			for done := 0; done < b.N; done += tr.Len() {
				c, err := policy.New(spec, policy.Config{Capacity: bc.capacity, Seed: 1, TTL: 3600e9, Objects: true})
				if err != nil {
					b.Fatal(err)
				}
				st = sim.Replay(tr, c, sim.Options{Objects: true})
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
			b.ReportMetric(100*st.HitRatio(), "hit%")
		})
	}
}
