package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "hyperbolic",
		Summary: "hyperbolic caching (Blankstein et al., ATC'17): samples cached objects and evicts the one with the " +
			"fewest requests per request since it was admitted (as libCacheSim's Hyperbolic, sampling its hash table " +
			"with its random generator)",
		Traits: Randomised,
		Params: []Param{
			IntParam("samples", 64, 1, 1<<20, "objects sampled per eviction"),
			IntParam("hash-power", 12, 1, 30, "initial log2 of the sampled hash table's buckets (libCacheSim's, less 8, at least 12)"),
		},
		New: func(c Config) (Cache, error) {
			return newHyperbolic(c.Capacity, int(c.Values.Int("samples")), uint(c.Values.Int("hash-power")), c.Seed), nil
		},
	})
}

// hyperbolic follows libCacheSim's Hyperbolic.c: an object's frequency
// (freqOf) starts at 1 and counts hits; to make room, it draws samples
// objects with libCacheSim's hashtable_rand_obj (lcsTable, lcsRand) and
// evicts the one with the lowest 10^8 × frequency / (requests since it was
// admitted, admittedAt), the first drawn among equals. libCacheSim lowers
// the hash power it is given by 8 (to at least 12), so its test's 18 and 20
// both sample a table of 2^12 buckets that then grows with the cache.
type hyperbolic struct {
	store
	table   lcsTable
	rng     lcsRand
	samples int
	n       int64 // requests so far
}

// newHyperbolic returns an empty Hyperbolic cache drawing samples objects
// per eviction from a table of 2^power buckets, with the generator seeded
// by seed.
func newHyperbolic(capacity int64, samples int, power uint, seed uint64) *hyperbolic {
	return &hyperbolic{store: newStore(capacity), table: newLCSTable(power), rng: newLCSRand(seed), samples: samples}
}

// Access looks r up, counting a hit; a miss evicts sampled objects until
// it fits and is admitted with frequency 1.
func (c *hyperbolic) Access(r *trace.Request) bool {
	c.n++
	if i, ok := c.lookup(r); ok {
		c.countHit(i)
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		v := c.victim()
		c.table.remove(v)
		c.evict(v)
	}
	i := c.add(r)
	c.setAdmitted(i)
	c.table.insert(i, r.Key)
	return false
}

// freqOf returns entry i's frequency, kept in its word32.
func (c *hyperbolic) freqOf(i int32) int32 { return c.nodes[i].word32 }

// admittedAt returns the request count when entry i was admitted, kept in
// its word64.
func (c *hyperbolic) admittedAt(i int32) int64 { return c.nodes[i].word64 }

// countHit raises entry i's frequency by one.
func (c *hyperbolic) countHit(i int32) { c.nodes[i].word32++ }

// setAdmitted gives entry i, just admitted, frequency 1 and the current
// request count.
func (c *hyperbolic) setAdmitted(i int32) { c.nodes[i].word32, c.nodes[i].word64 = 1, c.n }

// victim returns the sampled object with the lowest score (below 10^16,
// libCacheSim's starting bound; failing that, the last drawn).
func (c *hyperbolic) victim() int32 {
	best, bestScore := nilIdx, 1e16
	for range c.samples {
		v := c.table.sample(&c.rng)
		age := float64(c.n - c.admittedAt(v))
		if score := float64(1e8*float64(c.freqOf(v))) / age; score < bestScore {
			best, bestScore = v, score
		}
		if best == nilIdx {
			best = v
		}
	}
	return best
}

// Remove drops key's object (a delete in the trace).
func (c *hyperbolic) Remove(key uint64) bool { return c.removeKey(key, c.table.remove) }
