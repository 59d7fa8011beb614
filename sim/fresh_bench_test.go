package sim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// BenchmarkFresh runs one TTL of a freshness sweep on a Zipf-like trace
// of 1M reads of 100k keys at 100/s, with hourly changes per key and
// hourly redeploys.
func BenchmarkFresh(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, 1e5-1)
	tr := trace.NewTrace("zipf", trace.Fields{Time: true})
	now := 0.0
	for range 1_000_000 {
		tr.Append(&trace.Request{Time: int64(now * 1e9), Key: z.Uint64(), Size: 1})
		now += rng.ExpFloat64() / 100
	}
	plan := FreshPlan{Trace: tr, Policy: policy.Spec{Name: "ttl"}, TTLs: []time.Duration{10 * time.Minute}, Workers: 1,
		Changes: Changes{Rate: 1.0 / 3600, RedeployEvery: time.Hour}}
	b.ResetTimer()
	for range b.N {
		if _, err := FreshSweep(plan); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2e6, "ns/request")
}
