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

// clock is a FIFO in which a hit sets a reference bit (entry.aux); the hand
// at the tail gives a referenced object a second chance by clearing the bit
// and moving it to the head, and evicts the first unreferenced one.
type clock struct{ queue }

// newClock returns an empty Clock cache of the given capacity.
func newClock(capacity int64) *clock {
	return &clock{newQueue(capacity)}
}

// Access looks r up, setting a hit's reference bit; a miss is admitted at the head.
func (c *clock) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r.Key); ok {
		c.nodes[i].aux = 1
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		v := c.q.tail
		if c.nodes[v].aux != 0 {
			c.nodes[v].aux = 0
			c.q.moveToFront(c.nodes, v)
			continue
		}
		c.q.remove(c.nodes, v)
		c.evict(v)
	}
	c.q.pushFront(c.nodes, c.add(r.Key, r.Size))
	return false
}
