package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "mru",
		Summary: "most recently used: evicts the object accessed last, which suits loops larger than the cache " +
			"(as libCacheSim's MRU)",
		New: func(c Config) (Cache, error) { return NewMRU(c.Capacity), nil },
	})
}

// MRU evicts the most recently used object: the head of a recency list.
type MRU struct{ queue }

// NewMRU returns an empty MRU cache of the given capacity.
func NewMRU(capacity int64) *MRU { return &MRU{newQueue(capacity)} }

// Access looks r up, moving a hit to the most recent end; a miss evicts from
// that same end until it fits and is then admitted there.
func (c *MRU) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r.Key); ok {
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
	c.q.pushFront(c.nodes, c.add(r.Key, r.Size))
	return false
}
