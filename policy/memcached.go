package policy

import (
	"fmt"
	"time"

	"github.com/cachesim/cachesim/traces"
)

func init() {
	Register(Info{
		Name: "memcached",
		Summary: "memcached's slab allocator and segmented LRU: objects go to the smallest slab class whose chunk fits " +
			"(48-byte chunks growing by 1.25, 1 MiB pages handed to classes first come, first served), so byte " +
			"capacity includes slab waste; each class keeps HOT (20%), WARM (40%) and COLD LRUs and evicts from COLD",
		Traits: TraceTime | SizeAware,
		Params: []Param{
			IntParam("chunk", 48, 8, 1<<20, "smallest chunk size in bytes"),
			FloatParam("factor", 1.25, 1.01, 4, "growth factor between slab classes"),
			IntParam("page", 1<<20, 8, 1<<30, "slab page size in bytes, at least chunk; also the largest object stored"),
			FractionParam("hot", 0.2, "HOT share of each class"),
			FractionParam("warm", 0.4, "WARM share of each class; hot + warm is at most 1"),
			IntParam("overhead", 0, 0, 1<<20, "bytes added to every object when choosing its chunk "+
				"(memcached's item header and key, about 50 + key length)"),
		},
		Check: func(v Values) error {
			if chunk, page := v.Int("chunk"), v.Int("page"); page < chunk {
				return fmt.Errorf("parameter page=%d: expected at least chunk=%d", page, chunk)
			}
			if hot, warm := v.Float("hot"), v.Float("warm"); warm > 1-hot {
				return fmt.Errorf("parameter warm=%g: expected at most 1 - hot = %g", warm, 1-hot)
			}
			return nil
		},
		New: func(c Config) (Cache, error) {
			return NewMemcached(c.Capacity, MemcachedOptions{
				Chunk:    uint32(c.Values.Int("chunk")),
				Factor:   c.Values.Float("factor"),
				Page:     c.Values.Int("page"),
				Hot:      c.Values.Float("hot"),
				Warm:     c.Values.Float("warm"),
				Overhead: uint32(c.Values.Int("overhead")),
			}), nil
		},
	})
}

// MemcachedOptions are the memcached model's parameters, used as given (the
// registered policy's schema holds memcached's defaults:
// New(Spec{Name: "memcached"}, …)).
type MemcachedOptions struct {
	// Chunk is the smallest chunk size in bytes.
	Chunk uint32
	// Factor is the growth factor between slab classes.
	Factor float64
	// Page is the slab page size in bytes, also the largest object stored.
	Page int64
	// Hot and Warm are the HOT and WARM LRUs' shares of each class.
	Hot, Warm float64
	// Overhead is added to every object's size to choose its class.
	Overhead uint32
}

// memcached LRUs and item flags, packed in entry.aux as class<<4 | lru<<2 | flags.
const (
	mcHot = iota
	mcWarm
	mcCold

	mcFetched = 1 // hit once
	mcActive  = 2 // hit again since it last moved

	mcBumpInterval = 60 * int64(time.Second) // ITEM_UPDATE_INTERVAL
	mcChunkAlign   = 8                       // CHUNK_ALIGN_BYTES
)

// mcClass is one slab class: its chunk size, how many chunks its pages hold
// and use, and its three LRUs (segment.used counts object sizes).
type mcClass struct {
	chunk        uint32
	chunks, full int64 // chunks in assigned pages; chunks holding an object
	lru          [3]segment
}

// Memcached models memcached 1.6's memory and eviction: slab classes from
// chunk·factorⁿ (8-byte aligned) up to the page size; a page (1 MiB) is
// assigned to a class when it runs out of chunks, until the memory limit's
// pages are all assigned (no slab rebalancing, as with slab_automove=0); then
// a new object evicts within its own class. Each class is a segmented LRU: new
// objects enter HOT; a hit marks an object FETCHED, a second ACTIVE (hits
// count at most once per 60 s of trace time per object, memcached's
// ITEM_UPDATE_INTERVAL), and an ACTIVE object in COLD moves to WARM. When HOT
// or WARM exceeds its share of the class, its tail moves on: ACTIVE ones to
// (the head of) WARM, the others to COLD; eviction takes COLD's tail. The LRU
// maintainer's work is done synchronously after each insertion.
// Used reports object sizes; slab waste shows as fewer objects fitting.
type Memcached struct {
	store
	classes   []mcClass
	pageSize  int64
	freePages int64
	hot, warm float64
	overhead  uint32 // added to each object's size to choose its class
}

// NewMemcached returns an empty memcached model with capacity bytes of
// memory and the options o.
func NewMemcached(capacity int64, o MemcachedOptions) *Memcached {
	chunk, factor, page := o.Chunk, o.Factor, o.Page
	c := &Memcached{store: newStore(capacity), pageSize: page, freePages: capacity / page, hot: o.Hot, warm: o.Warm,
		overhead: o.Overhead}
	for size := int64(chunk); ; {
		if size%mcChunkAlign != 0 {
			size += mcChunkAlign - size%mcChunkAlign
		}
		if size >= page/2 || int64(float64(size)*factor) >= page {
			break
		}
		c.classes = append(c.classes, c.newClass(uint32(size)))
		size = int64(float64(size) * factor)
	}
	c.classes = append(c.classes, c.newClass(uint32(page))) // the largest class holds one object a page
	return c
}

func (c *Memcached) newClass(chunk uint32) mcClass {
	k := mcClass{chunk: chunk}
	for i := range k.lru {
		k.lru[i] = newSegment(0)
	}
	return k
}

// classOf returns the smallest class whose chunk holds size bytes, or -1.
func (c *Memcached) classOf(size uint32) int {
	lo, hi := 0, len(c.classes)
	for lo < hi {
		m := (lo + hi) / 2
		if c.classes[m].chunk >= size {
			hi = m
		} else {
			lo = m + 1
		}
	}
	if lo == len(c.classes) {
		return -1
	}
	return lo
}

func mcClassOf(aux int32) int     { return int(aux >> 4) }
func mcLRUOf(aux int32) int       { return int(aux>>2) & 3 }
func mcPack(class, lru int) int32 { return int32(class<<4 | lru<<2) }

// Access looks r up at the request's time; a miss stores the object in its
// slab class, evicting from that class's COLD LRU when it has no free chunk.
func (c *Memcached) Access(r *traces.Request) bool {
	if i, ok := c.lookup(r.Key); ok {
		c.bump(i, r.Time)
		return true
	}
	k := c.classOf(r.Size + c.overhead)
	if k < 0 || r.Size+c.overhead < r.Size {
		return false
	}
	cl := &c.classes[k]
	if cl.full == cl.chunks {
		if c.freePages > 0 {
			c.freePages--
			cl.chunks += c.pageSize / int64(cl.chunk)
		} else if !c.evictFrom(k) {
			return false // a class that never got a page cannot store anything
		}
	}
	i := c.add(r.Key, r.Size)
	c.nodes[i].when = r.Time
	c.nodes[i].aux = mcPack(k, mcHot)
	cl.lru[mcHot].push(c.nodes, i)
	cl.full++
	c.maintain(k)
	return false
}

// bump registers a hit on entry i (memcached's do_item_bump).
func (c *Memcached) bump(i int32, now int64) {
	e := &c.nodes[i]
	if now-e.when < mcBumpInterval && e.aux&mcFetched != 0 {
		return
	}
	switch {
	case e.aux&mcFetched == 0:
		e.aux |= mcFetched
	case e.aux&mcActive == 0:
		e.aux |= mcActive
		if mcLRUOf(e.aux) == mcCold {
			c.relink(i, mcWarm)
			c.nodes[i].aux &^= mcActive
		}
	}
	c.nodes[i].when = now
}

// relink moves entry i to the head of LRU to within its class.
func (c *Memcached) relink(i int32, to int) {
	k, from := mcClassOf(c.nodes[i].aux), mcLRUOf(c.nodes[i].aux)
	cl := &c.classes[k]
	cl.lru[from].take(c.nodes, i)
	c.nodes[i].aux = c.nodes[i].aux&3 | mcPack(k, to)
	cl.lru[to].push(c.nodes, i)
}

// maintain moves HOT's and WARM's overflow on, as the LRU maintainer does.
func (c *Memcached) maintain(k int) {
	cl := &c.classes[k]
	total := float64(cl.lru[mcHot].used + cl.lru[mcWarm].used + cl.lru[mcCold].used)
	for _, seg := range [2]struct {
		lru   int
		share float64
	}{{mcHot, c.hot}, {mcWarm, c.warm}} {
		limit := int64(total * seg.share)
		for n := 0; cl.lru[seg.lru].used > limit && n < 1000; n++ {
			v := cl.lru[seg.lru].tail
			if c.nodes[v].aux&mcActive != 0 {
				c.nodes[v].aux &^= mcActive
				c.relink(v, mcWarm)
			} else {
				c.relink(v, mcCold)
			}
		}
	}
}

// evictFrom frees one chunk of class k by evicting its COLD tail (or, with
// COLD empty, WARM's, then HOT's). It reports false if the class is empty.
func (c *Memcached) evictFrom(k int) bool {
	cl := &c.classes[k]
	for _, l := range [3]int{mcCold, mcWarm, mcHot} {
		if v := cl.lru[l].tail; v != nilIdx {
			c.unlink(v)
			c.evict(v)
			return true
		}
	}
	return false
}

// unlink takes entry i out of its class's LRU and frees its chunk (the
// class keeps its pages, as memcached does without slab rebalancing).
func (c *Memcached) unlink(i int32) {
	cl := &c.classes[mcClassOf(c.nodes[i].aux)]
	cl.lru[mcLRUOf(c.nodes[i].aux)].take(c.nodes, i)
	cl.full--
}

// Remove drops key's object (memcached's delete), freeing its chunk for the
// next object of the same class.
func (c *Memcached) Remove(key uint64) bool { return c.removeKey(key, c.unlink) }
