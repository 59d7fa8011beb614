package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name:    "lfu",
		Summary: "least frequently used: evicts the lowest access count (counted while cached), ties to the least recently accessed",
		New:     func(c Config) (Cache, error) { return newLFU(c.Capacity), nil },
	})
}

// lfu evicts the object with the fewest accesses since it was admitted; among
// equals, the one accessed least recently. Counts restart at 1 when an object
// is re-admitted (as libCacheSim's LFU). Every operation is O(1): objects sit
// in per-frequency lists (most recent at the head) and the lists are kept in
// a list ordered by frequency (Shah, Mitra and Matani, 2010).
type lfu struct {
	store
	buckets []freqBucket
	freeB   []int32
	lowest  int32 // bucket with the smallest frequency
	newest  bool  // break ties towards the most recently accessed (CR-LFU)
}

// freqBucket holds the objects with one access count.
type freqBucket struct {
	freq       uint64
	items      list
	prev, next int32 // neighbouring buckets, by frequency
}

// newLFU returns an empty LFU cache of the given capacity.
func newLFU(capacity int64) *lfu {
	return &lfu{store: newStore(capacity), lowest: nilIdx}
}

// Access looks r up, raising a hit's count; a miss is admitted with count 1.
func (c *lfu) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		c.promote(i)
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		b := c.lowest
		v := c.buckets[b].items.tail
		if c.newest {
			v = c.buckets[b].items.head
		}
		c.unlink(b, v)
		c.evict(v)
	}
	i := c.add(r)
	b := c.lowest
	if b == nilIdx || c.buckets[b].freq != 1 {
		b = c.newBucket(1, nilIdx, b)
	}
	c.link(b, i)
	return false
}

// promote moves entry i from its bucket to the next frequency's.
func (c *lfu) promote(i int32) {
	b := c.bucketOf(i)
	f := c.buckets[b].freq + 1
	nb := c.buckets[b].next
	if nb == nilIdx || c.buckets[nb].freq != f {
		nb = c.newBucket(f, b, nb)
	}
	c.unlink(b, i)
	c.link(nb, i)
}

// bucketOf returns the bucket entry i is in, kept in its word32.
func (c *lfu) bucketOf(i int32) int32 { return c.nodes[i].word32 }

// setBucket records that entry i is in bucket b.
func (c *lfu) setBucket(i, b int32) { c.nodes[i].word32 = b }

// link puts entry i at the head of bucket b.
func (c *lfu) link(b, i int32) {
	c.buckets[b].items.pushFront(c.nodes, i)
	c.setBucket(i, b)
}

// unlink takes entry i out of bucket b, freeing the bucket if it empties.
func (c *lfu) unlink(b, i int32) {
	bk := &c.buckets[b]
	bk.items.remove(c.nodes, i)
	if !bk.items.empty() {
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
	c.freeB = append(c.freeB, b)
}

// newBucket creates an empty bucket for freq between prev and next.
func (c *lfu) newBucket(freq uint64, prev, next int32) int32 {
	var b int32
	if n := len(c.freeB); n > 0 {
		b = c.freeB[n-1]
		c.freeB = c.freeB[:n-1]
	} else {
		b = int32(len(c.buckets))
		c.buckets = append(c.buckets, freqBucket{})
	}
	c.buckets[b] = freqBucket{freq: freq, items: newList(), prev: prev, next: next}
	if prev != nilIdx {
		c.buckets[prev].next = b
	} else {
		c.lowest = b
	}
	if next != nilIdx {
		c.buckets[next].prev = b
	}
	return b
}

// Remove drops key's object (a delete in the trace).
func (c *lfu) Remove(key uint64) bool {
	return c.removeKey(key, func(i int32) { c.unlink(c.bucketOf(i), i) })
}
