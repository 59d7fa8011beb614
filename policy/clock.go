package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "clock",
		Summary: "CLOCK (second chance, FIFO-reinsertion): a hit sets the object's reference bit; eviction takes the " +
			"oldest object, first clearing and reinserting any with the bit set (as libCacheSim's Clock)",
		New: func(c Config) (Cache, error) { return newClock(c.Capacity), nil },
	})
}

// clock is a FIFO in which a hit sets a reference bit (referenced); the hand
// at the tail gives a referenced object a second chance by clearing the bit
// and moving it to the head, and evicts the first unreferenced one.
type clock struct{ queue }

// newClock returns an empty Clock cache of the given capacity.
func newClock(capacity int64) *clock {
	return &clock{newQueue(capacity)}
}

// Access looks r up, setting a hit's reference bit; a miss is admitted at the head.
func (c *clock) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		c.markReferenced(i)
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		v := c.q.tail
		if c.referenced(v) {
			c.clearReferenced(v)
			c.q.moveToFront(c.nodes, v)
			continue
		}
		c.q.remove(c.nodes, v)
		c.evict(v)
	}
	c.q.pushFront(c.nodes, c.add(r))
	return false
}

// referenced reports whether entry i's reference bit, kept in its word32,
// is set.
func (c *clock) referenced(i int32) bool { return c.nodes[i].word32 != 0 }

// markReferenced sets entry i's reference bit.
func (c *clock) markReferenced(i int32) { c.nodes[i].word32 = 1 }

// clearReferenced clears entry i's reference bit.
func (c *clock) clearReferenced(i int32) { c.nodes[i].word32 = 0 }
