package policy

import (
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	Register(Info{
		Name: "wtinylfu",
		Summary: "W-TinyLFU as Caffeine's cache runs it (Einziger et al., ToS'17; Caffeine 3.x, the design otter v2 ports): " +
			"an LRU window in front of a segmented LRU main (probation/protected); an object leaving the window enters " +
			"main only if a count-min sketch (4-bit, halved every 10×capacity increments) counts it more often than " +
			"main's victim; a hill climber moves capacity between window and main by the hit rate",
		Traits: Randomised,
		Params: []Param{
			EnumParam("climber", "simple", climberNames, "how the window adapts: simple is the hill climber of Caffeine 3.2 "+
				"and otter v2 (samples of 10×capacity requests, steps of 6.25% decaying by 2%, restart at 5 points); "+
				"caffeine is Caffeine's newest (that law up to 4,096 entries, slower at 512 or fewer; above, the density "+
				"law); density moves capacity towards the region earning more hits per entry, at any size; adam is "+
				"Caffeine simulator's gradient climber; none keeps the window fixed (the original W-TinyLFU)"),
			FractionParam("window", 0.01, "initial share of the capacity for the window LRU"),
			FractionParam("protected", 0.8, "share of main for the protected segment"),
			BoolParam("doorkeeper", false, "a Bloom filter takes each key's first occurrence before the sketch does "+
				"(TinyLFU's doorkeeper, cleared at each sketch reset)"),
		},
		New: func(c Config) (Cache, error) {
			return newWTinyLFU(c.Capacity, wtinylfuOptions{
				Climber:    c.Values.Enum("climber"),
				Window:     c.Values.Float("window"),
				Protected:  c.Values.Float("protected"),
				Doorkeeper: c.Values.Bool("doorkeeper"),
				Seed:       c.Seed,
			}), nil
		},
	})
}

// wtinylfuOptions are W-TinyLFU's parameters, used as given (the registered
// policy's schema holds the defaults: New(Spec{Name: "wtinylfu"}, …)).
type wtinylfuOptions struct {
	// Climber names how the window adapts: "simple", "adam" or "none".
	Climber string
	// Window is the window's initial share of the capacity.
	Window float64
	// Protected is the protected segment's share of main.
	Protected float64
	// Doorkeeper puts a Bloom filter in front of the sketch.
	Doorkeeper bool
	// Presized makes the sketch from the start, as a cache built with an
	// initial capacity as large as its maximum does; otherwise it is made
	// when the cache is half full and reads before that are not recorded.
	Presized bool
	// Seed seeds the sketch's hash and the admission jitter.
	Seed uint64
}

// W-TinyLFU's segments: indices into wtinylfu.seg, and each entry's
// segment (segmentOf).
const (
	wtlWindow = iota
	wtlProbation
	wtlProtected
)

// Caffeine's constants for the eviction policy (BoundedLocalCache), which
// otter v2 shares.
const (
	wtlJitterFrequency = 6       // a candidate this popular may be admitted at random …
	wtlJitterMask      = 127     // … once in 128 times (hash flooding defence)
	wtlTransfers       = 1000    // entries moved between segments per adaptation at most
	wtlMaxSketch       = 1 << 22 // the sketch's words at most (32 MiB), for byte capacities
	wtlDoorkeeperKeys  = 3       // the doorkeeper is sized for 3× the capacity (Caffeine's simulator)
)

// wtinylfu is Caffeine's bounded cache policy (BoundedLocalCache, which
// otter v2 ports to Go) replayed one request at a time, generalised to
// sizes. A miss enters the window, at its most recent end (at its least
// recent end if larger than the window). When the window overflows, its
// least recent objects move to probation's most recent end and become
// candidates; while the cache is over capacity, the oldest candidate duels
// probation's least recent object (then protected's, then the window's):
// the sketch's estimates decide, the victim winning ties, but a candidate
// estimated at 6 or more wins a lost duel once in 128 at random. A
// probation hit moves to protected; protected's overflow is demoted to
// probation after each request, when the climber may also move capacity
// between window and protected. The sketch counts every request once it
// exists; by default it is made when the cache is half full (sized for the
// capacity in objects, or for the cached objects when sizes vary, growing
// with them), and until then hits are not recorded at all, as in Caffeine.
type wtinylfu struct {
	store
	seg        [3]segment // capacities: the window's and protected's maxima
	sketch     freqSketch
	door       bloom // doorkeeper, if door.bits != nil
	climber    climber
	sample     climbSample
	adjustment int64 // capacity still to move into the window (<0: out of it)
	weighted   bool  // a size other than 1 was seen
	rng        rand.PCG
	admitted   uint64 // duels the candidate won
	rejected   uint64 // duels the candidate lost
}

// newWTinyLFU returns an empty W-TinyLFU cache with the options o.
func newWTinyLFU(capacity int64, o wtinylfuOptions) *wtinylfu {
	window := capacity - int64((1-o.Window)*float64(capacity))
	c := &wtinylfu{store: newStore(capacity), climber: newClimber(o.Climber, capacity)}
	c.seg[wtlWindow] = newSegment(window)
	c.seg[wtlProbation] = newSegment(capacity)
	c.seg[wtlProtected] = newSegment(int64(o.Protected * float64(capacity-window)))
	c.sketch.seed = mix64(o.Seed)
	c.rng.Seed(o.Seed, 0x77696e646f77)
	if o.Doorkeeper {
		c.door = newBloom(uint64(min(wtlDoorkeeperKeys*capacity, wtlMaxSketch)), 0.01, ^c.sketch.seed, false)
	}
	if o.Presized {
		c.sketch.ensureCapacity(uint64(min(capacity, wtlMaxSketch)))
	}
	return c
}

// Admissions reports how many candidates leaving the window won their duel
// for a place in main, and how many lost it.
func (c *wtinylfu) Admissions() (admitted, rejected uint64) { return c.admitted, c.rejected }

// Access looks r up; a hit is recorded (once the sketch exists), a miss
// enters the window, and the cache then evicts and adapts.
func (c *wtinylfu) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		if c.sketch.initialised() {
			c.record(r.Key)
			c.sample.hit(segmentOf(c.nodes, i))
			c.reorder(i)
			c.climb()
		}
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	c.weighted = c.weighted || r.Size != 1
	i := c.add(r)
	setSegment(c.nodes, i, wtlWindow)
	w := &c.seg[wtlWindow]
	if int64(r.Size) > w.capacity {
		w.pushTail(c.nodes, i)
	} else {
		w.push(c.nodes, i)
	}
	if c.used >= c.capacity/2 {
		c.sizeSketch()
	}
	c.record(r.Key)
	c.sample.misses++
	c.evictFromMain(c.evictFromWindow())
	c.climb()
	return false
}

// sizeSketch makes or grows the sketch: for the capacity, or for the cached
// objects when sizes vary (Caffeine's weighted caches).
func (c *wtinylfu) sizeSketch() {
	n := c.capacity
	if c.weighted {
		n = int64(c.Len())
	}
	if c.sketch.ensureCapacity(uint64(min(n, wtlMaxSketch))) && c.door.bits != nil {
		c.door.clear()
	}
}

// record counts key: in the doorkeeper if it is new there, else in the
// sketch. A sketch reset clears the doorkeeper.
func (c *wtinylfu) record(key uint64) {
	if c.door.bits != nil && c.sketch.initialised() && c.door.put(key) {
		return
	}
	if c.sketch.increment(key) && c.door.bits != nil {
		c.door.clear()
	}
}

// frequency is key's estimated popularity: the sketch's, plus one if the
// doorkeeper holds it, at most 15.
func (c *wtinylfu) frequency(key uint64) uint64 {
	f := c.sketch.frequency(key)
	if c.door.bits != nil && c.sketch.initialised() && c.door.has(key) {
		f = min(f+1, 15)
	}
	return f
}

// reorder moves entry i as a hit does: to the most recent end of its
// segment, or from probation into protected (whose overflow waits for
// climb).
func (c *wtinylfu) reorder(i int32) {
	s := segmentOf(c.nodes, i)
	if s == wtlProbation && int64(c.nodes[i].size) <= c.seg[wtlProtected].capacity {
		moveTo(c.seg[:], c.nodes, i, wtlProtected)
		return
	}
	c.seg[s].moveToFront(c.nodes, i)
}

// evictFromWindow moves the window's least recent objects to probation's
// most recent end while the window is over its maximum, and returns the
// first one moved (the oldest candidate), or nilIdx.
func (c *wtinylfu) evictFromWindow() int32 {
	first := nilIdx
	w := &c.seg[wtlWindow]
	for i := w.tail; w.used > w.capacity && i != nilIdx; {
		newer := c.nodes[i].prev
		if c.nodes[i].size != 0 {
			moveTo(c.seg[:], c.nodes, i, wtlProbation)
			if first == nilIdx {
				first = i
			}
		}
		i = newer
	}
	return first
}

// evictFromMain evicts until the cache fits: candidates (from cand towards
// probation's most recent end, then from the window's least recent end)
// duel victims (from probation's least recent end, then protected's, then
// the window's), as Caffeine's evictFromMain.
func (c *wtinylfu) evictFromMain(cand int32) {
	victimSeg, candSeg := int32(wtlProbation), int32(wtlProbation)
	victim := c.seg[wtlProbation].tail
	for c.used > c.capacity {
		if cand == nilIdx && candSeg == wtlProbation {
			cand, candSeg = c.seg[wtlWindow].tail, wtlWindow
		}
		switch {
		case cand == nilIdx && victim == nilIdx:
			switch victimSeg {
			case wtlProbation:
				victimSeg = wtlProtected
			case wtlProtected:
				victimSeg = wtlWindow
			default:
				return
			}
			victim = c.seg[victimSeg].tail
		case victim != nilIdx && c.nodes[victim].size == 0:
			victim = c.nodes[victim].prev
		case cand != nilIdx && c.nodes[cand].size == 0:
			cand = c.nodes[cand].prev
		case victim == nilIdx:
			cand = c.evictAndStep(cand)
		case cand == nilIdx:
			victim = c.evictAndStep(victim)
		case cand == victim:
			victim = c.nodes[victim].prev
			c.evictAndStep(cand)
			cand = nilIdx
		case c.admit(c.nodes[cand].key, c.nodes[victim].key):
			victim = c.evictAndStep(victim)
			cand = c.nodes[cand].prev
		default:
			cand = c.evictAndStep(cand)
		}
	}
}

// evictAndStep evicts entry i and returns the next more recent entry of its segment.
func (c *wtinylfu) evictAndStep(i int32) int32 {
	newer := c.nodes[i].prev
	takeSegment(c.seg[:], c.nodes, i)
	c.evict(i)
	return newer
}

// admit reports whether the candidate wins its duel with the victim.
func (c *wtinylfu) admit(cand, victim uint64) bool {
	vf, cf := c.frequency(victim), c.frequency(cand)
	ok := cf > vf || (cf >= wtlJitterFrequency && c.rng.Uint64()&wtlJitterMask == 0)
	if ok {
		c.admitted++
	} else {
		c.rejected++
	}
	return ok
}

// climb lets the climber judge a finished sample, demotes protected's
// overflow and moves capacity between window and main as the climber asks.
// Samples before the sketch exists, or while the cache is under half full,
// are discarded: the cache is not evicting, so they say nothing of the split.
func (c *wtinylfu) climb() {
	switch st := c.climbState(); {
	case !c.sketch.initialised():
		c.sample = climbSample{}
	case c.sample.requests() < c.climber.period(st):
	case c.used < c.capacity/2:
		c.sample = climbSample{}
	default:
		c.adjustment = int64(c.climber.adjust(c.sample, st))
		c.sample = climbSample{}
	}
	c.demote()
	switch {
	case c.adjustment > 0:
		c.growWindow()
	case c.adjustment < 0:
		c.shrinkWindow()
	}
}

func (c *wtinylfu) climbState() climbState {
	return climbState{maximum: c.capacity, window: c.seg[wtlWindow].capacity, protected: c.seg[wtlProtected].capacity,
		sketchLen: c.sketch.sampleSize}
}

// demote moves protected's least recent objects to probation while
// protected is over its maximum.
func (c *wtinylfu) demote() {
	p := &c.seg[wtlProtected]
	for n := 0; n < wtlTransfers && p.used > p.capacity && p.tail != nilIdx; n++ {
		moveTo(c.seg[:], c.nodes, p.tail, wtlProbation)
	}
}

// growWindow moves up to adjustment of capacity from protected to the
// window, and the least recent objects of main with it; what could not be
// moved is carried over to the next request.
func (c *wtinylfu) growWindow() {
	w, p := &c.seg[wtlWindow], &c.seg[wtlProtected]
	if p.capacity == 0 {
		return
	}
	quota := min(c.adjustment, p.capacity)
	p.capacity -= quota
	w.capacity += quota
	c.demote()
	for range wtlTransfers {
		i := c.seg[wtlProbation].tail
		if i == nilIdx || quota < int64(c.nodes[i].size) {
			i = p.tail
		}
		if i == nilIdx || quota < int64(c.nodes[i].size) {
			break
		}
		quota -= int64(c.nodes[i].size)
		moveTo(c.seg[:], c.nodes, i, wtlWindow)
	}
	p.capacity += quota
	w.capacity -= quota
	c.adjustment = quota
}

// shrinkWindow moves up to −adjustment of capacity from the window to
// protected, and the window's least recent objects to probation with it;
// what could not be moved is carried over.
func (c *wtinylfu) shrinkWindow() {
	w, p := &c.seg[wtlWindow], &c.seg[wtlProtected]
	if w.capacity <= 1 {
		return
	}
	quota := min(-c.adjustment, w.capacity-1)
	p.capacity += quota
	w.capacity -= quota
	for range wtlTransfers {
		i := w.tail
		if i == nilIdx || quota < int64(c.nodes[i].size) {
			break
		}
		quota -= int64(c.nodes[i].size)
		moveTo(c.seg[:], c.nodes, i, wtlProbation)
	}
	p.capacity -= quota
	w.capacity += quota
	c.adjustment = -quota
}

// Remove drops key's object (a delete in the trace) from its segment. The
// frequency sketch is left alone: it is an approximate popularity history,
// and Caffeine's invalidate does not touch it either.
func (c *wtinylfu) Remove(key uint64) bool { return c.removeFromSegments(key, c.seg[:]) }

// pushTail links entry i at the least recent end and counts its size.
func (g *segment) pushTail(n []entry, i int32) {
	n[i].prev, n[i].next = g.tail, nilIdx
	if g.tail != nilIdx {
		n[g.tail].next = i
	} else {
		g.head = i
	}
	g.tail = i
	g.used += int64(n[i].size)
}
