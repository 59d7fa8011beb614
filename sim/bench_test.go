package sim_test

import (
	"sync"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
)

var (
	benchOnce  sync.Once
	benchTrace *trace.Trace
)

// zipfTrace is 1,000,000 requests over 100,000 keys, exponent 0.9, with
// sizes and timestamps left out (object-count replay).
func zipfTrace(b *testing.B) *trace.Trace {
	benchOnce.Do(func() {
		benchTrace = benchLoad(b, workload.Zipf{Keys: 100_000, Requests: 1_000_000, Alpha: 0.9, Seed: 1}.String())
	})
	return benchTrace
}

// benchLoad reads a workload spec into memory.
func benchLoad(b *testing.B, spec string) *trace.Trace {
	w, err := workload.Parse(spec)
	if err != nil {
		b.Fatal(err)
	}
	r, err := w.Reader()
	if err != nil {
		b.Fatal(err)
	}
	t, err := traces.ReadAll(spec, r)
	if err != nil {
		b.Fatal(err)
	}
	return t
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
				st = sim.Replay(tr, c, sim.Options{Objects: true})
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
			b.ReportMetric(100*st.HitRatio(), "hit%")
		})
	}
}

// BenchmarkReplayNumbered is BenchmarkReplay with more policies, the
// trace's keys numbered and the caches sized for the capacity, as a sweep
// replays them (policy.Config.Keys); one op is one request. The same
// policies hashing their keys: BenchmarkReplayHashed.
func BenchmarkReplayNumbered(b *testing.B) { benchReplaySweepLike(b, true) }

// BenchmarkReplayHashed is BenchmarkReplayNumbered with the keys hashed.
func BenchmarkReplayHashed(b *testing.B) { benchReplaySweepLike(b, false) }

// benchReplaySweepLike replays the Zipf trace at 10,000 objects as a sweep
// does, numbering the keys or not.
func benchReplaySweepLike(b *testing.B, numbered bool) {
	tr := *zipfTrace(b)
	var keys *trace.KeyRefs
	if numbered {
		tr.NumberKeys()
		keys = tr.KeyRefs
	}
	for _, name := range []string{"lru", "fifo", "lfu", "clock", "sieve", "arc", "s3fifo", "lirs", "slru", "twoq"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for done := 0; done < b.N; done += tr.Len() {
				c, _ := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: 10_000, SizeHint: 10_000, Keys: keys})
				sim.Replay(&tr, c, sim.Options{Objects: true})
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
		})
	}
}

// BenchmarkLRUCurve computes the exact LRU curve at 100 log-spaced sizes in
// one pass over the same trace; one op is one request. Compare with
// BenchmarkReplay/lru, which is one size.
func BenchmarkLRUCurve(b *testing.B) { benchCurve(b, zipfTrace(b)) }

// benchCurve computes tr's exact LRU curve at 100 log-spaced sizes, one op
// a request.
func benchCurve(b *testing.B, tr *trace.Trace) {
	sizes := sim.Sizes{Values: sim.LogSizes(10, 100_000, 100)}
	b.ReportAllocs()
	for done := 0; done < b.N; done += tr.Len() {
		sim.LRUCurve(tr, sizes)
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
}

var (
	batchOnce  sync.Once
	batchTrace *trace.Trace
)

// batchBenchTrace is 1,000,000 keys in requests of 1 to 199 entities
// (mean 100) over 100,000 entities, Zipf 0.9.
func batchBenchTrace(b *testing.B) *trace.Trace {
	batchOnce.Do(func() { batchTrace = benchLoad(b, "batch:keys=1e5,alpha=0.9,batch=uniform:1:199,requests=1e6,seed=1") })
	return batchTrace
}

// BenchmarkReplayBatches replays the multi-key requests through LRU at
// 10,000 objects, with the batch outcomes (and dedup, and a latency model
// of one call per request); one op is one key. Compare with
// BenchmarkReplay/lru.
func BenchmarkReplayBatches(b *testing.B) {
	tr := batchBenchTrace(b)
	m := sim.LatencyModel{Hit: 1e-3, Miss: sim.FromTrace, Batch: sim.BatchSingle, PerKey: 1e-4}
	m.Miss, _ = sim.ParseMissLatency("20ms", 1)
	lat := m.Latencies(tr)
	for _, tc := range []struct {
		name string
		opt  sim.Options
	}{{"plain", sim.Options{Objects: true}}, {"dedup", sim.Options{Objects: true, DedupBatch: true}},
		{"latency", sim.Options{Objects: true, Latency: lat}}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var st sim.Stats
			for done := 0; done < b.N; done += tr.Len() {
				c, _ := policy.New(policy.Spec{Name: "lru"}, policy.Config{Capacity: 10_000})
				st = sim.Replay(tr, c, tc.opt)
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mreq/s")
			b.ReportMetric(100*st.Batch.HitRatio(), "batch-hit%")
		})
	}
}

// BenchmarkLRUCurveBatches is BenchmarkLRUCurve with the batch hit ratio
// of every size; one op is one key.
func BenchmarkLRUCurveBatches(b *testing.B) { benchCurve(b, batchBenchTrace(b)) }
