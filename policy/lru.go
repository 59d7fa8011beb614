package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name:    "lru",
		Summary: "least recently used: evicts the object whose last access is oldest",
		Traits:  ExactCurve,
		New:     func(c Config) (Cache, error) { return NewLRU(c.Capacity), nil },
	})
}

// LRU evicts the least recently used object. Pinned objects (see Pinner,
// in pin.go) are out of its list until released.
type LRU struct {
	queue
	pins pins
}

// NewLRU returns an empty LRU cache of the given capacity.
func NewLRU(capacity int64) *LRU { return &LRU{queue: newQueue(capacity)} }

// Access looks r up, moving a hit to the most recent end (a pinned one
// stays out of the list); a miss is admitted.
func (c *LRU) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r.Key); ok {
		if c.pins.size == 0 || c.pins.of(i) == 0 {
			c.q.moveToFront(c.nodes, i)
		}
		return true
	}
	c.admit(r)
	return false
}
