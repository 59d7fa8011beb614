package policy

import (
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/keymap"
)

func init() {
	Register(Info{
		Name: "lfuda",
		Summary: "LFU with dynamic aging (Arlitt et al., 2000): an object's priority starts at the cache age L + 1 and a " +
			"hit adds L, where L is the priority of the last eviction; evicts the lowest priority, oldest first " +
			"(as libCacheSim's LFUDA)",
		New: func(c Config) (Cache, error) { return NewLFUDA(c.Capacity), nil },
	})
}

// LFUDA follows libCacheSim's LFUDA.c. Objects sit in per-priority buckets
// (FIFO, newest at the head); the cache age L is the priority of the bucket
// the last eviction took from. An admitted object gets priority L+1 and a
// hit adds L to it (libCacheSim adds the age, not 1, on a hit; before the
// first eviction L is 0, so hits only refresh the object's place in its
// bucket). Eviction takes the oldest object of bucket L (of bucket 1 while
// L < 1). When bucket L empties, L moves up to the next non-empty priority
// up to the highest priority a hit has produced, searched at that moment:
// on a hit the moving object is not yet in its new bucket, as in
// libCacheSim, which can leave it below L, where it is never evicted.
// entry.when is the priority and entry.aux the bucket.
//
// Where libCacheSim would crash (no non-empty bucket found while L's bucket
// is empty), eviction takes from the lowest non-empty bucket instead.
type LFUDA struct {
	store
	buckets []lfudaBucket
	freeB   []int32
	byPrio  keymap.Map // priority → bucket
	above   []int32    // min-heap of buckets by priority, lazily pruned (see nextAge)
	age     int64      // L
	maxPrio int64      // the highest priority a hit has produced
}

// lfudaBucket holds the cached objects of one priority.
type lfudaBucket struct {
	prio   int64
	items  list
	n      int32
	inHeap bool
}

// NewLFUDA returns an empty LFUDA cache of the given capacity.
func NewLFUDA(capacity int64) *LFUDA {
	return &LFUDA{store: newStore(capacity), byPrio: keymap.New()}
}

// Access looks r up, adding the age to a hit's priority; a miss is
// admitted with priority age+1.
func (c *LFUDA) Access(r *traces.Request) bool {
	if i, ok := c.lookup(r.Key); ok {
		p := c.nodes[i].when + c.age
		c.maxPrio = max(c.maxPrio, p)
		c.unlink(i)
		c.link(i, p)
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		c.evictOne()
	}
	c.link(c.add(r.Key, r.Size), c.age+1)
	return false
}

// evictOne evicts the oldest object of the bucket of priority max(L, 1).
func (c *LFUDA) evictOne() {
	p := max(c.age, 1)
	b, ok := c.byPrio.Get(uint64(p))
	if !ok || c.buckets[b].n == 0 {
		b = c.lowestBucket() // libCacheSim would crash here
		p = c.buckets[b].prio
	}
	c.age = p
	v := c.buckets[b].items.tail
	c.unlink(v)
	c.evict(v)
}

// link puts entry i at the head of the bucket of priority p.
func (c *LFUDA) link(i int32, p int64) {
	b, ok := c.byPrio.Get(uint64(p))
	if !ok {
		b = c.newBucket(p)
	}
	c.nodes[i].when, c.nodes[i].aux = p, b
	c.buckets[b].items.pushFront(c.nodes, i)
	c.buckets[b].n++
}

// unlink takes entry i out of its bucket; if that empties the age's
// bucket, the age moves on.
func (c *LFUDA) unlink(i int32) {
	b := c.nodes[i].aux
	bk := &c.buckets[b]
	bk.items.remove(c.nodes, i)
	bk.n--
	if bk.n > 0 {
		return
	}
	if bk.prio == c.age {
		c.nextAge()
	}
	c.release(b)
}

// nextAge sets the age to the lowest priority above it that has objects,
// if there is one no higher than maxPrio (libCacheSim's update_min_freq).
// Buckets at or below the age never gain objects once the age is at least
// 1 (admissions get age+1, hits add the age), so the heap drops them.
func (c *LFUDA) nextAge() {
	for len(c.above) > 0 {
		b := c.above[0]
		if bk := &c.buckets[b]; bk.prio <= c.age || bk.n == 0 {
			c.popAbove()
			bk.inHeap = false
			c.release(b)
			continue
		}
		if p := c.buckets[b].prio; p <= c.maxPrio {
			c.age = p
		}
		return
	}
}

// lowestBucket returns the non-empty bucket of the lowest priority.
func (c *LFUDA) lowestBucket() int32 {
	best := nilIdx
	for b := range c.buckets {
		bk := &c.buckets[b]
		if bk.n > 0 && (best == nilIdx || bk.prio < c.buckets[best].prio) {
			best = int32(b)
		}
	}
	return best
}

// newBucket creates an empty bucket of priority p and queues it in the heap.
func (c *LFUDA) newBucket(p int64) int32 {
	var b int32
	if n := len(c.freeB); n > 0 {
		b = c.freeB[n-1]
		c.freeB = c.freeB[:n-1]
	} else {
		b = int32(len(c.buckets))
		c.buckets = append(c.buckets, lfudaBucket{})
	}
	c.buckets[b] = lfudaBucket{prio: p, items: newList(), inHeap: true}
	c.byPrio.Put(uint64(p), b)
	c.pushAbove(b)
	return b
}

// release frees bucket b if it is empty and out of the heap (and not
// already free: priorities are at least 1, a free bucket's is -1).
func (c *LFUDA) release(b int32) {
	if bk := &c.buckets[b]; bk.n == 0 && !bk.inHeap && bk.prio > 0 {
		c.byPrio.Del(uint64(bk.prio))
		bk.prio = -1
		c.freeB = append(c.freeB, b)
	}
}

// pushAbove and popAbove maintain the min-heap of buckets by priority.
func (c *LFUDA) pushAbove(b int32) {
	h := append(c.above, b)
	j := len(h) - 1
	for j > 0 {
		p := (j - 1) / 2
		if c.buckets[h[p]].prio <= c.buckets[h[j]].prio {
			break
		}
		h[p], h[j] = h[j], h[p]
		j = p
	}
	c.above = h
}

func (c *LFUDA) popAbove() {
	h := c.above
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for j := 0; ; {
		l := 2*j + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && c.buckets[h[r]].prio < c.buckets[h[l]].prio {
			m = r
		}
		if c.buckets[h[j]].prio <= c.buckets[h[m]].prio {
			break
		}
		h[j], h[m] = h[m], h[j]
		j = m
	}
	c.above = h
}

// Remove drops key's object (a delete in the trace).
func (c *LFUDA) Remove(key uint64) bool { return c.removeKey(key, c.unlink) }
