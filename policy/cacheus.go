package policy

import (
	"math"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	Register(Info{
		Name: "cacheus",
		Summary: "Cacheus (Rodriguez et al., FAST'21): SR-LRU and CR-LFU experts over the same objects, one chosen at " +
			"random by weights that a miss on an expert's eviction history lowers, with an adapting learning rate " +
			"(as libCacheSim's Cacheus, with its random generator)",
		Traits: Randomised,
		Params: []Param{
			FloatParam("lr", 0, 0, 10, "initial learning rate; 0 draws it as libCacheSim does, 0.001 + (draw mod 1000)/1000"),
		},
		New: func(c Config) (Cache, error) {
			return newCacheus(c.Capacity, c.Values.Float("lr"), c.Seed), nil
		},
	})
}

// cacheus follows libCacheSim's Cacheus.c, whose experts are its SR_LRU
// (the embedded srlru: R, SR and history H) and CR_LFU (freqBuckets over
// the same entries; the least frequent, newest first). An object returning
// from H is admitted to the LFU with its frequency when it left plus one
// (libCacheSim keeps it on the H entry; here freq keeps it by entry), and
// an object SR-LRU trims from SR into H leaves the LFU too.
//
// To make room, one draw r = (next % 100)/100 is made per eviction; unless
// both experts pick the same victim, r < w_lru evicts SR-LRU's victim and
// remembers it in the LRU expert's history, else CR-LFU's victim into the
// LFU expert's history (LRU lists of half the capacity; ghostFIFO, since
// no key is remembered twice). Either way the victim goes to H. On a miss,
// a key in one of the histories multiplies that expert's weight by
// exp(−lr), the weights are renormalised, and the key leaves both
// histories. Every capacity-many requests the learning rate moves by
// lr × its last change, up if the hit rate moved the same way, else down
// (to 0.0001 at the least); libCacheSim computes the hit rate as an integer
// division of the hits by the interval, so it is 0 unless every request
// hit. Once the rate has stood still for ten intervals, the next interval
// that improves draws it anew.
type cacheus struct {
	srlru
	lfu         freqBuckets
	freq        []int64 // LFU frequency, by entry index (kept while in H)
	hist        [2]ghostFIFO
	wLRU, wLFU  float64
	lr, lrPrev  float64
	decay       float64 // e^−lr
	hitRatePrev float64
	unlearn     int
	hits        int64 // hits in the current interval
	interval    int64
	rng         lcsRand
	n           int64 // requests so far
}

// The experts' histories, in cacheus.hist.
const (
	cacheusLRU = iota
	cacheusLFU
)

// newCacheus returns an empty Cacheus cache with initial learning rate lr
// (0: drawn as libCacheSim does), drawing from libCacheSim's generator
// seeded by seed; as libCacheSim's simulator, the generator is seeded
// again after that draw.
func newCacheus(capacity int64, lr float64, seed uint64) *cacheus {
	if lr == 0 {
		init := newLCSRand(seed)
		lr = 0.001 + float64(init.next()%1000)/1000
	}
	c := &cacheus{
		srlru:    makeSRLRU(capacity),
		lfu:      newFreqBuckets(),
		wLRU:     0.5,
		wLFU:     0.5,
		lr:       lr,
		interval: max(capacity, 1),
		rng:      newLCSRand(seed),
	}
	for k := range c.hist {
		c.hist[k] = newGhostFIFO(int64(float64(capacity) / 2))
	}
	c.decay = expCR(-lr)
	c.leaving = c.leaveLFU
	return c
}

// Access looks r up in both experts; a miss learns from the histories,
// makes room and is admitted to both. The learning rate adapts after.
func (c *cacheus) Access(r *trace.Request) bool {
	c.n++
	hit := c.access(r)
	c.adaptRate()
	return hit
}

func (c *cacheus) access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok && !c.inH(i) {
		c.hit(i)
		c.lfuHit(i)
		c.hits++
		return true
	}
	c.learn(r)
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		c.evictOne()
	}
	h, inH := c.lookup(r)
	if !c.canAdmit(r.Size, inH) {
		return false
	}
	f := int64(1)
	if inH {
		f = c.freq[h] + 1
	}
	i := c.admit(r, h, inH)
	for int(i) >= len(c.freq) {
		c.freq = append(c.freq, 0)
	}
	c.freq[i] = f
	c.lfu.grow(i)
	c.lfu.push(i, c.lfu.at(f))
	return false
}

// lfuHit moves cached entry i to the next frequency's bucket.
func (c *cacheus) lfuHit(i int32) {
	c.freq[i]++
	old := c.lfu.take(i)
	c.lfu.push(i, c.lfu.after(old, c.freq[i]))
	c.lfu.release(old)
}

// leaveLFU takes entry i out of the LFU, keeping its frequency.
func (c *cacheus) leaveLFU(i int32) { c.lfu.release(c.lfu.take(i)) }

// learn lowers the weight of the expert whose history holds r's key, then
// renormalises, and forgets the key in both histories.
func (c *cacheus) learn(r *trace.Request) {
	if _, ok := c.hist[cacheusLRU].s.lookup(r); ok {
		c.wLRU = float64(c.wLRU * c.decay)
	} else if _, ok := c.hist[cacheusLFU].s.lookup(r); ok {
		c.wLFU = float64(c.wLFU * c.decay)
	}
	c.wLRU /= c.wLRU + c.wLFU
	c.wLFU = 1 - c.wLRU
	c.hist[cacheusLRU].forget(r.Key, r.Ref)
	c.hist[cacheusLFU].forget(r.Key, r.Ref)
}

// evictOne evicts one expert's victim into H, remembering it in that
// expert's history unless both chose it.
func (c *cacheus) evictOne() {
	lruV := c.victim()
	lfuV := c.lfu.buckets[c.lfu.lowest].items.head
	v, expert := lruV, -1
	if r := float64(c.rng.next()%100) / 100; lruV != lfuV {
		if r < c.wLRU {
			expert = cacheusLRU
		} else {
			v, expert = lfuV, cacheusLFU
		}
	}
	key, ref, size := c.nodes[v].key, c.refOf(v), c.nodes[v].size
	c.leaveLFU(v)
	c.toHistory(v)
	c.trimH()
	if expert >= 0 {
		c.hist[expert].remember(key, ref, size)
	}
}

// adaptRate adapts the learning rate at the end of each interval, as
// libCacheSim's update_lr.
func (c *cacheus) adaptRate() {
	if c.n%c.interval != 0 {
		return
	}
	rate := float64(uint64(c.hits) / uint64(c.interval))
	dRate, dLR := rate-c.hitRatePrev, c.lr-c.lrPrev
	c.lrPrev, c.hitRatePrev = c.lr, rate
	switch {
	case dLR != 0:
		sign := -1.0
		if dRate/dLR > 0 {
			sign = 1
		}
		if next := c.lr + sign*math.Abs(c.lr*dLR); next > 0.001 {
			c.lr = next
		} else {
			c.lr = 0.0001
		}
		c.unlearn = 0
	case rate == 0 || dRate <= 0:
		c.unlearn++
	case c.unlearn >= 10:
		c.unlearn = 0
		c.lr = 0.001 + float64(c.rng.next()%1000)/1000
	}
	c.hits = 0
	c.decay = expCR(-c.lr)
}

// Remove drops key's object (a delete in the trace) from both experts, or
// forgets it in H and both histories: its return is a new object.
func (c *cacheus) Remove(key uint64) bool {
	if i, ok := c.lookupKey(key); ok && !c.inH(i) {
		c.leaveLFU(i)
	}
	c.hist[cacheusLRU].forget(key, 0)
	c.hist[cacheusLFU].forget(key, 0)
	return c.srlru.Remove(key)
}

// useRefs numbers both histories' keys too (see numberer).
func (c *cacheus) useRefs(k *trace.KeyRefs) {
	c.store.useRefs(k)
	for e := range c.hist {
		c.hist[e].s.useRefs(k)
	}
}
