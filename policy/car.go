package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "car",
		Summary: "CAR, CLOCK with Adaptive Replacement (Bansal and Modha, FAST'04): ARC's recency and frequency lists " +
			"T1 and T2 run as CLOCKs with reference bits, and ghost hits in B1 and B2 adapt T1's target size " +
			"(as libCacheSim's CAR, sizes in bytes or objects)",
		New: func(c Config) (Cache, error) { return newCAR(c.Capacity), nil },
	})
}

// CAR's lists: indices into car.l, and each entry's segment (segmentOf).
const (
	carT1 = iota
	carT2
	carB1
	carB2
)

// car follows libCacheSim's CAR.c. T1 and T2 are CLOCKs (a hit sets the
// object's reference bit, referenced); B1 and B2 keep the keys and sizes of
// objects demoted from them (store.toGhost). A ghost hit moves the target
// p: up by max(1, ⌊|B2|/|B1|⌋) for B1, down by max(1, ⌊|B1|/|B2|⌋) for B2
// (sizes in bytes, integer division, as libCacheSim), forgets the ghost,
// and the object is admitted at the end of T2; any other miss enters T1.
// To make room, the hand sweeps T1 while T1 holds at least max(1, p), else
// T2: a referenced object loses its bit and goes to the end of T2, the
// first unreferenced one is demoted to its ghost list. After each
// demotion, B1's oldest key is forgotten if T1 and B1 together hold the
// capacity or more.
//
// As in libCacheSim, B2 is never trimmed (its trimming condition can never
// hold there), so it remembers every key demoted from T2 until it returns
// or is deleted; and an object that cannot be admitted after a ghost hit
// leaves its ghost flag set for the next admission. Where libCacheSim
// would sweep an empty list, the other list is swept.
type car struct {
	store
	l         [4]segment // T1, T2, B1, B2 (segment.capacity unused)
	p         float64    // target size of T1
	ghostSeen [2]bool    // a ghost hit in B1, B2 not yet admitted (libCacheSim's curr_obj_in_L*_ghost)
}

// newCAR returns an empty CAR cache of the given capacity.
func newCAR(capacity int64) *car {
	c := &car{store: newStore(capacity)}
	for i := range c.l {
		c.l[i] = newSegment(0)
	}
	return c
}

// Access looks r up: a hit sets the reference bit; a ghost hit adapts p and
// admits into T2; any other miss enters T1.
func (c *car) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		switch segmentOf(c.nodes, i) {
		case carT1, carT2:
			c.markReferenced(i)
			return true
		case carB1:
			b1, b2 := c.l[carB1].used, c.l[carB2].used
			c.p = min(c.p+float64(max(1, b2/b1)), float64(c.capacity))
		case carB2:
			b1, b2 := c.l[carB1].used, c.l[carB2].used
			c.p = max(c.p-float64(max(1, b1/b2)), 0)
		}
		c.ghostSeen[segmentOf(c.nodes, i)-carB1] = true
		takeSegment(c.l[:], c.nodes, i)
		c.forget(i)
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		c.replace()
		b1 := &c.l[carB1]
		if !(c.ghostSeen[0] && c.ghostSeen[1]) && c.l[carT1].used+b1.used >= c.capacity && !b1.empty() {
			v := b1.tail
			b1.take(c.nodes, v)
			c.forget(v)
		}
	}
	to := int32(carT1)
	if c.ghostSeen[0] || c.ghostSeen[1] {
		to = carT2
		c.ghostSeen = [2]bool{}
	}
	i := c.add(r)
	pushTo(c.l[:], c.nodes, i, to)
	return false
}

// referenced reports whether entry i's reference bit, kept in its word64
// (its word32 holds its list), is set.
func (c *car) referenced(i int32) bool { return c.nodes[i].word64 != 0 }

// markReferenced sets entry i's reference bit.
func (c *car) markReferenced(i int32) { c.nodes[i].word64 = 1 }

// clearReferenced clears entry i's reference bit.
func (c *car) clearReferenced(i int32) { c.nodes[i].word64 = 0 }

// replace runs the hands until one object is demoted to a ghost list.
func (c *car) replace() {
	for {
		from := int32(carT2)
		if float64(c.l[carT1].used) >= max(1, c.p) || c.l[carT2].empty() {
			from = carT1
		}
		if c.l[from].empty() {
			from = carT2
		}
		v := c.l[from].tail
		if c.referenced(v) {
			c.clearReferenced(v)
			moveTo(c.l[:], c.nodes, v, carT2)
			continue
		}
		moveTo(c.l[:], c.nodes, v, from+carB1)
		c.toGhost(v)
		return
	}
}

// Remove drops key's object (a delete in the trace) from T1 or T2, or
// forgets its B1 or B2 ghost: its return is a new object, not a ghost hit.
func (c *car) Remove(key uint64) bool {
	return c.removeOrForget(key,
		func(i int32) bool { return segmentOf(c.nodes, i) >= carB1 },
		func(i int32) { takeSegment(c.l[:], c.nodes, i) })
}
