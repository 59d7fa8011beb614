package policy

import (
	"math"
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	Register(Info{
		Name: "belady-size",
		Summary: "offline bound for byte capacity, as libCacheSim's BeladySize: never admits an object that is not " +
			"requested again, drops it at its last request, and evicts the largest size × distance to the next request " +
			"among sampled objects (or, with score=distance, exactly the farthest next request)",
		Traits: Offline | SizeAware | Randomised,
		Params: []Param{
			EnumParam("score", "size", []string{"size", "distance"},
				"size: size × distance to the next request (libCacheSim's choice); distance: farthest next request"),
			IntParam("samples", 128, 1, 1<<20, "objects sampled per eviction for score=size"),
		},
		New: func(c Config) (Cache, error) {
			if c.Values.Enum("score") == "distance" {
				return &belady{store: newStore(c.Capacity), sized: true}, nil
			}
			return newBeladySize(c.Capacity, int(c.Values.Int("samples")), c.Seed), nil
		},
	})
}

// beladySize is libCacheSim's BeladySize: objects with no future request are
// neither admitted nor kept past their last request, and eviction samples
// objects uniformly (with replacement) and evicts the one with the largest
// size × (next request − now), so that large objects needed late go first.
// The current request's index is given by the replay (Clock); without it,
// the count of requests seen, which is exact only when every request of the
// trace is one call (libCacheSim's way: sim.Semantics.CountWrites). Each entry's next request is in its
// word64 (nextOf), its position in the dense array sampled from in its
// word32 (denseSet).
type beladySize struct {
	store
	dense   denseSet
	samples int
	seen    int64 // requests seen so far: the index of the current one
	rng     *rand.Rand
}

// newBeladySize returns an empty BeladySize cache that samples n objects per
// eviction, its choices following seed.
func newBeladySize(capacity int64, n int, seed uint64) *beladySize {
	return &beladySize{store: newStore(capacity), samples: n, rng: rand.New(rand.NewPCG(seed, 0xbe1ad7))}
}

// NeedsFuture reports that BeladySize reads Request.Next.
func (c *beladySize) NeedsFuture() bool { return true }

// Access looks r up, recording its next request.
func (c *beladySize) Access(r *trace.Request) bool {
	now := c.seen
	c.seen++
	if i, ok := c.lookup(r); ok {
		if r.Next == trace.NoNext {
			c.dense.remove(c.nodes, i)
			c.drop(i)
		} else {
			c.setNext(i, r.Next)
		}
		return true
	}
	if !c.fits(r.Size) || r.Next == trace.NoNext {
		return false
	}
	for c.full(r.Size) {
		v, best := int32(nilIdx), int64(math.MinInt64) // every sample is a candidate
		for k := 0; k < c.samples; k++ {
			s := c.dense.pick(c.rng)
			if score := int64(c.nodes[s].size) * (c.nextOf(s) - now); score > best {
				v, best = s, score
			}
		}
		c.dense.remove(c.nodes, v)
		c.evict(v)
	}
	i := c.add(r)
	c.setNext(i, r.Next)
	c.dense.add(c.nodes, i)
	return false
}

// setNow records that the next request is the trace's i-th (see Clock).
func (c *beladySize) setNow(i int64) { c.seen = i }

// nextOf returns the index of entry i's next request.
func (c *beladySize) nextOf(i int32) int64 { return c.nodes[i].word64 }

// setNext records the index of entry i's next request.
func (c *beladySize) setNext(i int32, next int64) { c.nodes[i].word64 = next }

// Remove drops key's object (a delete in the trace). A delete is one of the
// trace's requests, so it advances the request index as Access does: the
// next-access indices (trace.Trace.NextAccess) count every request.
func (c *beladySize) Remove(key uint64) bool {
	c.seen++
	return c.removeDense(key, &c.dense)
}
