package policy

import "github.com/cachesim/cachesim/traces"

func init() {
	Register(Info{
		Name:    "fifo",
		Summary: "first in, first out: evicts the object admitted earliest; hits change nothing",
		New:     func(c Config) (Cache, error) { return NewFIFO(c.Capacity), nil },
	})
}

// FIFO evicts the object that was admitted first.
type FIFO struct {
	store
	q list
}

// NewFIFO returns an empty FIFO cache of the given capacity.
func NewFIFO(capacity int64) *FIFO {
	return &FIFO{store: newStore(capacity), q: newList()}
}

// Access looks r up; a miss is admitted at the queue's head.
func (c *FIFO) Access(r *traces.Request) bool {
	if _, ok := c.lookup(r.Key); ok {
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
func (c *FIFO) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) { c.q.remove(c.nodes, i) })
}
