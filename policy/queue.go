package policy

import "github.com/cachesim/cachesim/traces/trace"

// queue is a cache kept in one list, newest at the head, that evicts from
// the tail: the common core of FIFO, LRU, CLOCK and SIEVE, which differ only
// in what a hit does and in how the victim is chosen.
type queue struct {
	store
	q list
}

func newQueue(capacity int64) queue { return queue{store: newStore(capacity), q: newList()} }

// admit inserts r's object at the head, evicting from the tail until it
// fits; an object larger than the whole cache is not admitted.
func (c *queue) admit(r *trace.Request) {
	if !c.fits(r.Size) {
		return
	}
	c.evictTail(&c.q, r.Size)
	c.q.pushFront(c.nodes, c.add(r))
}

// Remove drops key's object (a delete in the trace).
func (c *queue) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) { c.q.remove(c.nodes, i) })
}
