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
// (visited). The hand remembers where the last eviction stopped; unlike
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
	if i, ok := c.lookup(r); ok {
		c.markVisited(i)
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
		for c.visited(v) {
			c.clearVisited(v)
			if v = c.nodes[v].prev; v == nilIdx {
				v = c.q.tail
			}
		}
		c.hand = c.nodes[v].prev
		c.q.remove(c.nodes, v)
		c.evict(v)
	}
	c.q.pushFront(c.nodes, c.add(r))
	return false
}

// visited reports whether entry i's visited bit, kept in its word32, is set.
func (c *sieve) visited(i int32) bool { return c.nodes[i].word32 != 0 }

// markVisited sets entry i's visited bit.
func (c *sieve) markVisited(i int32) { c.nodes[i].word32 = 1 }

// clearVisited clears entry i's visited bit.
func (c *sieve) clearVisited(i int32) { c.nodes[i].word32 = 0 }

// Remove drops key's object (a delete in the trace), moving the hand past it.
func (c *sieve) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) {
		if c.hand == i {
			c.hand = c.nodes[i].prev
		}
		c.q.remove(c.nodes, i)
	})
}
