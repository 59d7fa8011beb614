package policy

import (
	"math"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/keymap"
)

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
			return NewLeCaR(c.Capacity, LeCaROptions{
				LR:        c.Values.Float("lr"),
				LRUWeight: c.Values.Float("lru-weight"),
				Update:    c.Values.Bool("update"),
				Seed:      c.Seed,
			}), nil
		},
	})
}

// LeCaROptions are LeCaR's parameters, used as given (the registered
// policy's schema holds the defaults).
type LeCaROptions struct {
	// LR is the learning rate.
	LR float64
	// LRUWeight is the LRU expert's initial weight.
	LRUWeight float64
	// Update learns the weights; false keeps them fixed.
	Update bool
	// Seed seeds libCacheSim's random generator (lcsRand).
	Seed uint64
}

// Where a LeCaR entry is, in entry.aux: a bucket index (>= 0) when cached,
// else one of these.
const (
	lecarGhostLRU  = -1 - iota // in the LRU expert's history
	lecarGhostLFU              // in the LFU expert's history
	lecarGhostBoth             // evicted by both experts: in no history (as libCacheSim)
)

// LeCaR follows libCacheSim's LeCaR.c. Cached objects are in an LRU list
// (entry links) and in LFU buckets by frequency (sideLinks, oldest evicted
// first). To make room, if the LRU and LFU victims differ, a draw r =
// (next % 100)/100 picks LRU when r < w_lru. The victim's key goes to its
// expert's history, an LRU list of at most half the capacity in bytes, with
// the request count (entry.when); a victim both experts chose stays a ghost
// in no history. A miss on a history key multiplies that expert's weight by
// exp(−lr × dr^t), t requests after the eviction, dr = 0.005^(1/capacity),
// then renormalises (with libCacheSim's 1e-10 terms). For cached objects
// entry.when is the frequency.
//
// The LFU side keeps libCacheSim's notion of the lowest frequency: an
// admission resets it to 1, and when its bucket empties it moves to the
// next non-empty frequency, searched before a hit object reaches its new
// bucket, so for a while that object can sit below it.
type LeCaR struct {
	store
	lru        list       // cached objects, most recent at the head
	hist       [2]segment // the LRU and LFU experts' histories (segment.capacity: half the cache)
	lfu        sideLinks
	buckets    []lecarBucket
	freeB      []int32
	byFreq     keymap.Map // frequency → bucket
	lowest     int32      // the bucket of the smallest frequency (sorted list of buckets)
	minFreq    int64      // libCacheSim's min_freq
	maxFreq    int64
	wLRU, wLFU float64
	lr, dr     float64
	update     bool
	rng        lcsRand
	n          int64 // requests so far
}

// lecarBucket holds the cached objects of one frequency, oldest at the tail.
type lecarBucket struct {
	freq       int64
	items      sideList
	n          int32
	prev, next int32 // neighbouring buckets, by frequency
}

// NewLeCaR returns an empty LeCaR cache with the options o.
func NewLeCaR(capacity int64, o LeCaROptions) *LeCaR {
	c := &LeCaR{
		store:  newStore(capacity),
		lru:    newList(),
		byFreq: keymap.New(),
		lowest: nilIdx,
		wLRU:   o.LRUWeight, wLFU: 0.5,
		lr: o.LR, dr: math.Pow(0.005, 1/float64(capacity)),
		update:  o.Update,
		rng:     newLCSRand(o.Seed),
		minFreq: 1, maxFreq: 1,
	}
	for i := range c.hist {
		c.hist[i] = newSegment(capacity / 2)
	}
	return c
}

// Access looks r up: a hit refreshes the object in both experts; a miss on
// a history key updates the weights; a miss is admitted with frequency 1.
func (c *LeCaR) Access(r *traces.Request) bool {
	c.n++
	if i, ok := c.lookup(r.Key); ok {
		if c.nodes[i].aux >= 0 {
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
	i := c.add(r.Key, r.Size)
	c.lfu.grow(i)
	c.lru.pushFront(c.nodes, i)
	c.minFreq = 1
	c.link(i, c.bucketAfter(nilIdx, 1))
	return false
}

// hit moves entry i to the head of the LRU list and to the next frequency.
func (c *LeCaR) hit(i int32) {
	c.lru.moveToFront(c.nodes, i)
	old := c.nodes[i].aux
	c.unlink(i)
	f := c.buckets[old].freq + 1
	c.maxFreq = max(c.maxFreq, f)
	c.link(i, c.bucketAfter(old, f))
	c.release(old)
	if c.Len() == 1 {
		c.minFreq = c.freqAbove(c.minFreq)
	}
	c.minFreq = min(c.minFreq, f)
}

// ghostHit forgets the history entry i after a miss on it, first lowering
// the weight of the expert that evicted it.
func (c *LeCaR) ghostHit(i int32) {
	if h := c.nodes[i].aux; h != lecarGhostBoth {
		t := float64(c.n - c.nodes[i].when)
		if h == lecarGhostLRU {
			c.learn(t, &c.wLRU, &c.wLFU)
		} else {
			c.learn(t, &c.wLFU, &c.wLRU)
		}
		c.hist[lecarGhostLRU-h].take(c.nodes, i)
	}
	c.forget(i)
}

// learn lowers the weight w of an expert that erred t requests ago, as
// libCacheSim's update_weight.
func (c *LeCaR) learn(t float64, w, other *float64) {
	if !c.update {
		return
	}
	r := math.Pow(c.dr, t)
	*w = float64(*w*math.Exp(-c.lr*r)) + 1e-10
	s := *w + *other + 2e-10
	*w /= s
	*other = (*other + 1e-10) / s
}

// evictOne evicts the LRU or the LFU victim into its expert's history.
func (c *LeCaR) evictOne() {
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
	b := c.nodes[v].aux
	c.unlink(v)
	c.release(b)
	c.toGhost(v)
	c.nodes[v].aux, c.nodes[v].when = h, c.n
	if h == lecarGhostBoth {
		return
	}
	g := &c.hist[lecarGhostLRU-h]
	g.push(c.nodes, v)
	for g.over() {
		u := g.tail
		g.take(c.nodes, u)
		c.forget(u)
	}
}

// lfuVictim returns the oldest object of the bucket of libCacheSim's lowest
// frequency (of the lowest bucket, where libCacheSim would have none).
func (c *LeCaR) lfuVictim() int32 {
	b, ok := c.byFreq.Get(uint64(c.minFreq))
	if !ok {
		b = c.lowest
	}
	return c.buckets[b].items.tail
}

// link puts cached entry i at the head of bucket b.
func (c *LeCaR) link(i, b int32) {
	c.nodes[i].aux = b
	c.buckets[b].items.pushFront(&c.lfu, i)
	c.buckets[b].n++
}

// unlink takes cached entry i out of its bucket, moving the lowest
// frequency on if that empties its bucket (the bucket itself stays until
// release).
func (c *LeCaR) unlink(i int32) {
	b := c.nodes[i].aux
	bk := &c.buckets[b]
	bk.items.remove(&c.lfu, i)
	bk.n--
	if bk.n == 0 && bk.freq == c.minFreq {
		if nb := bk.next; nb != nilIdx {
			c.minFreq = c.buckets[nb].freq
		}
	}
}

// freqAbove returns the smallest frequency above f that has objects, or f.
func (c *LeCaR) freqAbove(f int64) int64 {
	for b := c.lowest; b != nilIdx; b = c.buckets[b].next {
		if c.buckets[b].freq > f && c.buckets[b].n > 0 {
			return c.buckets[b].freq
		}
	}
	return f
}

// bucketAfter returns the bucket of frequency f, creating it after bucket
// prev (nilIdx: at the front) if there is none; f must be above prev's.
func (c *LeCaR) bucketAfter(prev int32, f int64) int32 {
	next := c.lowest
	if prev != nilIdx {
		next = c.buckets[prev].next
	}
	if next != nilIdx && c.buckets[next].freq == f {
		return next
	}
	var b int32
	if n := len(c.freeB); n > 0 {
		b = c.freeB[n-1]
		c.freeB = c.freeB[:n-1]
	} else {
		b = int32(len(c.buckets))
		c.buckets = append(c.buckets, lecarBucket{})
	}
	c.buckets[b] = lecarBucket{freq: f, items: newSideList(), prev: prev, next: next}
	if prev != nilIdx {
		c.buckets[prev].next = b
	} else {
		c.lowest = b
	}
	if next != nilIdx {
		c.buckets[next].prev = b
	}
	c.byFreq.Put(uint64(f), b)
	return b
}

// release frees bucket b if it is empty.
func (c *LeCaR) release(b int32) {
	bk := &c.buckets[b]
	if bk.n > 0 {
		return
	}
	if bk.prev != nilIdx {
		c.buckets[bk.prev].next = bk.next
	} else {
		c.lowest = bk.next
	}
	if bk.next != nilIdx {
		c.buckets[bk.next].prev = bk.prev
	}
	c.byFreq.Del(uint64(bk.freq))
	c.freeB = append(c.freeB, b)
}

// Remove drops key's object (a delete in the trace), or forgets its
// history entry: its return is a new object and does not move the weights.
func (c *LeCaR) Remove(key uint64) bool {
	return c.removeOrForget(key,
		func(i int32) bool { return c.nodes[i].aux < 0 },
		func(i int32) {
			switch h := c.nodes[i].aux; {
			case h >= 0:
				c.lru.remove(c.nodes, i)
				c.unlink(i)
				c.release(h)
			case h != lecarGhostBoth:
				c.hist[lecarGhostLRU-h].take(c.nodes, i)
			}
		})
}
