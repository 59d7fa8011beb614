package sim_test

import (
	"math"
	"testing"

	"github.com/cachesim/cachesim/policy"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/workload"
)

func zipf(t testing.TB, keys uint64, requests int64, alpha float64) *traces.Trace {
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

func sampleOf(t testing.TB, tr *traces.Trace, rate float64) (*traces.Trace, int64) {
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
	if full := sim.SHARDSCurve(sample, seen, 1, sizes); meanAbsError(full, exact) != 0 {
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
		mae := meanAbsError(sim.SHARDSCurve(sample, seen, c.rate, sizes), exact)
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
	tr := zipf(t, 100_000, 1_000_000, 0.9)
	sizes := sim.Sizes{Values: sim.LogSizes(1000, 100_000, 8)}
	specs := []policy.Spec{{Name: "lru"}, {Name: "fifo"}, {Name: "lfu"}}
	exact, err := sim.Sweep(tr, sim.SweepConfig{Policies: specs, Sizes: sizes})
	if err != nil {
		t.Fatal(err)
	}
	sample, seen := sampleOf(t, tr, 0.1)
	est, err := sim.SampledSweep(sample, seen, 0.1, sim.SweepConfig{Policies: specs, Sizes: sizes})
	if err != nil {
		t.Fatal(err)
	}
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
