package policy

import (
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	Register(Info{
		Name:    "random",
		Summary: "random eviction: evicts a uniformly chosen cached object (seeded, so runs repeat)",
		Traits:  Randomised,
		New:     func(c Config) (Cache, error) { return newRandom(c.Capacity, c.Seed), nil },
	})
}

// random evicts a cached object chosen uniformly at random. The cached
// entries are kept in a dense array (denseSet) so a choice is O(1).
type random struct {
	store
	dense denseSet
	rng   *rand.Rand
}

// newRandom returns an empty Random cache whose choices follow seed.
func newRandom(capacity int64, seed uint64) *random {
	return &random{store: newStore(capacity), rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// Access looks r up; a miss evicts random objects until it fits.
func (c *random) Access(r *trace.Request) bool {
	if _, ok := c.lookup(r); ok {
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		v := c.dense.pick(c.rng)
		c.dense.remove(c.nodes, v)
		c.evict(v)
	}
	i := c.add(r)
	c.dense.add(c.nodes, i)
	return false
}

// Remove drops key's object (a delete in the trace).
func (c *random) Remove(key uint64) bool { return c.removeDense(key, &c.dense) }
