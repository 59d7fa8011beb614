package sim_test

import (
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
)

// BenchmarkReplayLibCacheSimPolicies is BenchmarkReplay for the policies
// ported from libCacheSim (issue 17): the in-memory Zipf trace at 10,000
// objects. One op is one request.
func BenchmarkReplayLibCacheSimPolicies(b *testing.B) {
	tr := zipfTrace(b)
	for _, name := range []string{"mru", "lfuda", "gdsf", "cr-lfu", "sr-lru", "s3fifo-v0", "qdlp", "car",
		"clockpro", "lecar", "lhd", "cacheus", "hyperbolic"} {
		spec, err := policy.ParseSpec(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var st sim.Stats
			for done := 0; done < b.N; done += tr.Len() {
				c, err := policy.New(spec, policy.Config{Capacity: 10_000, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				st = sim.Replay(tr, c, true)
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
			b.ReportMetric(100*st.HitRatio(), "hit%")
		})
	}
}
