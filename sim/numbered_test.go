package sim

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// allocsTrace is the trace the allocation tests replay: 200,000 requests
// for 20,000 Zipf keys.
func allocsTrace(t *testing.T) *trace.Trace {
	t.Helper()
	spec := "zipf:keys=20000,requests=200000,alpha=0.9"
	tr, err := traces.ReadAll(spec, workloadReader(t, spec))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// A cache that finds its entries by key number (policy.Config.Keys)
// allocates nothing per request once warm: replaying 180,000 more requests
// allocates at most twice more (a table of LFU's counts growing, which
// doubles), where one allocation a request would be 180,000.
func TestNumberedReplayAllocatesNothingPerRequest(t *testing.T) {
	tracestest.SkipUnderRace(t)
	tr := allocsTrace(t)
	tr.NumberKeys()
	short, long := tr.Slice(0, 20_000), tr.Slice(0, 200_000)
	for _, name := range []string{"lru", "fifo", "lfu", "clock", "sieve", "arc", "s3fifo", "lirs", "slru", "twoq", "lfuda", "wtinylfu"} {
		c, err := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: 2000, SizeHint: 2000, Keys: tr.KeyRefs})
		if err != nil {
			t.Fatal(err)
		}
		Replay(tr, c, Options{Objects: true}) // warm: every table at its size
		allocs := func(part *trace.Trace) float64 {
			return testing.AllocsPerRun(3, func() { Replay(part, c, Options{Objects: true}) })
		}
		if a, b := allocs(short), allocs(long); b > a+2 {
			t.Errorf("%s: %.0f allocations replaying 20,000 requests, %.0f replaying 200,000", name, a, b)
		}
	}
}

// A streamed replay numbers its keys as it reads them (the reader's
// goroutine) and its caches find their entries by number: streaming
// 180,000 more requests through a new cache allocates a few times more
// (the tables of keys growing, by doubling, with the distinct keys), where
// one allocation a request would be 180,000.
func TestStreamedReplayAllocatesNothingPerRequest(t *testing.T) {
	tracestest.SkipUnderRace(t)
	tr := allocsTrace(t)
	short, long := tr.Slice(0, 20_000), tr.Slice(0, 200_000)
	for _, name := range []string{"lru", "fifo", "lfu", "clock", "sieve", "arc", "s3fifo", "lirs", "slru", "twoq", "lfuda", "wtinylfu"} {
		allocs := func(part *trace.Trace) float64 {
			return testing.AllocsPerRun(3, func() {
				c, err := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: 2000, SizeHint: 2000})
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := ReplayStream(part.Reader(), []policy.Cache{c}, Options{Objects: true}); err != nil {
					t.Fatal(err)
				}
			})
		}
		if a, b := allocs(short), allocs(long); b > a+40 { // measured: 5 to 22 more
			t.Errorf("%s: %.0f allocations streaming 20,000 requests, %.0f streaming 200,000", name, a, b)
		}
	}
}

// TestStackDistancesByNumberInAnyOrder feeds the same requests to two
// accumulators, one by key and one by key number, where the numbers come
// in the order of first request for a while and then out of it (as a
// tenant's share of a trace's numbering does): every distance, and the
// curve, must agree.
func TestStackDistancesByNumberInAnyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sizes := Sizes{Values: []int64{1, 5, 20, 80, 300}}
	byKey, byNumber := newStackDistances[int32](sizes), newStackDistances[int32](sizes)
	refOf := map[uint64]uint32{}
	for i := range 20000 {
		key := uint64(rng.ExpFloat64() * 200)
		ref, ok := refOf[key]
		if !ok {
			ref = uint32(len(refOf) + 1) // the order of first request…
			if len(refOf) >= 50 {
				ref = uint32(100000 - len(refOf)) // …then not
			}
			refOf[key] = ref
		}
		a, b := byKey.add(key, 0, 1), byNumber.add(0, ref, 1)
		if a != b {
			t.Fatalf("request %d (key %d, number %d): distance %d by key, %d by number", i, key, ref, a, b)
		}
	}
	if byNumber.byRef {
		t.Fatal("the numbers came out of order, but the objects are still found by number − 1")
	}
	want, _ := byKey.Curve(sizes)
	got, _ := byNumber.Curve(sizes)
	for j := range want {
		if !reflect.DeepEqual(got[j], want[j]) {
			t.Errorf("size %d: %+v by number, %+v by key", sizes.Values[j], got[j], want[j])
		}
	}
}

// TestNumbersKeysBeforeLoading checks by hand when a loader is told the
// sweep will number the keys: more than one point of policies replayed
// (LRU comes from its curve), and on any trace the sweep then numbers them
// itself too (numbers).
func TestNumbersKeysBeforeLoading(t *testing.T) {
	specs := func(names ...string) []policy.Spec {
		var s []policy.Spec
		for _, n := range names {
			s = append(s, policy.Spec{Name: n})
		}
		return s
	}
	for _, c := range []struct {
		specs []policy.Spec
		sizes int
		want  bool
	}{
		{specs("lru"), 10, false},        // the curve alone
		{specs("fifo"), 1, false},        // one replay: nothing to share
		{specs("lru", "fifo"), 1, false}, // the curve and one replay
		{specs("lru", "fifo"), 2, true},
		{specs("fifo", "lfu"), 1, true},
		{specs("fifo"), 0, true}, // the sweep's own 12 sizes
	} {
		if got := NumbersKeys(c.specs, c.sizes); got != c.want {
			t.Errorf("NumbersKeys(%v, %d) = %v, want %v", c.specs, c.sizes, got, c.want)
		}
		tr := &trace.Trace{Keys: []uint64{1, 2, 1}}
		n := c.sizes
		if n == 0 {
			n = defaultPoints
		}
		cfg := sweepConfig{Policies: c.specs, Sizes: Sizes{Values: make([]int64, n)}}
		if c.want && !numbers(tr, cfg) {
			t.Errorf("%v at %d sizes: NumbersKeys, but the sweep would not number", c.specs, c.sizes)
		}
	}
}
