package policy

import "github.com/cachesim/cachesim/traces"

func init() {
	Register(Info{
		Name: "wtinylfu",
		Summary: "W-TinyLFU (Einziger et al., ToS'17; Caffeine): a small LRU window in front of a segmented LRU main " +
			"(probation/protected); an object leaving the window enters main only if a count-min sketch with periodic " +
			"halving estimates it more popular than main's eviction victim",
		Params: []Param{
			FractionParam("window", 0.01, "share of the capacity for the window LRU"),
			FractionParam("protected", 0.8, "share of main for the protected segment"),
		},
		New: func(c Config) (Cache, error) {
			return NewWTinyLFU(c.Capacity, WTinyLFUOptions{
				Window:    c.Values.Float("window"),
				Protected: c.Values.Float("protected"),
			}), nil
		},
	})
}

// WTinyLFUOptions are W-TinyLFU's parameters, used as given (the registered
// policy's schema holds the defaults: New(Spec{Name: "wtinylfu"}, …)).
type WTinyLFUOptions struct {
	// Window is the window LRU's share of the capacity.
	Window float64
	// Protected is the protected segment's share of main.
	Protected float64
}

// W-TinyLFU segments, in entry.aux.
const (
	wtlWindow = iota
	wtlProbation
	wtlProtected
)

// WTinyLFU is Caffeine simulator's WindowTinyLfuPolicy with its TinyLFU
// admittor, generalised to sizes: every request is counted in the sketch;
// misses enter the window; when the window overflows its least recent
// object becomes a candidate for probation, and while the cache is over
// capacity the candidate and probation's least recent object (protected's
// when probation is empty) duel: the one the sketch counts more often stays,
// ties to the incumbent. A probation hit moves to protected, whose overflow
// is demoted back to probation. The sketch is sized for capacity objects
// (capped at 4M counters a row, so a byte capacity counts bytes as objects
// up to that cap) and halves after ten times as many increments.
type WTinyLFU struct {
	store
	seg    [3]segment
	sketch cmSketch
}

// NewWTinyLFU returns an empty W-TinyLFU cache with the options o.
func NewWTinyLFU(capacity int64, o WTinyLFUOptions) *WTinyLFU {
	main := int64(float64(capacity) * (1 - o.Window))
	c := &WTinyLFU{store: newStore(capacity), sketch: newCMSketch(int(min(capacity, 1<<22)))}
	c.seg[wtlWindow] = newSegment(max(capacity-main, 1))
	c.seg[wtlProbation] = newSegment(main)
	c.seg[wtlProtected] = newSegment(int64(float64(main) * o.Protected))
	return c
}

// Access counts r in the sketch and looks it up; a miss enters the window.
func (c *WTinyLFU) Access(r *traces.Request) bool {
	c.sketch.increment(r.Key)
	if i, ok := c.lookup(r.Key); ok {
		switch c.nodes[i].aux {
		case wtlProbation:
			moveTo(c.seg[:], c.nodes, i, wtlProtected)
			for c.seg[wtlProtected].over() {
				moveTo(c.seg[:], c.nodes, c.seg[wtlProtected].tail, wtlProbation)
			}
		default:
			c.seg[c.nodes[i].aux].moveToFront(c.nodes, i)
		}
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	i := c.add(r.Key, r.Size)
	c.nodes[i].aux = wtlWindow
	c.seg[wtlWindow].push(c.nodes, i)
	for c.seg[wtlWindow].over() && c.seg[wtlWindow].tail != i {
		cand := c.seg[wtlWindow].tail
		moveTo(c.seg[:], c.nodes, cand, wtlProbation)
		c.admit(cand)
	}
	for c.used > c.capacity {
		c.evictFrom(c.victimSegment())
	}
	return false
}

// admit settles the duel between candidate and main's victims until the
// cache fits or the candidate loses.
func (c *WTinyLFU) admit(cand int32) {
	for c.used > c.capacity {
		v := c.seg[c.victimSegment()].tail
		if v == cand || c.sketch.estimate(c.nodes[cand].key) <= c.sketch.estimate(c.nodes[v].key) {
			c.seg[wtlProbation].take(c.nodes, cand)
			c.evict(cand)
			return
		}
		c.evictFrom(c.nodes[v].aux)
	}
}

// victimSegment is the segment eviction takes from: probation, else protected, else window.
func (c *WTinyLFU) victimSegment() int32 {
	switch {
	case !c.seg[wtlProbation].empty():
		return wtlProbation
	case !c.seg[wtlProtected].empty():
		return wtlProtected
	}
	return wtlWindow
}

func (c *WTinyLFU) evictFrom(s int32) {
	v := c.seg[s].tail
	c.seg[s].take(c.nodes, v)
	c.evict(v)
}

// Remove drops key's object (a delete in the trace) from its segment. The
// frequency sketch is left alone: it is an approximate popularity history,
// and Caffeine's invalidate does not touch it either.
func (c *WTinyLFU) Remove(key uint64) bool { return c.removeFromSegments(key, c.seg[:]) }
