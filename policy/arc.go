package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "arc",
		Summary: "ARC (Megiddo and Modha, FAST'03): recency (T1) and frequency (T2) LRU lists with ghost histories " +
			"B1 and B2 whose hits adapt the target size of T1 (as libCacheSim's ARC, sizes in bytes or objects)",
		New: func(c Config) (Cache, error) { return newARC(c.Capacity), nil },
	})
}

// ARC's lists: indices into arc.l, and each entry's segment (segmentOf).
const (
	arcT1 = iota
	arcT2
	arcB1
	arcB2
)

// arc is the Adaptive Replacement Cache, following libCacheSim's ARC.c for
// variable sizes: the lists' sizes are sums of object sizes, ghosts keep the
// size the object had, and the target p moves by max(|B2|/|B1|, 1) (or the
// reverse) in the same unit. Ghost entries stay in the key index (store.toGhost).
type arc struct {
	store
	l [4]segment // T1, T2, B1, B2 (segment.capacity unused)
	p float64    // target size of T1
}

// newARC returns an empty ARC cache of the given capacity.
func newARC(capacity int64) *arc {
	c := &arc{store: newHistoryStore(capacity)}
	for i := range c.l {
		c.l[i] = newSegment(0)
	}
	return c
}

// Access looks r up: a hit moves the object to T2's head; a ghost hit adapts
// p and readmits into T2; any other miss enters T1.
func (c *arc) Access(r *trace.Request) bool {
	ghostHit, inB2 := false, false
	if i, ok := c.lookup(r); ok {
		switch segmentOf(c.nodes, i) {
		case arcT1:
			moveTo(c.l[:], c.nodes, i, arcT2)
			return true
		case arcT2:
			c.l[arcT2].moveToFront(c.nodes, i)
			return true
		case arcB1:
			c.p = min(c.p+max(float64(c.l[arcB2].used)/float64(c.l[arcB1].used), 1), float64(c.capacity))
		case arcB2:
			inB2 = true
			c.p = max(c.p-max(float64(c.l[arcB1].used)/float64(c.l[arcB2].used), 1), 0)
		}
		ghostHit = true
		takeSegment(c.l[:], c.nodes, i)
		c.forget(i)
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		if ghostHit {
			c.replace(inB2)
		} else {
			c.evictMiss(r.Size)
		}
	}
	to := int32(arcT1)
	if ghostHit {
		to = arcT2
	}
	i := c.add(r)
	pushTo(c.l[:], c.nodes, i, to)
	return false
}

// replace is the paper's REPLACE: demote T1's or T2's least recent object
// into its ghost list, by the target p.
func (c *arc) replace(inB2 bool) {
	t1, t2 := float64(c.l[arcT1].used), c.l[arcT2].used
	if (t1 > 0 && (t1 > c.p || (t1 == c.p && inB2))) || t2 == 0 {
		v := c.l[arcT1].tail
		moveTo(c.l[:], c.nodes, v, arcB1)
		c.toGhost(v)
	} else {
		v := c.l[arcT2].tail
		moveTo(c.l[:], c.nodes, v, arcB2)
		c.toGhost(v)
	}
}

// evictMiss makes room for a miss on every list (the paper's case IV).
func (c *arc) evictMiss(size uint32) {
	t1, b1 := c.l[arcT1].used, c.l[arcB1].used
	if t1+b1+int64(size) > c.capacity {
		if b1 > 0 {
			c.dropGhost(arcB1)
			c.replace(false)
		} else {
			v := c.l[arcT1].tail
			c.l[arcT1].take(c.nodes, v)
			c.evict(v)
		}
		return
	}
	if t1+b1+c.l[arcT2].used+c.l[arcB2].used >= 2*c.capacity && c.l[arcB2].used > 0 {
		c.dropGhost(arcB2)
	}
	c.replace(false)
}

// dropGhost forgets the oldest entry of ghost list g.
func (c *arc) dropGhost(g int) {
	v := c.l[g].tail
	c.l[g].take(c.nodes, v)
	c.forget(v)
}

// Remove drops key's object (a delete in the trace) from T1 or T2, or
// forgets its B1 or B2 ghost: the object no longer exists, so its return is
// a new object, not a ghost hit. The target p is left as it is.
func (c *arc) Remove(key uint64) bool {
	return c.removeOrForget(key,
		func(i int32) bool { return segmentOf(c.nodes, i) >= arcB1 },
		func(i int32) { takeSegment(c.l[:], c.nodes, i) })
}
