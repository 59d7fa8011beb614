package sim_test

import (
	"math"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

func load(t *testing.T, name string) *trace.Trace {
	t.Helper()
	tr, _, err := traces.Load(tracestest.Path(t, name), traces.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func sweep(t *testing.T, tr *trace.Trace, pol string, sizes ...int64) []sim.Point {
	t.Helper()
	spec, err := policy.ParseSpec(pol)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Sweep(sim.Plan{Trace: tr, Policies: []policy.Spec{spec}, Sizes: sim.Sizes{Values: sizes}})
	pts := res.Points
	if err != nil {
		t.Fatal(err)
	}
	return pts
}

// The miss counts libCacheSim reports for cloudPhysicsIO with
// --ignore-obj-size (../shared/traces/README.md).
func TestCloudPhysicsMatchesLibCacheSim(t *testing.T) {
	tr := load(t, "cloudPhysicsIO.txt")
	if tr.Len() != 113872 {
		t.Fatalf("%d requests, want 113872", tr.Len())
	}
	want := map[string][]uint64{
		"lru":  {100215, 94823, 79438, 70832},
		"fifo": {101495, 95520, 79210, 72137},
		"lfu":  {100973, 95562, 81059, 64375},
	}
	for pol, misses := range want {
		for i, p := range sweep(t, tr, pol, 100, 1000, 10000, 25000) {
			if p.Misses() != misses[i] {
				t.Errorf("%s at %d: %d misses, libCacheSim %d", pol, p.Size, p.Misses(), misses[i])
			}
		}
	}
}

// PyMimircache's published LRU hit ratios on the same trace.
func TestCloudPhysicsMatchesPyMimircache(t *testing.T) {
	tr := load(t, "cloudPhysicsIO.txt")
	for _, c := range []struct {
		pol  string
		size int64
		want float64
	}{{"lru", 1, 0.02357911}, {"lru", 2, 0.02939265}, {"lru", 2000, 0.172851974}, {"fifo", 400, 0.148702055}} {
		got := sweep(t, tr, c.pol, c.size)[0].HitRatio()
		if math.Abs(got-c.want) > 1e-8 {
			t.Errorf("%s at %d: hit ratio %.9f, PyMimircache %.9f", c.pol, c.size, got, c.want)
		}
	}
}

// Published LRU hit ratios for the LIRS paper's gli trace (percent, two decimals).
func TestGliLRU(t *testing.T) {
	tr := load(t, "gli.trace.gz")
	if tr.Len() != 6015 {
		t.Fatalf("%d requests, want 6015", tr.Len())
	}
	sizes := []int64{250, 500, 750, 1000, 1250, 1500, 1750, 2000}
	want := []float64{0.91, 0.95, 1.15, 11.21, 21.25, 36.56, 45.04, 57.41}
	for i, p := range sweep(t, tr, "lru", sizes...) {
		if got := 100 * p.HitRatio(); math.Abs(got-want[i]) > 0.005 {
			t.Errorf("gli LRU at %d: %.3f%%, published %.2f%%", p.Size, got, want[i])
		}
	}
}

// loop cycles over 1,011 keys: LRU gets nothing below that and everything above.
func TestLoopLRUCliff(t *testing.T) {
	tr := load(t, "loop.trace.gz")
	if tr.Len() != 505500 {
		t.Fatalf("%d requests, want 505500", tr.Len())
	}
	pts := sweep(t, tr, "lru", 250, 1000, 1250, 2000)
	for _, p := range pts[:2] {
		if p.Hits != 0 {
			t.Errorf("loop LRU at %d: %d hits, want 0", p.Size, p.Hits)
		}
	}
	for _, p := range pts[2:] {
		if p.HitRatio() < 0.998 {
			t.Errorf("loop LRU at %d: hit ratio %.4f, want >= 0.998", p.Size, p.HitRatio())
		}
	}
}

// libCacheSim's own test suite (test/test_evictionAlgo.c) replays
// cloudPhysicsIO.oracleGeneral.bin at byte capacities of 128 MiB to 1 GiB
// and asserts these miss counts and missed bytes (113,872 requests,
// 4,368,040,448 bytes).
func TestOracleGeneralBytesMatchLibCacheSim(t *testing.T) {
	tr := load(t, "cloudPhysicsIO.oracleGeneral.bin")
	var sizes []int64
	for i := int64(1); i <= 8; i++ {
		sizes = append(sizes, i*128<<20)
	}
	want := map[string][2][]uint64{
		"lru": {{93374, 89783, 83572, 81722, 72494, 72104, 71972, 71704},
			{4214303232, 4061242368, 3778040320, 3660569600, 3100927488, 3078128640, 3075403776, 3061662720}},
		"fifo": {{93403, 89386, 84387, 84025, 72498, 72228, 72182, 72140},
			{4213112832, 4052646400, 3829170176, 3807412736, 3093146112, 3079525888, 3079210496, 3077547520}},
		"lfu": {{91699, 86720, 78578, 76707, 69945, 66221, 64445, 64376},
			{4158632960, 3917211648, 3536227840, 3455379968, 3035580416, 2801699328, 2699456000, 2696345600}},
	}
	for pol, w := range want {
		spec, _ := policy.ParseSpec(pol)
		res, err := sim.Sweep(sim.Plan{Trace: tr, Policies: []policy.Spec{spec}, Sizes: sim.Sizes{Values: sizes, Bytes: true}})
		pts := res.Points
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range pts {
			if p.Requests != 113872 || p.Bytes != 4368040448 {
				t.Fatalf("%s: %d requests, %d bytes; want 113872 and 4368040448", pol, p.Requests, p.Bytes)
			}
			if p.Misses() != w[0][i] || p.Bytes-p.ByteHits != w[1][i] {
				t.Errorf("%s at %d MiB: %d misses, %d bytes missed; libCacheSim %d, %d",
					pol, p.Size>>20, p.Misses(), p.Bytes-p.ByteHits, w[0][i], w[1][i])
			}
		}
	}
}
