package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "qdlp",
		Summary: "QD-LP-FIFO (Yang et al., HotOS'23): quick demotion through a small probationary FIFO; objects hit " +
			"there move to a main CLOCK with a multi-bit counter, the others leave into a ghost FIFO whose hits enter " +
			"main directly (as libCacheSim's QDLP with main-cache=Clock2, its QDLP-FIFO)",
		Params: []Param{
			FractionParam("small", 0.1, "share of the capacity for the probationary FIFO; above 0, as every miss but a ghost's enters it, and a FIFO under one object admits nothing").AboveMin(),
			FloatParam("ghost", 0.9, 0, 10, "ghost FIFO size as a share of the capacity"),
			IntParam("threshold", 1, 1, 1<<20, "hits in the probationary FIFO needed to move to main"),
			IntParam("bits", 2, 1, 16, "bits of the main CLOCK's counter (a hit adds 1 up to 2^bits − 1)"),
		},
		New: func(c Config) (Cache, error) {
			return newQDLP(c.Capacity, qdlpOptions{
				Small:     c.Values.Float("small"),
				Ghost:     c.Values.Float("ghost"),
				Threshold: int(c.Values.Int("threshold")),
				Bits:      int(c.Values.Int("bits")),
			}), nil
		},
	})
}

// qdlpOptions are QD-LP-FIFO's parameters, used as given (the registered
// policy's schema holds the defaults).
type qdlpOptions struct {
	// Small is the probationary FIFO's share of the capacity.
	Small float64
	// Ghost is the ghost FIFO's size as a share of the capacity.
	Ghost float64
	// Threshold is the number of hits in the FIFO that move an object to main.
	Threshold int
	// Bits is the width of the main CLOCK's counter.
	Bits int
}

// qdlp follows libCacheSim's QDLP.c: the FIFO gets floor(small ×
// capacity) and main the rest; main keeps to its share, while the FIFO may
// hold more as long as the cache has room. A miss remembered by
// the ghost enters main, any other the FIFO unless it is at least as large
// as the FIFO. To make room for a miss, the FIFO's oldest object leaves
// (main's CLOCK evicts when the FIFO is empty): with at least threshold
// hits it moves to main's head with a count of 0, else it is evicted into
// the ghost. Whatever enters main first makes room there: main's CLOCK
// takes its oldest object, moving it to the head with its count lowered
// while the count is above 0, and evicts the first with 0. Each entry's
// queue is in its word64 (queueOf: inSmall, inMain or inGhost, for the
// ghost, whose ghosts share the cache's store: ghostQueue), its hit count (the
// CLOCK counter in main) in its word32 (countOf).
type qdlp struct {
	store
	small, main segment
	ghost       ghostQueue
	threshold   int32
	maxCount    int32
}

// newQDLP returns an empty QD-LP-FIFO cache with the options o.
func newQDLP(capacity int64, o qdlpOptions) *qdlp {
	sc := int64(float64(capacity) * o.Small)
	return &qdlp{
		store:     newHistoryStore(capacity),
		small:     newSegment(sc),
		main:      newSegment(capacity - sc),
		ghost:     newGhostQueue(int64(float64(capacity) * o.Ghost)),
		threshold: int32(o.Threshold),
		maxCount:  int32(1)<<o.Bits - 1,
	}
}

// Access looks r up, counting a hit; a miss enters main if the ghost
// remembers the key, else the FIFO.
func (c *qdlp) Access(r *trace.Request) bool {
	i, ok := c.lookup(r)
	if ok && queueOf(c.nodes, i) != inGhost {
		if queueOf(c.nodes, i) == inSmall || c.countOf(i) < c.maxCount {
			c.countHit(i)
		}
		return true
	}
	fromGhost := ok
	if fromGhost {
		c.ghost.forget(&c.store, i)
	}
	if int64(r.Size) > c.small.capacity {
		return false
	}
	for c.full(r.Size) {
		c.evictOne()
	}
	switch {
	case fromGhost:
		if c.roomInMain(r.Size) {
			c.toMain(c.add(r))
		}
	case int64(r.Size) < c.small.capacity:
		i := c.add(r)
		setQueue(c.nodes, i, inSmall)
		c.small.push(c.nodes, i)
	}
	return false
}

// countOf returns entry i's hit count.
func (c *qdlp) countOf(i int32) int32 { return c.nodes[i].word32 }

// setCount sets entry i's hit count.
func (c *qdlp) setCount(i, n int32) { c.nodes[i].word32 = n }

// countHit raises entry i's hit count by one.
func (c *qdlp) countHit(i int32) { c.nodes[i].word32++ }

// evictOne makes room for a miss: the FIFO's oldest object moves to main
// or into the ghost; with the FIFO empty, main's CLOCK evicts.
func (c *qdlp) evictOne() {
	if c.small.used == 0 {
		c.evictMain()
		return
	}
	v := c.small.tail
	c.small.take(c.nodes, v)
	if c.countOf(v) >= c.threshold {
		if c.roomInMain(c.nodes[v].size) {
			c.toMain(v)
			return
		}
	} else {
		c.ghost.remember(&c.store, v)
		return
	}
	c.evict(v)
}

// roomInMain evicts from main until an object of this size fits there; it
// reports false, evicting nothing, for an object larger than main.
func (c *qdlp) roomInMain(size uint32) bool {
	if int64(size) > c.main.capacity {
		return false
	}
	for c.main.used+int64(size) > c.main.capacity {
		c.evictMain()
	}
	return true
}

// toMain puts entry i at main's head with a count of 0.
func (c *qdlp) toMain(i int32) {
	setQueue(c.nodes, i, inMain)
	c.setCount(i, 0)
	c.main.push(c.nodes, i)
}

// evictMain runs main's CLOCK until one object leaves the cache.
func (c *qdlp) evictMain() {
	for {
		v := c.main.tail
		if n := c.countOf(v); n >= 1 {
			c.setCount(v, n-1)
			c.main.moveToFront(c.nodes, v)
			continue
		}
		c.main.take(c.nodes, v)
		c.evict(v)
		return
	}
}

// Remove drops key's object (a delete in the trace) and forgets it in the
// ghost FIFO, so that its return is a new object.
func (c *qdlp) Remove(key uint64) bool {
	return c.removeQueued(key, &c.small, &c.main, &c.ghost)
}
