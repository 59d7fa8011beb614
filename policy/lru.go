package policy

import "github.com/cachesim/cachesim/traces"

func init() {
	Register(Info{
		Name:    "lru",
		Summary: "least recently used: evicts the object whose last access is oldest",
		Traits:  ExactCurve,
		New:     func(c Config) (Cache, error) { return NewLRU(c.Capacity), nil },
	})
}

// LRU evicts the least recently used object.
type LRU struct{ queue }

// NewLRU returns an empty LRU cache of the given capacity.
func NewLRU(capacity int64) *LRU { return &LRU{newQueue(capacity)} }

// Access looks r up, moving a hit to the most recent end; a miss is admitted.
func (c *LRU) Access(r *traces.Request) bool {
	if i, ok := c.lookup(r.Key); ok {
		c.q.moveToFront(c.nodes, i)
		return true
	}
	c.admit(r)
	return false
}
