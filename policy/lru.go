package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name:    "lru",
		Summary: "least recently used: evicts the object whose last access is oldest",
		Traits:  ExactCurve,
		New:     func(c Config) (Cache, error) { return newLRU(c.Capacity), nil },
	})
}

// lru evicts the least recently used object. Pinned objects (see Pinner,
// in pin.go) are out of its list until released.
type lru struct {
	queue
	pins pins
}

// NewLRU returns an empty LRU cache of the given capacity, the baseline
// that needs no Spec (New(Spec{Name: "lru"}, …) builds the same cache). It
// is a Pinner.
func NewLRU(capacity int64) Cache { return newLRU(capacity) }

// newLRU returns an empty LRU cache of the given capacity.
func newLRU(capacity int64) *lru { return &lru{queue: newQueue(capacity)} }

// Access looks r up, moving a hit to the most recent end (a pinned one
// stays out of the list); a miss is admitted.
func (c *lru) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		if c.pins.size == 0 || c.pins.of(i) == 0 {
			c.q.moveToFront(c.nodes, i)
		}
		return true
	}
	c.admit(r)
	return false
}
