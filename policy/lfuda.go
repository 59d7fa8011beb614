package policy

import (
	"container/heap"

	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	Register(Info{
		Name: "lfuda",
		Summary: "LFU with dynamic aging (Arlitt et al., 2000): an object's priority starts at the cache age L + 1 and a " +
			"hit adds L, where L is the priority of the last eviction; evicts the lowest priority, oldest first " +
			"(as libCacheSim's LFUDA)",
		New: func(c Config) (Cache, error) { return newLFUDA(c.Capacity), nil },
	})
}

// lfuda follows libCacheSim's LFUDA.c. Objects sit in per-priority buckets
// (FIFO, newest at the head); the cache age L is the priority of the bucket
// the last eviction took from. An admitted object gets priority L+1 and a
// hit adds L to it (libCacheSim adds the age, not 1, on a hit; before the
// first eviction L is 0, so hits only refresh the object's place in its
// bucket). Eviction takes the oldest object of bucket L (of bucket 1 while
// L < 1). When bucket L empties, L moves up to the next non-empty priority
// up to the highest priority a hit has produced, searched at that moment:
// on a hit the moving object is not yet in its new bucket, as in
// libCacheSim, which can leave it below L, where libCacheSim never evicts
// it. Each entry's priority is in its word64 (prioOf), its bucket in its
// word32 (bucketOf).
//
// Where libCacheSim would crash (no non-empty bucket found while L's bucket
// is empty, so eviction finds bucket L gone), eviction takes from the
// lowest non-empty bucket instead.
type lfuda struct {
	store
	buckets []lfudaBucket
	freeB   []int32
	byPrio  keymap.Map // priority → bucket
	above   bucketHeap // the buckets above the age, by priority
	age     int64      // L
	maxPrio int64      // the highest priority a hit has produced
}

// lfudaBucket holds the cached objects of one priority.
type lfudaBucket struct {
	prio  int64
	items list
	n     int32
	pos   int32 // position in the heap above the age; -1 once the age has passed it
}

// newLFUDA returns an empty LFUDA cache of the given capacity.
func newLFUDA(capacity int64) *lfuda {
	c := &lfuda{store: newStore(capacity), byPrio: keymap.New()}
	c.above.b = &c.buckets
	return c
}

// Access looks r up, adding the age to a hit's priority; a miss is
// admitted with priority age+1.
func (c *lfuda) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		p := c.prioOf(i) + c.age
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
	c.link(c.add(r), c.age+1)
	return false
}

// evictOne evicts the oldest object of the bucket of priority max(L, 1).
func (c *lfuda) evictOne() {
	p := max(c.age, 1)
	b, ok := c.byPrio.Get(uint64(p))
	if !ok {
		b = c.lowestBucket() // libCacheSim would crash here
		p = c.buckets[b].prio
	}
	c.age = p
	v := c.buckets[b].items.tail
	c.unlink(v)
	c.evict(v)
}

// link puts entry i at the head of the bucket of priority p.
func (c *lfuda) link(i int32, p int64) {
	b, ok := c.byPrio.Get(uint64(p))
	if !ok {
		b = c.newBucket(p)
	}
	c.setPlace(i, p, b)
	c.buckets[b].items.pushFront(c.nodes, i)
	c.buckets[b].n++
}

// prioOf returns entry i's priority.
func (c *lfuda) prioOf(i int32) int64 { return c.nodes[i].word64 }

// bucketOf returns the bucket entry i is in, that of its priority.
func (c *lfuda) bucketOf(i int32) int32 { return c.nodes[i].word32 }

// setPlace records entry i's priority p and its bucket b.
func (c *lfuda) setPlace(i int32, p int64, b int32) { c.nodes[i].word64, c.nodes[i].word32 = p, b }

// unlink takes entry i out of its bucket, freeing the bucket if that
// empties it; if it was the age's bucket, the age moves on.
func (c *lfuda) unlink(i int32) {
	b := c.bucketOf(i)
	bk := &c.buckets[b]
	bk.items.remove(c.nodes, i)
	if bk.n--; bk.n > 0 {
		return
	}
	if bk.pos >= 0 {
		heap.Remove(&c.above, int(bk.pos))
	}
	c.byPrio.Del(uint64(bk.prio))
	c.freeB = append(c.freeB, b)
	if bk.prio == c.age {
		c.nextAge()
	}
}

// nextAge sets the age to the lowest priority above it that has objects,
// if there is one no higher than maxPrio (libCacheSim's update_min_freq).
// Buckets at or below the age never gain objects once the age is at least
// 1 (admissions get age+1, hits add the age), so they leave the heap.
func (c *lfuda) nextAge() {
	for c.above.Len() > 0 {
		b := c.above.items[0]
		if c.buckets[b].prio > c.age {
			if p := c.buckets[b].prio; p <= c.maxPrio {
				c.age = p
			}
			return
		}
		heap.Remove(&c.above, 0)
	}
}

// lowestBucket returns the non-empty bucket of the lowest priority.
func (c *lfuda) lowestBucket() int32 {
	best := nilIdx
	for p := range c.buckets {
		if q, live := c.byPrio.Get(uint64(c.buckets[p].prio)); live && q == int32(p) &&
			(best == nilIdx || c.buckets[p].prio < c.buckets[best].prio) {
			best = int32(p)
		}
	}
	return best
}

// newBucket creates an empty bucket of priority p in the heap.
func (c *lfuda) newBucket(p int64) int32 {
	b := reuse(&c.buckets, &c.freeB)
	c.buckets[b] = lfudaBucket{prio: p, items: newList(), pos: int32(c.above.Len())}
	c.byPrio.Put(uint64(p), b)
	c.above.items = append(c.above.items, b)
	heap.Fix(&c.above, c.above.Len()-1)
	return b
}

// bucketHeap is a min-heap of LFUDA buckets by priority, each bucket's
// position kept in its pos (-1 once out); it implements
// container/heap.Interface.
type bucketHeap struct {
	items []int32
	b     *[]lfudaBucket
}

// Len, Less, Swap, Push and Pop implement container/heap.Interface.
func (h *bucketHeap) Len() int { return len(h.items) }
func (h *bucketHeap) Less(i, j int) bool {
	return (*h.b)[h.items[i]].prio < (*h.b)[h.items[j]].prio
}
func (h *bucketHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	(*h.b)[h.items[i]].pos = int32(i)
	(*h.b)[h.items[j]].pos = int32(j)
}
func (h *bucketHeap) Push(any) { panic("policy: bucketHeap.Push: append and heap.Fix") }
func (h *bucketHeap) Pop() any {
	last := len(h.items) - 1
	(*h.b)[h.items[last]].pos = -1
	h.items = h.items[:last]
	return nil
}

// Remove drops key's object (a delete in the trace).
func (c *lfuda) Remove(key uint64) bool { return c.removeKey(key, c.unlink) }
