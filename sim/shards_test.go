package sim_test

import (
	"math"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/cachesim/cachesim/policy"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
	"github.com/cachesim/cachesim/workload"
)

func zipf(t testing.TB, keys uint64, requests int64, alpha float64) *trace.Trace {
	r, err := workload.Zipf{Keys: keys, Requests: requests, Alpha: alpha, Seed: 3}.Reader()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := traces.ReadAll("zipf", r)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func sampleOf(t testing.TB, tr *trace.Trace, rate float64) (*trace.Trace, int64) {
	s := traces.NewSampler(tr.Reader(), rate)
	sample, err := traces.ReadAll("sample", s)
	if err != nil {
		t.Fatal(err)
	}
	return sample, s.Seen
}

// meanAbsError compares the estimated and exact hit-ratio curves.
func meanAbsError(est, exact []sim.Stats) float64 {
	var sum float64
	for i := range exact {
		sum += math.Abs(est[i].HitRatio() - exact[i].HitRatio())
	}
	return sum / float64(len(exact))
}

// SHARDS tracks the exact curve of a Zipf(0.9) workload to within one
// percentage point on average at a 10% rate and two at 1% (for caches of at
// least 10 sampled objects, where SHARDS is meant to be used), and at 100%
// it is exact.
func TestSHARDSAccuracy(t *testing.T) {
	tr := zipf(t, 100_000, 1_000_000, 0.9)
	sizes := sim.Sizes{Values: sim.LogSizes(1000, 100_000, 20)}
	exact, _ := sim.LRUCurve(tr, sizes)
	sample, seen := sampleOf(t, tr, 1)
	if full := sim.SHARDSCurve(sample, 0, seen, 1, sizes); meanAbsError(full, exact) != 0 {
		t.Fatalf("rate 1 is not exact: MAE %g", meanAbsError(full, exact))
	}
	for _, c := range []struct{ rate, maxMAE float64 }{{0.1, 0.01}, {0.01, 0.02}} {
		sample, seen := sampleOf(t, tr, c.rate)
		if seen != int64(tr.Len()) {
			t.Fatalf("sampler saw %d of %d requests", seen, tr.Len())
		}
		if got := float64(sample.Len()) / float64(tr.Len()); math.Abs(got-c.rate) > c.rate/2 {
			t.Errorf("rate %g kept %.4f of the requests", c.rate, got)
		}
		mae := meanAbsError(sim.SHARDSCurve(sample, 0, seen, c.rate, sizes), exact)
		t.Logf("rate %g: %d sampled requests, MAE %.4f", c.rate, sample.Len(), mae)
		if mae > c.maxMAE {
			t.Errorf("rate %g: MAE %.4f > %.2f", c.rate, mae, c.maxMAE)
		}
	}
}

// The sampled sweep gives SHARDS for LRU and scaled mini-simulations for the
// others; on a 10% sample of a Zipf(0.9) workload every policy's estimated
// curve stays within two points of the exact one on average.
func TestSampledSweep(t *testing.T) {
	tracestest.SkipUnderRace(t)
	tr := zipf(t, 100_000, 1_000_000, 0.9)
	sizes := sim.Sizes{Values: sim.LogSizes(1000, 100_000, 8)}
	specs := []policy.Spec{{Name: "lru"}, {Name: "fifo"}, {Name: "lfu"}}
	res, err := sim.Sweep(sim.Plan{Trace: tr, Policies: specs, Sizes: sizes})
	exact := res.Points
	if err != nil {
		t.Fatal(err)
	}
	sample, seen := sampleOf(t, tr, 0.1)
	sampled, err := sim.Sweep(sim.Plan{Samples: []sim.Sample{{Trace: sample, Rate: 0.1}}, Total: seen, Policies: specs, Sizes: sizes})
	if err != nil {
		t.Fatal(err)
	}
	est := sampled.Points
	for p, spec := range specs {
		var sum float64
		for s := range sizes.Values {
			e, x := est[p*len(sizes.Values)+s], exact[p*len(sizes.Values)+s]
			if e.Size != x.Size || e.Requests != uint64(tr.Len()) {
				t.Fatalf("%s: point %+v, want size %d and %d requests", spec.Name, e, x.Size, tr.Len())
			}
			sum += math.Abs(e.HitRatio() - x.HitRatio())
		}
		mae := sum / float64(len(sizes.Values))
		t.Logf("%s: MAE %.4f", spec.Name, mae)
		if mae > 0.02 {
			t.Errorf("%s: MAE %.4f > 0.02", spec.Name, mae)
		}
	}
}

// ThresholdForKeys keeps exactly the n keys with the smallest hashes.
func TestThresholdForKeys(t *testing.T) {
	tr := zipf(t, 10_000, 200_000, 0.8)
	objs, _ := tr.Footprint()
	for _, n := range []int{1, 50, 1000} {
		th, seen, err := traces.ThresholdForKeys(tr.Reader(), n)
		if err != nil || seen != int64(tr.Len()) {
			t.Fatalf("n=%d: %v, seen %d", n, err, seen)
		}
		s := traces.NewSamplerThreshold(tr.Reader(), th)
		got, _ := traces.ReadAll("s", s)
		if k, _ := got.Footprint(); k != n {
			t.Errorf("n=%d: the threshold keeps %d keys", n, k)
		}
	}
	if th, _, _ := traces.ThresholdForKeys(tr.Reader(), objs+5); th != math.MaxUint64 {
		t.Errorf("more room than keys: threshold %d, want all keys", th)
	}
}

// A one-pass sample of at most n keys holds the requests of exactly the n
// keys of smallest hash (found here by sorting every key's hash), in
// order, whatever the seed; a rate sample holds those below the rate's
// threshold.
func TestOnePassSample(t *testing.T) {
	tr := zipf(t, 10_000, 200_000, 0.8)
	for _, seed := range []uint64{0, 7} {
		var hashes []uint64
		seen := map[uint64]bool{}
		for _, k := range tr.Keys {
			if !seen[k] {
				seen[k] = true
				hashes = append(hashes, traces.SampleHash(k, seed))
			}
		}
		slices.Sort(hashes)
		for _, n := range []int{1, 50, 1000} {
			s := traces.NewSizeSample("s", tr.Fields(), n, seed)
			var r trace.Request
			for i := range tr.Len() {
				tr.At(i, &r)
				s.Add(&r)
			}
			got := s.Trace()
			var want []uint64
			for _, k := range tr.Keys {
				if traces.SampleHash(k, seed) <= hashes[n-1] {
					want = append(want, k)
				}
			}
			if !slices.Equal(got.Keys, want) || s.Seen != int64(tr.Len()) {
				t.Errorf("seed %d, n=%d: %d requests sampled (seen %d), want %d", seed, n, got.Len(), s.Seen, len(want))
			}
			if s.Rate() != traces.Rate(hashes[n-1]+1) {
				t.Errorf("seed %d, n=%d: rate %g, want %g", seed, n, s.Rate(), traces.Rate(hashes[n-1]+1))
			}
		}
	}
}

// The online estimator at a fixed rate gives what SHARDSCurve gives on the
// sampled trace, without holding the sample.
func TestShardsEstimatorMatchesSample(t *testing.T) {
	tr := zipf(t, 100_000, 1_000_000, 0.9)
	sizes := sim.LogSizes(1, 100_000, 40)
	sample, seen := sampleOf(t, tr, 0.05)
	want := sim.SHARDSCurve(sample, 0, seen, 0.05, sim.Sizes{Values: sizes})
	e := sim.NewShardsRate(0.05, 0)
	if _, err := sim.SHARDSStream(tr.Reader(), []*sim.ShardsEstimator{e}, sim.Span{}); err != nil {
		t.Fatal(err)
	}
	if got := e.Curve(sizes); !reflect.DeepEqual(got, want) {
		t.Errorf("online estimate differs from the sampled trace's:\n%v\n%v", got, want)
	}
}

// Error bands: on p3 at R = 0.01, eight samples with different hash seeds
// (read in one pass) give a band that holds the exact curve at 90% or more
// of the sizes mrc draws (100 log-spaced, 92 distinct), and is narrow (on
// average under 4 points wide).
func TestShardsBandsHoldExactCurve(t *testing.T) {
	tracestest.SkipUnderRace(t)
	tr, _, err := traces.Load(tracestest.Path(t, "p3.gz"), traces.Options{})
	if err != nil {
		t.Fatal(err)
	}
	objs, _ := tr.Footprint()
	sizes := sim.LogSizes(1, int64(objs), 100)
	exact, _ := sim.LRUCurve(tr, sim.Sizes{Values: sizes})
	es := make([]*sim.ShardsEstimator, 8)
	for i := range es {
		es[i] = sim.NewShardsRate(0.01, uint64(i))
	}
	if _, err := sim.SHARDSStream(tr.Reader(), es, sim.Span{}); err != nil {
		t.Fatal(err)
	}
	curves := make([][]sim.Stats, len(es))
	for i, e := range es {
		curves[i] = e.Curve(sizes)
	}
	mean, bands := sim.MergeBands(curves)
	inside, width := 0, 0.0
	for i := range sizes {
		if bands[i].Contains(exact[i].HitRatio()) {
			inside++
		}
		if r := mean[i].HitRatio(); r < bands[i].HitRatioMin || r > bands[i].HitRatioMax {
			t.Errorf("size %d: mean %.4f outside its band", sizes[i], r)
		}
		width += bands[i].HitRatioMax - bands[i].HitRatioMin
	}
	width /= float64(len(sizes))
	t.Logf("exact curve inside the band at %d of %d sizes; mean width %.4f", inside, len(sizes), width)
	if float64(inside) < 0.9*float64(len(sizes)) {
		t.Errorf("exact curve inside the band at %d of %d sizes, want 90%%", inside, len(sizes))
	}
	if width > 0.04 {
		t.Errorf("mean band width %.4f > 0.04", width)
	}
}

// SHARDS with a fixed number of keys, in one pass: on Zipf(0.9) with 8,192
// keys sampled of 30,000 it stays within one point of the exact curve on
// average, and its allocations do not grow with the stream (10x the
// requests over the same keys).
func TestShardsFixedSize(t *testing.T) {
	tr := zipf(t, 30_000, 300_000, 0.9)
	sizes := sim.LogSizes(300, 30_000, 20)
	exact, _ := sim.LRUCurve(tr, sim.Sizes{Values: sizes})
	e := sim.NewShardsSize(8192, 0)
	if _, err := sim.SHARDSStream(tr.Reader(), []*sim.ShardsEstimator{e}, sim.Span{}); err != nil {
		t.Fatal(err)
	}
	mae := meanAbsError(e.Curve(sizes), exact)
	t.Logf("rate %.4f, MAE %.4f, %d keys estimated of 30,000", e.Rate(), mae, e.Distinct())
	if mae > 0.01 {
		t.Errorf("MAE %.4f > 0.01", mae)
	}
	alloc := func(n int64) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r, err := workload.Zipf{Keys: 30_000, Requests: n, Alpha: 0.9, Seed: 5}.Reader()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sim.SHARDSStream(r, []*sim.ShardsEstimator{sim.NewShardsSize(2048, 0)}, sim.Span{}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(200_000), alloc(2_000_000)
	t.Logf("allocated %d bytes for 200,000 requests, %d for 2,000,000", small, large)
	if large > small+small/4 {
		t.Errorf("10x the requests allocated %d bytes, against %d: memory grows with the stream", large, small)
	}
}
