package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

// batchTrace builds a trace of multi-key requests: each inner list is one
// request's keys, in order.
func batchTrace(reqs ...[]uint64) *trace.Trace {
	t := trace.NewTrace("batches", trace.Fields{Marks: true})
	for _, keys := range reqs {
		for i, k := range keys {
			t.Append(&trace.Request{Key: k, Size: 1, Continues: i > 0})
		}
	}
	return t
}

// handBatches are five requests worked through an LRU cache of 2 objects
// by hand (a=1, b=2, c=3); MRU first after each:
//
//	[a b]   a miss, b miss        → b a     request missed, 2 fetched
//	[a b]   a hit, b hit          → b a     request hit
//	[c]     c miss (evicts a)     → c b     missed, 1 fetched
//	[a c a] a miss (evicts b), c hit, a hit → a c   missed, 1 fetched
//	        (dedup: [a c]: a miss, c hit → c a)
//	[b c]   b miss (evicts c), c miss → c b   missed, 2 fetched
//	        (dedup: b miss (evicts a), c hit → c b   missed, 1 fetched)
var handBatches = [][]uint64{{1, 2}, {1, 2}, {3}, {1, 3, 1}, {2, 3}}

func TestBatchOutcomes(t *testing.T) {
	tr := batchTrace(handBatches...)
	for _, tc := range []struct {
		dedup                    bool
		lookups, hits, batchHits uint64
		fetched                  []uint64 // requests by keys fetched
		fraction                 [FractionBuckets]uint64
	}{
		{false, 10, 4, 1, []uint64{1, 2, 2}, [FractionBuckets]uint64{0: 3, 6: 1, 10: 1}},
		{true, 9, 4, 1, []uint64{1, 3, 1}, [FractionBuckets]uint64{0: 2, 5: 2, 10: 1}},
	} {
		st := Replay(tr, newLRU(t, 2), Options{Objects: true, DedupBatch: tc.dedup})
		b := st.Batch
		if b == nil {
			t.Fatalf("dedup %v: no batch statistics", tc.dedup)
		}
		if st.Requests != tc.lookups || st.Hits != tc.hits || b.Requests != 5 || b.Hits != tc.batchHits {
			t.Errorf("dedup %v: lookups %d hits %d, requests %d hits %d; want %d %d, 5 %d",
				tc.dedup, st.Requests, st.Hits, b.Requests, b.Hits, tc.lookups, tc.hits, tc.batchHits)
		}
		for n, want := range tc.fetched {
			if n >= len(b.Fetched) || b.Fetched[n] != want {
				t.Errorf("dedup %v: fetched %v, want %v", tc.dedup, b.Fetched, tc.fetched)
				break
			}
		}
		if b.Fraction != tc.fraction {
			t.Errorf("dedup %v: fraction %v, want %v", tc.dedup, b.Fraction, tc.fraction)
		}
	}
	// Without dedup: sizes 2, 2, 1, 3, 2; at h = 4/10 the independence
	// estimate is (3·0.4² + 0.4 + 0.4³)/5 = 0.1888. Fetched 2,0,1,1,2:
	// the median is 1, p99 2.
	b := Replay(tr, newLRU(t, 2), Options{Objects: true}).Batch
	if got := b.IndependentEstimate(0.4); math.Abs(got-0.1888) > 1e-12 {
		t.Errorf("independence estimate %g, want 0.1888", got)
	}
	if b.MeanKeys() != 2 || b.MaxKeys() != 3 || b.FetchedQuantile(0.5) != 1 || b.FetchedQuantile(0.99) != 2 {
		t.Errorf("mean keys %g, max %d, fetched p50 %d p99 %d", b.MeanKeys(), b.MaxKeys(), b.FetchedQuantile(0.5), b.FetchedQuantile(0.99))
	}
}

// Latency of the hand trace, hit 1ms and miss 10ms (+2ms a key in one call):
//
//	parallel: with the cache 10, 1, 10, 10, 10 (mean 8.2); without, 10 each.
//	single, no dedup: with 14, 1, 12, 12 (one miss, and hits), 14;
//	  without 14, 14, 12, 16, 14 (mean 14).
//	single, dedup: with 14, 1, 12, 12, 12 (mean 10.2); without 14, 14, 12, 14, 14 (mean 13.6).
func TestBatchLatency(t *testing.T) {
	tr := batchTrace(handBatches...)
	ms := 1e-3
	for _, tc := range []struct {
		backend           BatchBackend
		dedup             bool
		with, without     float64 // means, ms
		withP99, withoutP float64
	}{
		{BatchParallel, false, 8.2, 10, 10, 10},
		{BatchSingle, false, 10.6, 14, 14, 16},
		{BatchSingle, true, 10.2, 13.6, 14, 14},
	} {
		m := LatencyModel{Hit: 1 * ms, Miss: constant(10 * ms), Batch: tc.backend, PerKey: 2 * ms}
		st := Replay(tr, newLRU(t, 2), Options{Objects: true, DedupBatch: tc.dedup, Latency: m.Latencies(tr)})
		b := st.Batch
		if got := b.Latency.Mean() / ms; math.Abs(got-tc.with) > 1e-9 {
			t.Errorf("%s dedup %v: mean with the cache %gms, want %g", tc.backend, tc.dedup, got, tc.with)
		}
		if got := b.Uncached.Mean() / ms; math.Abs(got-tc.without) > 1e-9 {
			t.Errorf("%s dedup %v: mean without %gms, want %g", tc.backend, tc.dedup, got, tc.without)
		}
		if got := b.Latency.Quantile(0.99) / ms; math.Abs(got-tc.withP99) > 1e-9 {
			t.Errorf("%s dedup %v: p99 with %gms, want %g", tc.backend, tc.dedup, got, tc.withP99)
		}
		if got := b.Uncached.Quantile(0.99) / ms; math.Abs(got-tc.withoutP) > 1e-9 {
			t.Errorf("%s dedup %v: p99 without %gms, want %g", tc.backend, tc.dedup, got, tc.withoutP)
		}
		// The per-key latencies stay per key: 6 misses at 10ms, 4 hits at 1ms.
		if !tc.dedup {
			if got := st.Latency.Mean() / ms; math.Abs(got-6.4) > 1e-9 {
				t.Errorf("%s: per-key mean %gms, want 6.4", tc.backend, got)
			}
		}
	}
}

// A trace whose requests carry one key each has no batch statistics, and
// writes inside a request are not lookups.
func TestBatchEdges(t *testing.T) {
	if st := Replay(batchTrace([]uint64{1}, []uint64{1}), newLRU(t, 2), Options{Objects: true}); st.Batch != nil {
		t.Errorf("single-key requests: batch statistics %+v", st.Batch)
	}
	ops := trace.NewTrace("ops", trace.Fields{Marks: true, Op: true})
	for _, r := range []trace.Request{
		{Key: 1, Size: 1, Op: trace.OpSet}, {Key: 2, Size: 1, Op: trace.OpSet, Continues: true}, // MSET: no lookup
		{Key: 1, Size: 1}, {Key: 2, Size: 1, Continues: true}, // MGET: both hit
		{Key: 3, Size: 1}, {Key: 1, Size: 1, Continues: true, Op: trace.OpDelete}, // a miss, then a delete
	} {
		ops.Append(&r)
	}
	b := Replay(ops, newLRU(t, 4), Options{Objects: true}).Batch
	if b == nil || b.Requests != 2 || b.Hits != 1 || b.Sizes[2] != 1 || b.Sizes[1] != 1 {
		t.Errorf("batch statistics %+v, want 2 requests (of 2 and 1 lookups), 1 hit", b)
	}
}

// keySet against a map, through resets and growth.
func TestKeySet(t *testing.T) {
	var s keySet
	for round := range 5 {
		s.reset()
		want := map[uint64]bool{}
		for i := range 100 * (round + 1) {
			k := uint64(i*7919%(50*(round+1)) + round)
			if got := s.add(k); got != !want[k] {
				t.Fatalf("round %d: add(%d) = %v, want %v", round, k, got, !want[k])
			}
			want[k] = true
		}
	}
}

// randomBatches returns n requests of 1 to 8 keys of 60, skewed towards
// the small ones, each key with a fixed size of 1 to 10 bytes.
func randomBatches(n int, seed uint64) *trace.Trace {
	rng := rand.New(rand.NewPCG(seed, 1))
	t := trace.NewTrace("random batches", trace.Fields{Marks: true, Size: true})
	for range n {
		keys := 1 + rng.IntN(8)
		for i := range keys {
			k := uint64(rng.IntN(1+rng.IntN(60))) + 1
			t.Append(&trace.Request{Key: k, Size: uint32(1 + k%10), Continues: i > 0})
		}
	}
	return t
}

// The one-pass LRU curve gives the batch hit ratio of every size exactly:
// it equals the replay's (hand-checked above) at every size, in objects
// and bytes, with and without dedup.
func TestBatchCurveEqualsReplays(t *testing.T) {
	for seed := range uint64(3) {
		tr := randomBatches(3000, seed)
		for _, sizes := range []Sizes{{Values: []int64{1, 2, 3, 5, 8, 13, 21, 34, 55, 60}}, {Values: []int64{10, 20, 40, 80, 160, 330}, Bytes: true}} {
			for _, dedup := range []bool{false, true} {
				stats, exact := lruCurveWith(tr, sizes, dedup, 0)
				for j, size := range sizes.Values {
					if !exact[j] {
						continue
					}
					st := Replay(tr, newLRU(t, size), Options{Objects: !sizes.Bytes, DedupBatch: dedup})
					got, want := stats[j], st
					if got.Batch == nil || got.Batch.Requests != want.Batch.Requests || got.Batch.Hits != want.Batch.Hits ||
						got.Requests != want.Requests || got.Hits != want.Hits {
						t.Fatalf("seed %d bytes %v dedup %v size %d: curve %d/%d lookups, batch %+v; replay %d/%d, batch %d/%d",
							seed, sizes.Bytes, dedup, size, got.Hits, got.Requests, got.Batch, want.Hits, want.Requests, want.Batch.Hits, want.Batch.Requests)
					}
					if got.Batch.MeanKeys() != want.Batch.MeanKeys() {
						t.Fatalf("mean keys %g, replay %g", got.Batch.MeanKeys(), want.Batch.MeanKeys())
					}
				}
			}
		}
	}
	// The hand trace: at 2 objects 1 of 5 requests is served; at 3, [a b]
	// again, [a c a] and [b c] too (every key then stays): 3 of 5.
	stats, _ := LRUCurve(batchTrace(handBatches...), Sizes{Values: []int64{2, 3}})
	if stats[0].Batch.Hits != 1 || stats[1].Batch.Hits != 3 {
		t.Errorf("hand trace: batch hits %d at 2, %d at 3; want 1 and 3", stats[0].Batch.Hits, stats[1].Batch.Hits)
	}
}

// loadSpec reads a workload spec into a trace.
func loadSpec(t *testing.T, spec string) *trace.Trace {
	t.Helper()
	tr, err := traces.ReadAll(spec, workloadReader(t, spec))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// With independent uniform keys, a request of n distinct keys is served
// exactly when all n are among the cache's contents when it starts (hits
// change no contents), and LRU's contents under uniform traffic are a
// uniformly random set: the batch hit ratio is the hypergeometric
// product, which for 10,000 keys and 8,000 cached differs from h^n by
// less than 0.0003 at n ≤ 15. So the measured batch hit ratio must match
// the independence estimate within sampling error: 4 standard errors of
// a share of 40,000 requests. The cache is warmed by a first pass, so
// that h is the steady state's.
func TestBatchIndependentUniform(t *testing.T) {
	tr := loadSpec(t, "batch:keys=1e4,alpha=0,batch=uniform:5:15,requests=4e5,seed=3")
	c := newLRU(t, 8000)
	Replay(tr, c, Options{Objects: true, DedupBatch: true})
	st := Replay(tr, c, Options{Objects: true, DedupBatch: true})
	b := st.Batch
	h := st.HitRatio()
	measured, est := b.HitRatio(), b.IndependentEstimate(h)
	se := math.Sqrt(est * (1 - est) / float64(b.Requests))
	t.Logf("uniform: %d requests of %.2f keys, h %.4f, batch hit ratio %.4f, estimate %.4f, se %.4f", b.Requests, b.MeanKeys(), h, measured, est, se)
	if b.Requests < 35000 || math.Abs(measured-est) > 4*se {
		t.Errorf("measured %.4f, estimate %.4f: more than 4 standard errors (%.4f) apart", measured, est, se)
	}
}

// An unlimited cache serves the hand trace's requests 2, 4 and 5 whole
// (1 and 3 hold a first request): 3 of 5.
func TestBatchCeiling(t *testing.T) {
	c := CeilingOf(batchTrace(handBatches...), false)
	if c.BatchRequests != 5 || c.BatchMisses != 2 || c.BatchHitRatio() != 0.6 {
		t.Errorf("ceiling %+v, want 5 requests, 2 with an unavoidable miss", c)
	}
	if c := CeilingOf(batchTrace([]uint64{1}, []uint64{1}), false); c.BatchRequests != 0 {
		t.Errorf("single-key requests: batch ceiling %+v", c)
	}
}

// Once warm, the replay loop of multi-key requests allocates nothing per
// request, with dedup, latencies and per-tenant counts on.
func TestBatchReplayDoesNotAllocate(t *testing.T) {
	tr := loadSpec(t, "batch:keys=1e4,batch=uniform:1:50,requests=20000,seed=1")
	tr.Tenants = make([]uint32, tr.Len())
	for i := range tr.Tenants {
		tr.Tenants[i] = uint32(1 + i%3)
	}
	m := LatencyModel{Hit: 1e-3, Miss: constant(0.02), Batch: BatchSingle, PerKey: 1e-4}
	p := newReplayer(newLRU(t, 2000), Options{Objects: true, DedupBatch: true, Latency: m.Latencies(tr)}, Semantics{}, false, true)
	p.byTenant = make([]TenantStats, 4)
	chunk := make([]trace.Request, tr.Len())
	tr.Fill(0, chunk)
	run := func() {
		p.next = 0
		p.run(chunk)
	}
	run() // warm up: the counts and the key set grow to their size
	if a := testing.AllocsPerRun(5, run); a != 0 {
		t.Errorf("%.0f allocations per replay of %d requests, want 0", a, tr.Len())
	}
}
