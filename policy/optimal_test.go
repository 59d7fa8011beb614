package policy_test

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
)

// bruteForce returns the most hits any object-count cache of capacity c
// can get on keys, by trying every choice: on a miss, whether to admit (when
// demand is false) and which object to evict. The cache is a bit set over
// key ids 0..n-1.
func bruteForce(keys []int, c int, demand bool) int {
	memo := map[[2]uint64]int{}
	var best func(i int, set uint64) int
	best = func(i int, set uint64) int {
		if i == len(keys) {
			return 0
		}
		k := [2]uint64{uint64(i), set}
		if v, ok := memo[k]; ok {
			return v
		}
		bit := uint64(1) << keys[i]
		var v int
		if set&bit != 0 {
			v = 1 + best(i+1, set)
		} else {
			v = -1
			if !demand {
				v = best(i+1, set) // bypass
			}
			if popcount(set) < c {
				v = max(v, best(i+1, set|bit))
			} else {
				for s := set; s != 0; s &= s - 1 {
					victim := s & -s
					v = max(v, best(i+1, set&^victim|bit))
				}
			}
		}
		memo[k] = v
		return v
	}
	return best(0, 0)
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// Belady with bypass equals the true optimum, and without it the optimum of
// caches that admit every miss, on many tiny random traces (exhaustive search).
func TestBeladyEqualsBruteForceOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 300; trial++ {
		n, k, c := 6+rng.IntN(10), 2+rng.IntN(5), 1+rng.IntN(3)
		keys := make([]int, n)
		tr := trace.NewTrace("tiny", trace.Fields{})
		for i := range keys {
			keys[i] = rng.IntN(k)
			tr.Append(&trace.Request{Key: uint64(keys[i]), Size: 1})
		}
		for _, demand := range []bool{false, true} {
			want := bruteForce(keys, c, demand)
			belady, err := policy.New(policy.Spec{Name: "belady", Params: policy.Params{"bypass": strconv.FormatBool(!demand)}}, policy.Config{Capacity: int64(c)})
			if err != nil {
				t.Fatal(err)
			}
			got := sim.Replay(tr, belady, sim.Options{Objects: true}).Hits
			if int(got) != want {
				t.Fatalf("keys %v, capacity %d, demand %v: belady %d hits, optimum %d", keys, c, demand, got, want)
			}
		}
	}
}

// prefix returns the first n requests of t as a new trace.
func prefix(t *trace.Trace, n int) *trace.Trace {
	p := trace.NewTrace(t.Name, trace.Fields{})
	var r trace.Request
	for i := 0; i < min(n, t.Len()); i++ {
		t.At(i, &r)
		p.Append(&r)
	}
	return p
}

// declines lists the policies that may leave a miss uncached: an admission
// filter, Redis's volatile-ttl with nothing evictable, libCacheSim's
// ClockPro once full, and the offline variants that skip objects with no
// future request.
var declines = map[string]bool{"wtinylfu": true, "otter": true, "ristretto": true, "redis-ttl": true, "belady-size": true,
	"belady(bypass=true)": true, "clockpro": true}

// No policy beats the offline optimum, at any size, on any shared trace
// (object-count capacity; the first 20,000 requests of each, to stay fast).
// memcached is left out: its capacity is memory for slab pages, and even a
// capacity of one gets a 1 MiB page for every class that stores anything.
func TestNothingBeatsBelady(t *testing.T) {
	tracestest.SkipUnderRace(t)
	var specs []policy.Spec
	for _, name := range policy.Names() {
		if !strings.HasPrefix(name, "belady") && name != "memcached" {
			specs = append(specs, policy.Spec{Name: name})
		}
	}
	specs = append(specs, policy.Spec{Name: "belady-size"}, policy.Spec{Name: "belady", Params: policy.Params{"bypass": "true"}}, policy.Spec{Name: "belady"})
	sizes := sim.Sizes{Values: []int64{1, 10, 100, 1000, 5000}}
	for _, name := range []string{"cloudPhysicsIO.txt", "gli.trace.gz", "multi2.trace.gz", "sprite.trace.gz", "loop.trace.gz", "oltp.gz"} {
		tr := prefix(loadShared(t, name), 20_000)
		res, err := sim.Sweep(sim.Plan{Trace: tr, Policies: specs, Sizes: sizes, Seed: 1})
		pts := res.Points
		if err != nil {
			t.Fatal(err)
		}
		ns := len(sizes.Values)
		opt, demand := pts[len(pts)-2*ns:len(pts)-ns], pts[len(pts)-ns:]
		for i, p := range pts[:len(pts)-ns] {
			s := i % ns
			if p.Hits > opt[s].Hits {
				t.Errorf("%s at %d: %s has %d hits, more than the optimum's %d", name, p.Size, p.Policy, p.Hits, opt[s].Hits)
			}
			// Admitting every miss, Belady is optimal among policies that
			// do the same: all but those that may decline a miss.
			if p.Hits > demand[s].Hits && !declines[p.Policy] {
				t.Errorf("%s at %d: %s has %d hits, more than belady's %d", name, p.Size, p.Policy, p.Hits, demand[s].Hits)
			}
		}
	}
}
