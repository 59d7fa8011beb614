package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "sr-lru",
		Summary: "scan-resistant LRU (Rodriguez et al., FAST'21, from Cacheus): new objects enter an LRU list SR, " +
			"objects hit there or returning from SR's eviction history H move to an LRU list R, whose overflow is " +
			"demoted back to SR; a new object's return from H grows SR (as libCacheSim's SR_LRU)",
		New: func(c Config) (Cache, error) { return newSRLRU(c.Capacity), nil },
	})
}

// SR-LRU's lists: indices into srlru.l, and each entry's segment
// (segmentOf).
const (
	srlruR  = iota // the recency list of objects seen at least twice
	srlruSR        // the scan-resistant list of new and demoted objects
	srlruH         // history: keys evicted from SR (ghosts)
)

// SR-LRU flags, kept in each entry's word64 (flagsOf).
const (
	srlruNew     = 1 // entered SR on a miss outside H (and, in H, left SR so)
	srlruDemoted = 2 // demoted from R to SR
)

// srlru follows libCacheSim's SR_LRU.c. R and SR are LRU lists that start
// at half the capacity each; H is an LRU history of the keys evicted from
// SR, as large as the cache (trimmed while it holds at least the
// capacity). A hit in R refreshes the object; a hit in SR moves it to R's
// head, and while R is over its size its least recent objects move to SR's
// head, marked demoted. A miss whose key is in H enters R (demoting R's
// tail until it fits); any other miss enters SR, marked new. Then SR's
// least recent objects are evicted into H while SR is over its size. After
// a hit SR may stay over its size until the next miss: R and SR together
// never exceed the capacity.
//
// The boundary moves as in libCacheSim: when a key that left SR as a new
// object returns from H, SR grows by max(1, ⌊demoted/new⌋ + 0.5) bytes
// (counts of demoted objects in the cache and of new objects sent to H),
// to at most the bytes cached minus one, and R gets the rest. libCacheSim
// also meant an SR hit on a demoted object to shrink SR, but it reads that
// flag from the copy it has just made in R, which never has it, so SR never
// shrinks; neither does it here. A miss larger than the list it would
// enter is not admitted. Ghosts share the key index (store.toGhost).
type srlru struct {
	store
	l        [3]segment    // R, SR, H
	nNew     int64         // new objects evicted into H
	nDemoted int64         // demoted objects in SR (libCacheSim's count: hits in SR do not lower it)
	leaving  func(i int32) // if set, told of each object trimSR evicts into H (Cacheus)
}

// newSRLRU returns an empty SR-LRU cache of the given capacity.
func newSRLRU(capacity int64) *srlru {
	c := makeSRLRU(capacity)
	return &c
}

// makeSRLRU returns an empty SR-LRU cache by value, for cacheus to embed.
func makeSRLRU(capacity int64) srlru {
	c := srlru{store: newStore(capacity)}
	c.l[srlruR] = newSegment(capacity / 2)
	c.l[srlruSR] = newSegment(capacity / 2)
	c.l[srlruH] = newSegment(capacity)
	return c
}

// Access looks r up; see srlru for what a hit and a miss do.
func (c *srlru) Access(r *trace.Request) bool {
	i, ok := c.lookup(r)
	if ok && !c.inH(i) {
		c.hit(i)
		return true
	}
	if c.canAdmit(r.Size, ok) {
		c.admit(r, i, ok)
	}
	return false
}

// hit refreshes cached entry i: at R's head, moving it there from SR.
func (c *srlru) hit(i int32) {
	if segmentOf(c.nodes, i) == srlruR {
		c.l[srlruR].moveToFront(c.nodes, i)
		return
	}
	c.setFlags(i, 0)
	moveTo(c.l[:], c.nodes, i, srlruR)
	c.demote(0)
}

// canAdmit reports whether a miss of this size fits the list it would
// enter: R for a key in H (inH), else SR.
func (c *srlru) canAdmit(size uint32, inH bool) bool {
	if inH {
		return int64(size) <= c.l[srlruR].capacity
	}
	return int64(size) <= c.l[srlruSR].capacity
}

// admit inserts r's object, which canAdmit accepted: from H (its ghost
// entry h when inH) into R, else into SR marked new; then trims SR. It
// returns the new entry.
func (c *srlru) admit(r *trace.Request, h int32, inH bool) int32 {
	var i int32
	if inH {
		wasNew := c.flagsOf(h)&srlruNew != 0
		c.l[srlruH].take(c.nodes, h)
		c.forget(h)
		c.demote(int64(r.Size))
		i = c.insert(r, srlruR, 0)
		if wasNew {
			c.growSR()
		}
	} else {
		i = c.insert(r, srlruSR, srlruNew)
	}
	c.trimSR()
	return i
}

// insert admits r's object at the head of list l with the given flags.
func (c *srlru) insert(r *trace.Request, l int32, flags int64) int32 {
	i := c.add(r)
	c.setFlags(i, flags)
	pushTo(c.l[:], c.nodes, i, l)
	return i
}

// inH reports whether entry i is in H, a ghost.
func (c *srlru) inH(i int32) bool { return segmentOf(c.nodes, i) == srlruH }

// flagsOf returns entry i's flags (srlruNew, srlruDemoted).
func (c *srlru) flagsOf(i int32) int64 { return c.nodes[i].word64 }

// setFlags sets entry i's flags.
func (c *srlru) setFlags(i int32, f int64) { c.nodes[i].word64 = f }

// demote moves R's least recent objects to SR's head until R has room for
// size more bytes.
func (c *srlru) demote(size int64) {
	for c.l[srlruR].used+size > c.l[srlruR].capacity {
		c.demoteOne()
	}
}

// demoteOne moves R's least recent object to SR's head, marked demoted.
func (c *srlru) demoteOne() {
	v := c.l[srlruR].tail
	moveTo(c.l[:], c.nodes, v, srlruSR)
	c.setFlags(v, srlruDemoted)
	c.nDemoted++
}

// growSR moves the boundary towards R after a new object came back from H.
func (c *srlru) growSR() {
	delta := 1.0
	if d := float64(c.nDemoted/c.nNew) + 0.5; d > 1 {
		delta = d
	}
	sr := &c.l[srlruSR]
	if limit := c.used - 1; float64(sr.capacity)+delta > float64(limit) {
		sr.capacity = limit
	} else {
		sr.capacity = int64(float64(sr.capacity) + delta)
	}
	c.l[srlruR].capacity = c.capacity - sr.capacity
}

// victim returns the object SR-LRU evicts first: SR's least recent, or R's
// when SR is empty.
func (c *srlru) victim() int32 {
	if c.l[srlruSR].empty() {
		return c.l[srlruR].tail
	}
	return c.l[srlruSR].tail
}

// toHistory evicts cached entry i into H's head, keeping its new flag.
func (c *srlru) toHistory(i int32) {
	f := c.flagsOf(i)
	if f&srlruDemoted != 0 {
		c.nDemoted--
	}
	c.setFlags(i, f&srlruNew)
	if f&srlruNew != 0 {
		c.nNew++
	}
	moveTo(c.l[:], c.nodes, i, srlruH)
	c.toGhost(i)
}

// trimSR evicts SR's least recent objects into H while SR is over its
// size, or while the cache is over its capacity, which libCacheSim allows
// by a few bytes after SR grew (R keeps what it holds until its next
// demotion), telling leaving of each; then trims H.
func (c *srlru) trimSR() {
	sr := &c.l[srlruSR]
	for sr.over() || c.used > c.capacity {
		if sr.empty() {
			c.demoteOne()
		}
		v := sr.tail
		c.toHistory(v)
		if c.leaving != nil {
			c.leaving(v)
		}
	}
	c.trimH()
}

// trimH forgets H's oldest keys while H holds the capacity or more.
func (c *srlru) trimH() {
	h := &c.l[srlruH]
	for h.used >= h.capacity && !h.empty() {
		v := h.tail
		h.take(c.nodes, v)
		c.forget(v)
	}
}

// Remove drops key's object (a delete in the trace), or forgets its key in
// H: a deleted object's return is a new object, not a return from H.
func (c *srlru) Remove(key uint64) bool {
	return c.removeOrForget(key,
		c.inH,
		func(i int32) {
			if segmentOf(c.nodes, i) == srlruSR && c.flagsOf(i)&srlruDemoted != 0 {
				c.nDemoted--
			}
			takeSegment(c.l[:], c.nodes, i)
		})
}
