package sim_test

import (
	"sync"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/workload"
)

var (
	benchOnce  sync.Once
	benchTrace *traces.Trace
)

// zipfTrace is 1,000,000 requests over 100,000 keys, exponent 0.9, with
// sizes and timestamps left out (object-count replay).
func zipfTrace(b *testing.B) *traces.Trace {
	benchOnce.Do(func() {
		w := workload.Zipf{Keys: 100_000, Requests: 1_000_000, Alpha: 0.9, Seed: 1}
		r, err := w.Reader()
		if err != nil {
			b.Fatal(err)
		}
		if benchTrace, err = traces.ReadAll("zipf", r); err != nil {
			b.Fatal(err)
		}
	})
	return benchTrace
}

// BenchmarkReplay replays the in-memory Zipf trace through each policy at
// 10,000 objects (10% of the keys); one op is one request.
func BenchmarkReplay(b *testing.B) {
	tr := zipfTrace(b)
	for _, name := range []string{"lru", "fifo", "lfu", "ttl"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var st sim.Stats
			for done := 0; done < b.N; done += tr.Len() {
				c, _ := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: 10_000})
				st = sim.Replay(tr, c, true)
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
			b.ReportMetric(100*st.HitRatio(), "hit%")
		})
	}
}

// BenchmarkLRUCurve computes the exact LRU curve at 100 log-spaced sizes in
// one pass over the same trace; one op is one request. Compare with
// BenchmarkReplay/lru, which is one size.
func BenchmarkLRUCurve(b *testing.B) {
	tr := zipfTrace(b)
	sizes := sim.Sizes{Values: sim.LogSizes(10, 100_000, 100)}
	b.ReportAllocs()
	for done := 0; done < b.N; done += tr.Len() {
		sim.LRUCurve(tr, sizes)
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
}
