package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "mru",
		Summary: "most recently used: evicts the object accessed last, which suits loops larger than the cache " +
			"(as libCacheSim's MRU)",
		New: func(c Config) (Cache, error) { return newMRU(c.Capacity), nil },
	})
}

// mru evicts the most recently used object: the head of a recency list.
type mru struct{ queue }

// newMRU returns an empty MRU cache of the given capacity.
func newMRU(capacity int64) *mru { return &mru{newQueue(capacity)} }

// Access looks r up, moving a hit to the most recent end; a miss evicts from
// that same end until it fits and is then admitted there.
func (c *mru) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		c.q.moveToFront(c.nodes, i)
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		v := c.q.head
		c.q.remove(c.nodes, v)
		c.evict(v)
	}
	c.q.pushFront(c.nodes, c.add(r))
	return false
}
