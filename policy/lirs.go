package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "lirs",
		Summary: "LIRS (Jiang and Zhang, SIGMETRICS'02): blocks with a short reuse distance (LIR) hold most of the cache; " +
			"the rest (HIR) share a small resident queue, and non-resident HIR history in the recency stack lets a " +
			"returning block become LIR (as libCacheSim's LIRS)",
		Params: []Param{
			FractionParam("hir", 0.01, "share of the capacity for resident HIR blocks (at least one object's worth); below 1, as the LIR blocks that hit need the rest").BelowMax(),
		},
		New: func(c Config) (Cache, error) {
			return newLIRS(c.Capacity, lirsOptions{HIR: c.Values.Float("hir")}), nil
		},
	})
}

// lirsOptions are LIRS's parameters, used as given (the registered policy's
// schema holds the defaults: New(Spec{Name: "lirs"}, …)).
type lirsOptions struct {
	// HIR is the share of the capacity for resident HIR blocks; it is at
	// least one object's worth.
	HIR float64
}

// LIRS entry flags, in each entry's word32 (has, set, clear).
const (
	lirsLIR      = 1 << iota // an LIR block (always resident, always in S)
	lirsResident             // its data is cached
	lirsInS                  // in the recency stack S (entry.prev/next)
	lirsInQ                  // in Q, the resident HIR queue (q2 links)
	lirsInNH                 // in NH, the non-resident HIR blocks of S, oldest at the tail (q2 links)
)

// lirs follows libCacheSim's LIRS.c: stack S (entry links) holds LIR blocks
// and recently seen HIR blocks, resident or not; Q (links in q2, a parallel
// slice) the resident HIR blocks; NH the non-resident ones still in S, so S
// can be bounded to twice the capacity by forgetting the oldest. The LIR set
// is bounded by capacity − hirLimit, HIR residents by hirLimit. Like
// libCacheSim, a hit on a resident HIR block that is not in S first demotes
// LIR blocks until one more would fit in the LIR set.
//
// Difference from libCacheSim: if that demotion pushes the hit block itself
// out of Q, it becomes a non-resident HIR block in S; libCacheSim leaves it
// marked resident without counting its size.
type lirs struct {
	store
	s, q, nh           list
	q2                 []entry // Q/NH links, parallel to store.nodes
	lirLimit, hirLimit int64
	lirUsed, hirUsed   int64
	sUsed              int64 // sizes of everything in S, resident or not
}

// newLIRS returns an empty LIRS cache with the options o.
func newLIRS(capacity int64, o lirsOptions) *lirs {
	h := max(int64(o.HIR*float64(capacity)), 1)
	return &lirs{store: newStore(capacity), s: newList(), q: newList(), nh: newList(), hirLimit: h, lirLimit: capacity - h}
}

// has reports whether entry i has any of the flags f.
func (c *lirs) has(i int32, f int32) bool { return c.nodes[i].word32&f != 0 }

// set gives entry i the flags f.
func (c *lirs) set(i int32, f int32) { c.nodes[i].word32 |= f }

// clear takes the flags f off entry i.
func (c *lirs) clear(i int32, f int32) { c.nodes[i].word32 &^= f }

// clearAll takes every flag off entry i.
func (c *lirs) clearAll(i int32) { c.nodes[i].word32 = 0 }

// Access looks r up and applies the LIRS case it falls in.
func (c *lirs) Access(r *trace.Request) bool {
	hit := c.access(r)
	c.limitStack()
	return hit
}

func (c *lirs) access(r *trace.Request) bool {
	i, ok := c.lookup(r)
	if !ok {
		c.admit(r)
		return false
	}
	if c.has(i, lirsInS) {
		c.s.moveToFront(c.nodes, i)
	}
	if c.has(i, lirsInQ) {
		c.q.moveToFront(c.q2, i)
	}
	switch {
	case c.has(i, lirsLIR):
		c.prune()
		return true
	case c.has(i, lirsResident) && c.has(i, lirsInS):
		c.promote(i)
		return true
	case c.has(i, lirsResident):
		// A resident HIR block only in Q: it stays HIR and enters S
		// (before the demotions, so that if they push it out of Q it
		// remains in S as non-resident history).
		c.pushS(i)
		c.makeLIRRoom(int64(c.nodes[i].size))
		return true
	}
	c.revisit(i, r.Size)
	return false
}

// makeLIRRoom demotes LIR blocks until size more fits the LIR share.
func (c *lirs) makeLIRRoom(size int64) {
	for c.lirUsed+size > c.lirLimit && c.lirUsed > 0 {
		c.evictLIR()
	}
}

// promote makes resident HIR block i, found in S, a LIR block.
func (c *lirs) promote(i int32) {
	size := int64(c.nodes[i].size)
	c.unQ(i)
	c.used -= size
	c.makeLIRRoom(size)
	c.set(i, lirsLIR)
	c.lirUsed += size
	c.used += size
}

// revisit handles a miss on a non-resident HIR block still in S: it
// returns as LIR.
func (c *lirs) revisit(i int32, rsize uint32) {
	if !c.fits(rsize) {
		return
	}
	size := int64(c.nodes[i].size)
	c.makeLIRRoom(size)
	c.nh.remove(c.q2, i)
	c.clear(i, lirsInNH)
	for c.full(uint32(size)) {
		for c.hirUsed >= c.hirLimit && c.hirUsed > 0 {
			c.evictHIR()
		}
		if c.lirUsed > 0 {
			c.evictLIR()
		} else if c.hirUsed > 0 {
			c.evictHIR()
		}
	}
	c.set(i, lirsLIR|lirsResident)
	c.lirUsed += size
	c.revive(i)
}

// admit handles a miss on a block LIRS does not know: it enters as LIR
// while the LIR share has room, else as resident HIR.
func (c *lirs) admit(r *trace.Request) {
	size := int64(r.Size)
	if !c.fits(r.Size) || size > c.lirLimit || size > c.hirLimit {
		return
	}
	if c.lirUsed+size > c.lirLimit && c.hirUsed+size > c.hirLimit {
		for c.hirUsed+size > c.hirLimit {
			c.evictHIR()
		}
	}
	for c.full(r.Size) {
		if c.hirUsed > 0 {
			c.evictHIR()
		} else {
			c.evictLIR()
		}
	}
	i := c.add(r)
	for len(c.q2) < len(c.nodes) {
		c.q2 = append(c.q2, entry{})
	}
	c.pushS(i)
	c.set(i, lirsResident)
	if c.lirUsed+size <= c.lirLimit {
		c.set(i, lirsLIR)
		c.lirUsed += size
	} else {
		c.pushQ(i)
	}
}

// pushS puts entry i on top of S.
func (c *lirs) pushS(i int32) {
	c.s.pushFront(c.nodes, i)
	c.set(i, lirsInS)
	c.sUsed += int64(c.nodes[i].size)
}

// pushQ puts resident HIR entry i at the head of Q.
func (c *lirs) pushQ(i int32) {
	c.q.pushFront(c.q2, i)
	c.set(i, lirsInQ)
	c.hirUsed += int64(c.nodes[i].size)
}

// unQ takes entry i out of Q if it is there.
func (c *lirs) unQ(i int32) {
	if c.has(i, lirsInQ) {
		c.q.remove(c.q2, i)
		c.clear(i, lirsInQ)
		c.hirUsed -= int64(c.nodes[i].size)
	}
}

// unS takes entry i out of S, forgetting it if nothing else holds it.
func (c *lirs) unS(i int32) {
	c.leaveS(i)
	if !c.has(i, lirsResident) {
		c.forget(i)
	}
}

// leaveS takes entry i out of S, and out of NH if it is there.
func (c *lirs) leaveS(i int32) {
	c.s.remove(c.nodes, i)
	c.clear(i, lirsInS)
	c.sUsed -= int64(c.nodes[i].size)
	if c.has(i, lirsInNH) {
		c.nh.remove(c.q2, i)
		c.clear(i, lirsInNH)
	}
}

// evictLIR demotes the LIR block at the bottom of S into Q (or evicts it
// when it is larger than Q), then prunes S.
func (c *lirs) evictLIR() {
	c.prune()
	v := c.s.tail
	size := int64(c.nodes[v].size)
	c.clear(v, lirsLIR)
	c.lirUsed -= size
	c.used -= size
	c.leaveS(v)
	if size <= c.hirLimit {
		for c.hirUsed+size > c.hirLimit {
			c.evictHIR()
		}
		c.used += size
		c.pushQ(v)
	} else {
		c.used += size // drop subtracts it again
		c.evict(v)
	}
	c.prune()
}

// evictHIR evicts the oldest resident HIR block; if it is still in S it
// stays there as non-resident history.
func (c *lirs) evictHIR() {
	v := c.q.tail
	c.unQ(v)
	c.clear(v, lirsResident)
	if !c.has(v, lirsInS) {
		c.evict(v)
		return
	}
	c.toGhost(v)
	c.nh.pushFront(c.q2, v)
	c.set(v, lirsInNH)
}

// prune removes HIR blocks from the bottom of S until an LIR block is there.
func (c *lirs) prune() {
	for t := c.s.tail; t != c.s.head && !c.has(t, lirsLIR); t = c.s.tail {
		c.unS(t)
	}
}

// limitStack bounds S to twice the capacity by forgetting the oldest
// non-resident HIR blocks.
func (c *lirs) limitStack() {
	for c.sUsed > 2*c.capacity && !c.nh.empty() {
		c.unS(c.nh.tail)
	}
}

// Remove drops key's block (a delete in the trace): an LIR block leaves S
// and the LIR set, a resident HIR block Q (and S), and S is pruned so that
// its bottom is LIR again; a non-resident HIR block is forgotten, so that
// its return is a new block, not a returning one. Only a resident block
// counts as cached.
func (c *lirs) Remove(key uint64) bool {
	cached := c.removeOrForget(key, func(i int32) bool { return !c.has(i, lirsResident) }, c.unlink)
	c.prune()
	return cached
}

// unlink takes entry i out of every LIRS structure it is in.
func (c *lirs) unlink(i int32) {
	if c.has(i, lirsLIR) {
		c.lirUsed -= int64(c.nodes[i].size)
	}
	c.unQ(i)
	if c.has(i, lirsInS) {
		c.leaveS(i)
	}
	c.clearAll(i)
}
