package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "gdsf",
		Summary: "GreedyDual-Size-Frequency (Cherkasova, 1998): priority L + frequency × 10^6 / size, where L is the " +
			"priority of the last eviction; evicts the lowest priority, the least recently requested first " +
			"(as libCacheSim's GDSF)",
		Traits: SizeAware,
		New:    func(c Config) (Cache, error) { return newGDSF(c.Capacity), nil },
	})
}

// gdsf follows libCacheSim's GDSF.cpp: an admitted object gets priority
// L + 10^6/size and frequency 1; a hit raises the frequency and sets the
// priority to L + frequency × 10^6/size with the current L (computed in
// the same floating-point steps as libCacheSim). Objects are ranked by
// priority, ties by the request that last set it, oldest first. A miss is
// admitted first and objects are then evicted, lowest rank first, until
// the cache fits its capacity, so a new object that ranks lowest leaves
// at once; each eviction sets L to the evicted priority. Each entry's
// frequency is in its word64 (freqOf), its heap position in its word32
// (rankHeap).
type gdsf struct {
	store
	heap rankHeap
	rank []gdsfRank // by entry index
	last float64    // L, the priority of the last eviction
	seq  int64      // requests so far, to order equal priorities
}

// gdsfRank is an entry's place in GDSF's order.
type gdsfRank struct {
	prio float64
	seq  int64
}

// newGDSF returns an empty GDSF cache of the given capacity.
func newGDSF(capacity int64) *gdsf {
	c := &gdsf{store: newStore(capacity)}
	c.heap = newRankHeap(&c.nodes, c.less)
	return c
}

func (c *gdsf) less(a, b int32) bool {
	ra, rb := &c.rank[a], &c.rank[b]
	if ra.prio == rb.prio {
		return ra.seq < rb.seq
	}
	return ra.prio < rb.prio
}

// Access looks r up, raising a hit's frequency and priority; a miss is
// admitted, then the lowest-ranked objects are evicted until it all fits.
func (c *gdsf) Access(r *trace.Request) bool {
	c.seq++
	if i, ok := c.lookup(r); ok {
		c.setFreq(i, c.freqOf(i)+1)
		c.setRank(i)
		c.heap.fix(i)
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	i := c.add(r)
	if int(i) >= len(c.rank) {
		c.rank = append(c.rank, make([]gdsfRank, int(i)+1-len(c.rank))...)
	}
	c.setFreq(i, 1)
	c.setRank(i)
	c.heap.push(i)
	for c.used > c.capacity {
		v := c.heap.top()
		c.last = c.rank[v].prio
		c.heap.remove(v)
		c.evict(v)
	}
	return false
}

// freqOf returns entry i's frequency: its requests since it was admitted.
func (c *gdsf) freqOf(i int32) int64 { return c.nodes[i].word64 }

// setFreq sets entry i's frequency.
func (c *gdsf) setFreq(i int32, f int64) { c.nodes[i].word64 = f }

// setRank gives entry i the priority its frequency and size earn now.
func (c *gdsf) setRank(i int32) {
	gain := float64(float64(c.freqOf(i))*1e6) / float64(c.nodes[i].size)
	c.rank[i] = gdsfRank{prio: c.last + gain, seq: c.seq}
}

// Remove drops key's object (a delete in the trace).
func (c *gdsf) Remove(key uint64) bool { return c.removeKey(key, c.heap.remove) }
