package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "sieve",
		Summary: "SIEVE (Zhang et al., NSDI'24): a FIFO with a visited bit and a hand that moves from the oldest towards " +
			"the newest, clearing bits and evicting the first unvisited object; survivors stay in place",
		New: func(c Config) (Cache, error) { return newSieve(c.Capacity), nil },
	})
}

// sieve keeps objects in insertion order (head newest) with a visited bit
// (entry.aux). The hand remembers where the last eviction stopped; unlike
// Clock, a visited object is not moved, only its bit cleared.
type sieve struct {
	queue
	hand int32
}

// newSieve returns an empty SIEVE cache of the given capacity.
func newSieve(capacity int64) *sieve {
	return &sieve{queue: newQueue(capacity), hand: nilIdx}
}

// Access looks r up, marking a hit visited; a miss is admitted at the head.
func (c *sieve) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r.Key); ok {
		c.nodes[i].aux = 1
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		v := c.hand
		if v == nilIdx {
			v = c.q.tail
		}
		for c.nodes[v].aux != 0 {
			c.nodes[v].aux = 0
			if v = c.nodes[v].prev; v == nilIdx {
				v = c.q.tail
			}
		}
		c.hand = c.nodes[v].prev
		c.q.remove(c.nodes, v)
		c.evict(v)
	}
	c.q.pushFront(c.nodes, c.add(r.Key, r.Size))
	return false
}

// Remove drops key's object (a delete in the trace), moving the hand past it.
func (c *sieve) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) {
		if c.hand == i {
			c.hand = c.nodes[i].prev
		}
		c.q.remove(c.nodes, i)
	})
}
