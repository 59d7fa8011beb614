package policy_test

import (
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// A policy that declares ExactCurve gets its sweep from sim.LRUCurve
// instead of a replay per size, so the curve must equal its replays at
// every size the curve reports exact, in object and byte mode.
func TestExactCurveTraitMatchesReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tr := trace.NewTrace("curve", trace.Fields{Size: true})
	for range 5000 {
		k := uint64(rng.IntN(1 + rng.IntN(800)))
		tr.Append(&trace.Request{Key: k, Size: uint32(1 + k%7*100)})
	}
	declared := 0
	for _, name := range policy.Names() {
		if info, _ := policy.Lookup(name); !info.Traits.Has(policy.ExactCurve) {
			continue
		}
		declared++
		for _, sizes := range []sim.Sizes{{Values: []int64{1, 10, 100, 400}}, {Values: []int64{1000, 20000, 150000}, Bytes: true}} {
			curve, exact := sim.LRUCurve(tr, sizes)
			for s, size := range sizes.Values {
				if !exact[s] {
					continue
				}
				c, err := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: size})
				if err != nil {
					t.Fatal(err)
				}
				got := sim.Replay(tr, c, sim.Options{Objects: !sizes.Bytes})
				if got.Hits != curve[s].Hits || got.ByteHits != curve[s].ByteHits {
					t.Errorf("%s at %d (bytes %v): replay %d hits, %d byte hits; curve %d, %d",
						name, size, sizes.Bytes, got.Hits, got.ByteHits, curve[s].Hits, curve[s].ByteHits)
				}
			}
		}
	}
	if declared == 0 {
		t.Error("no policy declares ExactCurve: the test checks nothing")
	}
}
