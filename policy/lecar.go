package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "lecar",
		Summary: "LeCaR (Vietri et al., HotStorage'18): evicts by LRU or LFU, chosen at random by weights that regret " +
			"learning lowers for the expert whose evicted objects are requested again from its history " +
			"(as libCacheSim's LeCaR, with its random generator)",
		Traits: Randomised,
		Params: []Param{
			FloatParam("lr", 0.45, 0, 100, "learning rate"),
			FractionParam("lru-weight", 0.5, "initial weight of the LRU expert (the LFU expert's starts at 0.5)"),
			BoolParam("update", true, "learn the weights (false keeps them fixed)"),
		},
		New: func(c Config) (Cache, error) {
			return newLeCaR(c.Capacity, lecarOptions{
				LR:        c.Values.Float("lr"),
				LRUWeight: c.Values.Float("lru-weight"),
				Update:    c.Values.Bool("update"),
				Seed:      c.Seed,
			}), nil
		},
	})
}

// lecarOptions are LeCaR's parameters, used as given (the registered
// policy's schema holds the defaults).
type lecarOptions struct {
	// LR is the learning rate.
	LR float64
	// LRUWeight is the LRU expert's initial weight.
	LRUWeight float64
	// Update learns the weights; false keeps them fixed.
	Update bool
	// Seed seeds libCacheSim's random generator (lcsRand).
	Seed uint64
}

// Where a LeCaR entry is (placeOf).
const (
	lecarCached    = iota
	lecarGhostLRU  // in the LRU expert's history
	lecarGhostLFU  // in the LFU expert's history
	lecarGhostBoth // evicted by both experts: in no history (as libCacheSim)
)

// lecar follows libCacheSim's LeCaR.c. Cached objects are in an LRU list
// (entry links) and in LFU buckets by frequency (freqBuckets, oldest
// evicted first). To make room, if the LRU and LFU victims differ, a draw r =
// (next % 100)/100 picks LRU when r < w_lru. The victim's key goes to its
// expert's history, an LRU list of at most half the capacity in bytes, with
// the request count (evictedAt); a victim both experts chose stays a ghost
// in no history. A miss on a history key multiplies that expert's weight by
// exp(−lr × dr^t), t requests after the eviction, dr = 0.005^(1/capacity),
// then renormalises (with libCacheSim's 1e-10 terms). placeOf says where
// an entry is (lecarCached, lecarGhostLRU, …).
//
// The LFU side keeps libCacheSim's notion of the lowest frequency: an
// admission resets it to 1, and when its bucket empties it moves to the
// next non-empty frequency, searched before a hit object reaches its new
// bucket, so for a while that object can sit below it.
type lecar struct {
	store
	lru        list       // cached objects, most recent at the head
	hist       [2]segment // the LRU and LFU experts' histories (segment.capacity: half the cache)
	lfu        freqBuckets
	minFreq    int64 // libCacheSim's min_freq
	maxFreq    int64
	wLRU, wLFU float64
	lr, dr     float64
	logDR      dd // log(dr), for powLogCR
	update     bool
	rng        lcsRand
	n          int64 // requests so far
}

// newLeCaR returns an empty LeCaR cache with the options o.
func newLeCaR(capacity int64, o lecarOptions) *lecar {
	c := &lecar{
		store:   newStore(capacity),
		lru:     newList(),
		lfu:     newFreqBuckets(),
		wLRU:    o.LRUWeight,
		wLFU:    0.5,
		lr:      o.LR,
		dr:      powCR(0.005, 1/float64(capacity)),
		update:  o.Update,
		rng:     newLCSRand(o.Seed),
		minFreq: 1,
		maxFreq: 1,
	}
	c.logDR = logDD(c.dr)
	for i := range c.hist {
		c.hist[i] = newSegment(capacity / 2)
	}
	return c
}

// Access looks r up: a hit refreshes the object in both experts; a miss on
// a history key updates the weights; a miss is admitted with frequency 1.
func (c *lecar) Access(r *trace.Request) bool {
	c.n++
	if i, ok := c.lookup(r); ok {
		if c.placeOf(i) == lecarCached {
			c.hit(i)
			return true
		}
		c.ghostHit(i)
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		c.evictOne()
	}
	i := c.add(r)
	c.setPlace(i, lecarCached)
	c.lfu.grow(i)
	c.lru.pushFront(c.nodes, i)
	c.minFreq = 1
	c.lfu.push(i, c.lfu.after(nilIdx, 1))
	return false
}

// placeOf returns where entry i is (lecarCached, lecarGhostLRU, …), kept
// in its word32.
func (c *lecar) placeOf(i int32) int32 { return c.nodes[i].word32 }

// setPlace records where entry i is.
func (c *lecar) setPlace(i, h int32) { c.nodes[i].word32 = h }

// evictedAt returns the request count when ghost entry i was evicted,
// kept in its word64.
func (c *lecar) evictedAt(i int32) int64 { return c.nodes[i].word64 }

// setEvictedAt records that entry i was evicted at the current request.
func (c *lecar) setEvictedAt(i int32) { c.nodes[i].word64 = c.n }

// hit moves entry i to the head of the LRU list and to the next frequency.
func (c *lecar) hit(i int32) {
	c.lru.moveToFront(c.nodes, i)
	old := c.unlink(i)
	f := c.lfu.freq(old) + 1
	c.maxFreq = max(c.maxFreq, f)
	c.lfu.push(i, c.lfu.after(old, f))
	c.lfu.release(old)
	if c.Len() == 1 {
		c.minFreq = c.freqAbove(c.minFreq)
	}
	c.minFreq = min(c.minFreq, f)
}

// ghostHit forgets the history entry i after a miss on it, first lowering
// the weight of the expert that evicted it.
func (c *lecar) ghostHit(i int32) {
	if h := c.placeOf(i); h != lecarGhostBoth {
		t := float64(c.n - c.evictedAt(i))
		if h == lecarGhostLRU {
			c.learn(t, &c.wLRU, &c.wLFU)
		} else {
			c.learn(t, &c.wLFU, &c.wLRU)
		}
		c.hist[h-lecarGhostLRU].take(c.nodes, i)
	}
	c.forget(i)
}

// learn lowers the weight w of an expert that erred t requests ago, as
// libCacheSim's update_weight.
func (c *lecar) learn(t float64, w, other *float64) {
	if !c.update {
		return
	}
	r := powLogCR(c.logDR, t, c.dr)
	*w = float64(*w*expCR(-c.lr*r)) + 1e-10
	s := *w + *other + 2e-10
	*w /= s
	*other = (*other + 1e-10) / s
}

// evictOne evicts the LRU or the LFU victim into its expert's history.
func (c *lecar) evictOne() {
	lruV, lfuV := c.lru.tail, c.lfuVictim()
	v, h := lruV, int32(lecarGhostBoth)
	if lruV != lfuV {
		if r := float64(c.rng.next()%100) / 100; r < c.wLRU {
			h = lecarGhostLRU
		} else {
			v, h = lfuV, lecarGhostLFU
		}
	}
	c.lru.remove(c.nodes, v)
	c.lfu.release(c.unlink(v))
	c.toGhost(v)
	c.setPlace(v, h)
	c.setEvictedAt(v)
	if h == lecarGhostBoth {
		return
	}
	g := &c.hist[h-lecarGhostLRU]
	g.push(c.nodes, v)
	for g.over() {
		u := g.tail
		g.take(c.nodes, u)
		c.forget(u)
	}
}

// lfuVictim returns the oldest object of the bucket of libCacheSim's lowest
// frequency (of the lowest bucket, where libCacheSim would have none).
func (c *lecar) lfuVictim() int32 {
	b, ok := c.lfu.find(c.minFreq)
	if !ok {
		b = c.lfu.lowest
	}
	return c.lfu.buckets[b].items.tail
}

// unlink takes cached entry i out of its bucket, moving the lowest
// frequency on if that empties its bucket, and returns the bucket (which
// stays until released).
func (c *lecar) unlink(i int32) int32 {
	b := c.lfu.take(i)
	if bk := &c.lfu.buckets[b]; bk.n == 0 && bk.freq == c.minFreq && bk.next != nilIdx {
		c.minFreq = c.lfu.freq(bk.next)
	}
	return b
}

// freqAbove returns the smallest frequency above f that has objects, or f.
func (c *lecar) freqAbove(f int64) int64 {
	for b := c.lfu.lowest; b != nilIdx; b = c.lfu.buckets[b].next {
		if c.lfu.freq(b) > f && c.lfu.buckets[b].n > 0 {
			return c.lfu.freq(b)
		}
	}
	return f
}

// Remove drops key's object (a delete in the trace), or forgets its
// history entry: its return is a new object and does not move the weights.
func (c *lecar) Remove(key uint64) bool {
	return c.removeOrForget(key,
		func(i int32) bool { return c.placeOf(i) != lecarCached },
		func(i int32) {
			switch h := c.placeOf(i); h {
			case lecarCached:
				c.lru.remove(c.nodes, i)
				c.lfu.release(c.unlink(i))
			case lecarGhostLRU, lecarGhostLFU:
				c.hist[h-lecarGhostLRU].take(c.nodes, i)
			}
		})
}
