package sim_test

import (
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// checkCurve compares the one-pass curve with a replay at every size it
// calls exact, and counts them.
func checkCurve(t *testing.T, name string, tr *trace.Trace, sizes sim.Sizes) int {
	t.Helper()
	stats, exact := sim.LRUCurve(tr, sizes)
	n := 0
	for j, c := range sizes.Values {
		if !exact[j] {
			continue
		}
		n++
		want := sim.Replay(tr, policy.NewLRU(c), sim.Options{Objects: !sizes.Bytes})
		if !sameCounts(stats[j], want) {
			t.Errorf("%s at %d: one pass %+v, replay %+v", name, c, stats[j], want)
		}
	}
	return n
}

func TestLRUCurveEqualsReplayRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 30; trial++ {
		tr := randomTrace(rng, 3000, 5+rng.IntN(400), 1)
		sizes := sim.Sizes{Values: sim.LogSizes(1, 500, 25)}
		if got := checkCurve(t, "objects", tr, sizes); got != len(sizes.Values) {
			t.Fatalf("object sizes: %d of %d exact", got, len(sizes.Values))
		}
		// By key number (a sweep's numbered trace), from the middle of
		// the trace too, where the numbers do not come in order.
		tr.NumberKeys()
		checkCurve(t, "objects, numbered", tr, sizes)
		checkCurve(t, "objects, numbered from the middle", tr.Slice(1700, tr.Len()), sizes)
		// Byte capacities with sizes fixed per key: exact from the largest object up.
		tr = randomTrace(rng, 3000, 5+rng.IntN(400), 1000)
		sizes = sim.Sizes{Values: sim.LogSizes(100, 300000, 30), Bytes: true}
		if got := checkCurve(t, "bytes", tr, sizes); got < 10 {
			t.Fatalf("bytes: only %d of %d sizes exact", got, len(sizes.Values))
		}
		tr.NumberKeys()
		checkCurve(t, "bytes, numbered", tr.Slice(1700, tr.Len()), sizes)
	}
}

func TestLRUCurveInexactCases(t *testing.T) {
	tr := trace.NewTrace("t", trace.Fields{Size: true})
	for _, r := range []trace.Request{{Key: 1, Size: 10}, {Key: 2, Size: 50}, {Key: 1, Size: 10}} {
		tr.Append(&r)
	}
	_, exact := sim.LRUCurve(tr, sim.Sizes{Values: []int64{20, 50, 100}, Bytes: true})
	if exact[0] || !exact[1] || !exact[2] {
		t.Fatalf("exact %v: sizes below the largest object (50) must be replayed", exact)
	}
	tr.Append(&trace.Request{Key: 2, Size: 60}) // a size change
	if _, exact := sim.LRUCurve(tr, sim.Sizes{Values: []int64{100}, Bytes: true}); exact[0] {
		t.Fatal("a key whose size changes was called exact")
	}
	if _, exact := sim.LRUCurve(tr, sim.Sizes{Values: []int64{0, 1}}); exact[0] || !exact[1] {
		t.Fatalf("object capacity 0 must be replayed, 1 is exact: %v", exact)
	}
}

func TestLRUCurveSharedTraces(t *testing.T) {
	for _, name := range []string{"cloudPhysicsIO.txt", "gli.trace.gz", "multi2.trace.gz", "sprite.trace.gz"} {
		tr := load(t, name)
		objs, _ := tr.Footprint()
		sizes := sim.Sizes{Values: sim.LogSizes(1, int64(objs), 15)}
		if got := checkCurve(t, name, tr, sizes); got != len(sizes.Values) {
			t.Errorf("%s: %d of %d exact", name, got, len(sizes.Values))
		}
	}
}
