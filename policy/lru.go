package policy

import "github.com/cachesim/cachesim/traces"

func init() {
	Register(Info{
		Name:    "lru",
		Summary: "least recently used: evicts the object whose last access is oldest",
		New:     func(c Config) (Cache, error) { return NewLRU(c.Capacity), nil },
	})
}

// LRU evicts the least recently used object.
type LRU struct {
	store
	q list
}

// NewLRU returns an empty LRU cache of the given capacity.
func NewLRU(capacity int64) *LRU {
	return &LRU{store: newStore(capacity), q: newList()}
}

// Access looks r up, moving a hit to the most recent end; a miss is admitted.
func (c *LRU) Access(r *traces.Request) bool {
	if i, ok := c.lookup(r.Key); ok {
		c.q.moveToFront(c.nodes, i)
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	c.evictTail(&c.q, r.Size)
	c.q.pushFront(c.nodes, c.add(r.Key, r.Size))
	return false
}

// Remove drops key's object (a delete in the trace).
func (c *LRU) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) { c.q.remove(c.nodes, i) })
}
