package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "slru",
		Summary: "segmented LRU (S4LRU by default): a miss enters the lowest segment; a hit moves the object up one " +
			"segment, and each full segment demotes its least recent object into the one below (as libCacheSim's SLRU)",
		Params: []Param{IntParam("segments", 4, 1, 64, "number of equal segments")},
		New: func(c Config) (Cache, error) {
			return newSLRU(c.Capacity, int(c.Values.Int("segments"))), nil
		},
	})
}

// slru keeps n LRU segments of capacity/n each, segment n-1 the hottest, as
// libCacheSim's SLRU.c: while the cache fills, a miss goes into the lowest
// segment with room; once full, eviction takes the least recent object of
// the lowest non-empty segment and misses enter segment 0. A hit in the top
// segment moves the object to its head; elsewhere it moves up one segment,
// and an overfull segment cools by demoting its tail downwards (segment 0's
// tail is evicted). segmentOf is an entry's segment.
//
// Difference from libCacheSim, for tiny caches only: a segment holds at
// least one object's worth (libCacheSim's floor(capacity/n) admits nothing
// below n objects).
type slru struct {
	store
	segs []segment
}

// newSLRU returns an empty SLRU cache with n equal segments.
func newSLRU(capacity int64, n int) *slru {
	c := &slru{store: newStore(capacity), segs: make([]segment, n)}
	for i := range c.segs {
		c.segs[i] = newSegment(max(capacity/int64(n), 1))
	}
	return c
}

// Access looks r up, promoting a hit; a miss is admitted low.
func (c *slru) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		s := segmentOf(c.nodes, i)
		if int(s) == len(c.segs)-1 {
			c.segs[s].moveToFront(c.nodes, i)
			return true
		}
		moveTo(c.segs, c.nodes, i, s+1)
		for c.segs[s+1].over() {
			c.cool(s + 1)
		}
		return true
	}
	if !c.fits(r.Size) || int64(r.Size) > c.segs[0].capacity {
		return false
	}
	for c.full(r.Size) {
		c.evictLowest()
	}
	seg := int32(0)
	for s := range c.segs {
		if c.segs[s].used+int64(r.Size) <= c.segs[s].capacity {
			seg = int32(s)
			break
		}
	}
	i := c.add(r)
	pushTo(c.segs, c.nodes, i, seg)
	return false
}

// cool demotes segment s's least recent object into segment s-1 (evicting
// from the bottom when s is 0), cascading while the segment below is over.
func (c *slru) cool(s int32) {
	if s == 0 {
		c.evictLowest()
		return
	}
	moveTo(c.segs, c.nodes, c.segs[s].tail, s-1)
	for c.segs[s-1].over() {
		c.cool(s - 1)
	}
}

// evictLowest evicts the least recent object of the lowest non-empty segment.
func (c *slru) evictLowest() {
	for s := range c.segs {
		if !c.segs[s].empty() {
			v := c.segs[s].tail
			c.segs[s].take(c.nodes, v)
			c.evict(v)
			return
		}
	}
}

// Remove drops key's object (a delete in the trace) from its segment.
func (c *slru) Remove(key uint64) bool { return c.removeFromSegments(key, c.segs) }
