package policy

import (
	"fmt"
	"math"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	Register(Info{
		Name: "memcached",
		Summary: "memcached 1.6 as its source does it: items of value + key + 59 bytes (header, CAS, CRLF, NUL) in the " +
			"smallest slab class whose chunk fits (96-byte chunks growing by 1.25), 1 MiB pages handed to classes " +
			"on demand up to the memory limit and one to every class that stores anything even beyond it, a " +
			"segmented LRU per class (HOT, WARM, COLD and the LRU maintainer's moves on trace time, in whole " +
			"seconds), eviction from COLD, slab_automove=1 and item size limits; the capacity is memcached's -m",
		Traits: TraceTime | Expiry | SizeAware | MemoryLimit,
		Params: []Param{
			EnumParam("version", "1.6", []string{"1.6"}, "memcached version modelled"),
			FloatParam("factor", 1.25, 1.01, 4, "-f: growth factor between slab classes"),
			IntParam("chunk", 48, 1, 1<<20, "-n: minimum space for key, value and flags; the smallest chunk is "+
				"the 48-byte item header plus this"),
			IntParam("page", 1<<20, 256, 1<<30, "slab page size in bytes (memcached's is 1 MiB; smaller pages "+
				"scale the server down)"),
			IntParam("item-max", 0, 0, 1<<30, "-I: largest item (header, key and value) stored; 0: the page size"),
			IntParam("chunk-max", 0, 0, 1<<30, "-o slab_chunk_max: the largest chunk, larger items are "+
				"chained from several; 0: half the page, at most item-max"),
			BoolParam("cas", true, "items carry an 8-byte CAS value (-C turns it off)"),
			BoolParam("flags", false, "items carry 4 bytes of client flags (clients that set non-zero flags); "+
				"a replay against a live server sets none"),
			IntParam("key", 0, 0, 250, "bytes of every key; 0: the decimal digits of the trace's key, as a "+
				"replay against a live server sends it"),
			FractionParam("hot", 0.2, "-o hot_lru_pct: HOT's share of each class's bytes"),
			FractionParam("warm", 0.4, "-o warm_lru_pct: WARM's share of each class's bytes; hot + warm is at most 0.8"),
			FloatParam("hot-max-factor", 0.2, 0, 100, "-o hot_max_factor: HOT items older than this times "+
				"COLD's tail age move to COLD"),
			FloatParam("warm-max-factor", 2, 0, 100, "-o warm_max_factor: WARM items older than this times "+
				"COLD's tail age move to COLD"),
			IntParam("temp-ttl", 0, 0, math.MaxInt32, "-o temporary_ttl: items with at most this many seconds "+
				"to live go to a TEMP LRU that is never evicted; 0: off (memcached's default)"),
			IntParam("automove", 1, 0, 2, "-o slab_automove: 0 never moves pages between classes, 1 moves a "+
				"page from the class with the oldest items to one that evicts young ones, 2 on every eviction"),
			FloatParam("automove-ratio", 0.8, 0, 1, "-o slab_automove_ratio"),
			IntParam("automove-window", 30, 1, 3600, "-o slab_automove_window, in seconds"),
		},
		Check: checkMemcached,
		New: func(c Config) (Cache, error) {
			o := memcachedOptionsFrom(c.Values)
			o.TTL = c.TTL
			return newMemcached(c.Capacity, o), nil
		},
	})
}

// checkMemcached checks the constraints memcached checks at start-up.
func checkMemcached(v Values) error {
	o := memcachedOptionsFrom(v)
	switch {
	case o.Hot+o.Warm > 0.8+1e-9:
		return fmt.Errorf("parameter warm=%g: hot + warm is at most 0.8 (memcached refuses more)", o.Warm)
	case o.ChunkMax > o.ItemMax:
		return fmt.Errorf("parameter chunk-max=%d: expected at most item-max=%d", o.ChunkMax, o.ItemMax)
	case o.ItemMax%o.ChunkMax != 0:
		return fmt.Errorf("parameter item-max=%d: expected a multiple of chunk-max=%d", o.ItemMax, o.ChunkMax)
	case o.Page%o.ChunkMax != 0:
		return fmt.Errorf("parameter chunk-max=%d: expected a divisor of page=%d", o.ChunkMax, o.Page)
	}
	return nil
}

// memcachedOptionsFrom reads the registered policy's parameters.
func memcachedOptionsFrom(v Values) memcachedOptions {
	o := memcachedOptions{
		Factor: v.Float("factor"), Chunk: v.Int("chunk"), Page: v.Int("page"),
		ItemMax: v.Int("item-max"), ChunkMax: v.Int("chunk-max"),
		CAS: v.Bool("cas"), Flags: v.Bool("flags"), Key: int(v.Int("key")),
		Hot: v.Float("hot"), Warm: v.Float("warm"),
		HotMaxFactor: v.Float("hot-max-factor"), WarmMaxFactor: v.Float("warm-max-factor"),
		TempTTL: uint32(v.Int("temp-ttl")), Automove: int(v.Int("automove")),
		AutomoveRatio: v.Float("automove-ratio"), AutomoveWindow: int(v.Int("automove-window")),
	}
	if o.ItemMax == 0 {
		o.ItemMax = o.Page
	}
	if o.ChunkMax == 0 {
		o.ChunkMax = min(o.Page/2, o.ItemMax)
	}
	return o
}

// memcachedOptions are the settings of the memcached modelled, used as
// given; the registered policy's schema holds memcached 1.6's defaults
// (New(Spec{Name: "memcached"}, …)).
type memcachedOptions struct {
	// Factor is the growth factor between slab classes (-f).
	Factor float64
	// Chunk is the minimum space for key, value and flags (-n); the
	// smallest chunk is the item header plus Chunk.
	Chunk int64
	// Page is the slab page size in bytes.
	Page int64
	// ItemMax is the largest item stored (-I), header and key included.
	ItemMax int64
	// ChunkMax is the largest chunk (slab_chunk_max); larger items are
	// chained from several chunks.
	ChunkMax int64
	// CAS and Flags say whether items carry a CAS value and client flags.
	CAS, Flags bool
	// Key is the length of every key in bytes; 0 takes the decimal digits
	// of the request's key.
	Key int
	// Hot and Warm are HOT's and WARM's shares of each class's bytes.
	Hot, Warm float64
	// HotMaxFactor and WarmMaxFactor bound the age of HOT's and WARM's
	// items, as multiples of COLD's tail age.
	HotMaxFactor, WarmMaxFactor float64
	// TempTTL enables the TEMP LRU for items with at most this many seconds
	// to live; 0 is off.
	TempTTL uint32
	// Automove is slab_automove: 0, 1 or 2.
	Automove int
	// AutomoveRatio and AutomoveWindow are slab_automove_ratio and
	// slab_automove_window (seconds).
	AutomoveRatio  float64
	AutomoveWindow int
	// TTL is the time to live of requests that carry none; 0 is never.
	TTL time.Duration
}

// memcached's LRUs and item flags, packed in each entry's word32 as
// class<<4 | lru<<2 | flags (mcClassOf, mcLRUOf, mcHas); its word64 holds
// the item's time (its last bump, in seconds of the model's clock) in its
// low 32 bits and its expiry time (0: never) in its high 32 (mcTime,
// mcExpiry).
const (
	mcHot = iota
	mcWarm
	mcCold
	mcTemp

	mcFetched = 1 // ITEM_FETCHED: hit once
	mcActive  = 2 // ITEM_ACTIVE: hit again since it last moved

	mcItemHeader  = 48 // sizeof(item) on 64-bit platforms
	mcCASBytes    = 8
	mcFlagsBytes  = 4
	mcChunkAlign  = 8   // CHUNK_ALIGN_BYTES
	mcMaxClasses  = 63  // MAX_NUMBER_OF_SLAB_CLASSES less the global page pool
	mcJuggleMoves = 500 // the LRU maintainer's moves per class and pass
	mcAllocTries  = 10  // do_item_alloc_pull's tries
	mcTailTries   = 5   // lru_pull_tail's items looked at past expired ones
)

// mcClass is one slab class: its chunks and pages, and its four LRUs with
// their bytes (the sum of their items' total sizes, memcached's sizes_bytes).
type mcClass struct {
	chunk   int64 // chunk size
	perPage int64 // chunks per page
	pages   int64
	used    int64 // chunks holding an item
	lru     [4]list
	bytes   [4]int64
	// Counters the slab automover reads.
	evicted, outOfMemory uint64
}

func (k *mcClass) free() int64 { return k.pages*k.perPage - k.used }

// memcached models memcached 1.6 (items.c, slabs.c, slab_automove.c):
//
//   - An item takes its value, the value's CRLF, its key and a NUL, and a
//     48-byte header, plus 8 bytes of CAS and 4 of client flags when on
//     (ITEM_ntotal). It goes to the smallest slab class whose chunk holds it;
//     classes grow from 48 + chunk by factor, 8-byte aligned, up to
//     chunk-max; an item larger than chunk-max takes several chunks of the
//     largest class; one larger than item-max is refused.
//   - A class whose chunks are all used takes a page from the global pool or
//     memory: refused once the pages reach the memory limit, except that a
//     class without any page always gets its first one. Then it evicts
//     COLD's tail (do_item_alloc_pull), or, with COLD empty, pushes HOT's
//     tail on; after ten tries the write is refused.
//   - A new item enters HOT (TEMP with a short TTL and temp-ttl on). A hit
//     marks it FETCHED, the next one ACTIVE; an ACTIVE item in COLD moves to
//     WARM at once (the asynchronous bump). The LRU maintainer moves HOT's
//     and WARM's tails on while they exceed their share of the class's bytes
//     or are older than hot-max-factor (warm-max-factor) times COLD's tail
//     age: ACTIVE ones to WARM, others to COLD, and ACTIVE items at COLD's
//     tail back to WARM. It runs for the class after every write and for
//     every class when the clock moves to a new second.
//   - The clock is the trace's, in whole seconds as memcached's is. Expired
//     items miss and are reclaimed where the server looks: on access and at
//     an LRU's tail (the LRU crawler is not modelled).
//   - slab_automove=1 runs once a second: over a window of automove-window
//     seconds it moves a page from the class whose COLD tail is oldest to
//     the one evicting the youngest items, and returns to the global pool a
//     page of a class with more than 2.5 pages free and no activity; the
//     items of a moved page beyond the class's free chunks are evicted from
//     its LRU tails (memcached evicts those in that page, wherever they are
//     in the LRU). With 2, every eviction moves a page to its class.
//
// Used reports object sizes; SlabMemory the pages held, which may exceed
// the capacity through the per-class first page.
type memcached struct {
	store
	o         memcachedOptions
	classes   []mcClass
	fixed     int64 // bytes of every item beyond its value and key: header, CRLF, NUL, CAS, flags
	malloced  int64 // bytes of pages taken from memory (mem_malloced)
	pool      int64 // pages in the global pool
	moved     uint64
	reclaimed uint64
	ttl       int64 // default TTL in seconds

	clock struct {
		started bool
		origin  int64  // second of the first request
		now     uint32 // seconds since origin (current_time)
	}
	am mcAutomove
}

// newMemcached returns an empty memcached model with capacity bytes of
// memory (-m) and the options o.
func newMemcached(capacity int64, o memcachedOptions) *memcached {
	c := &memcached{store: newStore(capacity), o: o, fixed: mcItemHeader + 2 + 1, ttl: int64(o.TTL / time.Second)}
	if o.CAS {
		c.fixed += mcCASBytes
	}
	if o.Flags {
		c.fixed += mcFlagsBytes
	}
	size := mcItemHeader + o.Chunk
	for len(c.classes) < mcMaxClasses-1 && float64(size) < float64(o.ChunkMax)/o.Factor {
		if size%mcChunkAlign != 0 {
			size += mcChunkAlign - size%mcChunkAlign
		}
		c.addClass(size)
		size = int64(float64(size) * o.Factor)
	}
	c.addClass(o.ChunkMax)
	c.am = newMCAutomove(len(c.classes), o.AutomoveWindow)
	return c
}

func (c *memcached) addClass(chunk int64) {
	k := mcClass{chunk: chunk, perPage: max(c.o.Page/chunk, 1)}
	for i := range k.lru {
		k.lru[i] = newList()
	}
	c.classes = append(c.classes, k)
}

// SlabMemory returns the bytes of the slab pages the model holds, its
// total_malloced: at most the capacity, plus a page for each class that
// got its first one beyond it.
func (c *memcached) SlabMemory() int64 { return c.malloced }

// HeldMemory implements MemoryHolder: the slab pages held (SlabMemory).
func (c *memcached) HeldMemory() int64 { return c.malloced }

// Reclaimed returns how many expired items were found and removed.
func (c *memcached) Reclaimed() uint64 { return c.reclaimed }

// PagesMoved returns how many pages the slab automover moved.
func (c *memcached) PagesMoved() uint64 { return c.moved }

// keyLen is the length of key as memcached stores it.
func (c *memcached) keyLen(key uint64) int64 {
	if c.o.Key > 0 {
		return int64(c.o.Key)
	}
	n := int64(1)
	for ; key >= 10; key /= 10 {
		n++
	}
	return n
}

// ItemSize returns the bytes memcached stores for an object of size bytes
// under key: its ITEM_ntotal, which chooses its slab class.
func (c *memcached) ItemSize(key uint64, size uint32) int64 { return c.total(key, size) }

// ChunkSize returns the chunk size of the slab class an object of size
// bytes under key goes to (the largest for one chained from several
// chunks), or 0 when it is too large to store.
func (c *memcached) ChunkSize(key uint64, size uint32) int64 {
	if k := c.classOf(c.total(key, size)); k >= 0 {
		return c.classes[k].chunk
	}
	return 0
}

// total is an item's ITEM_ntotal.
func (c *memcached) total(key uint64, size uint32) int64 {
	return int64(size) + c.keyLen(key) + c.fixed
}

// chunks is the number of chunks an item of total bytes takes.
func (c *memcached) chunks(total int64) int64 {
	if total <= c.o.ChunkMax {
		return 1
	}
	return (total + c.o.ChunkMax - 1) / c.o.ChunkMax
}

// classOf returns the class of an item of total bytes (slabs_clsid), the
// largest for one chained from several chunks, or -1 past item-max.
func (c *memcached) classOf(total int64) int {
	if total > c.o.ItemMax {
		return -1
	}
	lo, hi := 0, len(c.classes)-1
	for lo < hi {
		m := (lo + hi) / 2
		if c.classes[m].chunk >= total {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// mcClassOf returns the slab class of item e.
func mcClassOf(e *entry) int { return int(e.word32 >> 4) }

// mcLRUOf returns the LRU item e is in (mcHot, mcWarm, …).
func mcLRUOf(e *entry) int { return int(e.word32>>2) & 3 }

// mcPlace puts item e in class k and LRU lru, without flags.
func mcPlace(e *entry, k, lru int) { e.word32 = int32(k<<4 | lru<<2) }

// mcSetLRU moves item e to LRU lru of its class, keeping its flags.
func mcSetLRU(e *entry, lru int) { e.word32 = e.word32&^(3<<2) | int32(lru<<2) }

// mcHas reports whether item e has any of the flags f (mcFetched, mcActive).
func mcHas(e *entry, f int32) bool { return e.word32&f != 0 }

// mcMark gives item e the flags f.
func mcMark(e *entry, f int32) { e.word32 |= f }

// mcUnmark takes the flags f off item e.
func mcUnmark(e *entry, f int32) { e.word32 &^= f }

// mcTime returns the time of item e's last bump.
func mcTime(e *entry) uint32 { return uint32(e.word64) }

// mcExpiry returns item e's expiry time, 0 for never.
func mcExpiry(e *entry) uint32 { return uint32(uint64(e.word64) >> 32) }

// mcSetTime sets the time of item e's last bump.
func mcSetTime(e *entry, t uint32) { e.word64 = int64(uint64(e.word64)&^math.MaxUint32 | uint64(t)) }

// mcSetTimes sets item e's time and expiry time.
func mcSetTimes(e *entry, t, exp uint32) { e.word64 = int64(uint64(exp)<<32 | uint64(t)) }

// tick moves the clock to the second of t; a new second runs the LRU
// maintainer over every class and the slab automover.
func (c *memcached) tick(t int64) {
	sec := t / int64(time.Second)
	if t < 0 && t%int64(time.Second) != 0 {
		sec--
	}
	if !c.clock.started { // the automover's first run is the server's start
		c.clock.started, c.clock.origin = true, sec
		c.runAutomove()
	}
	now := sec - c.clock.origin
	if now <= int64(c.clock.now) || now > math.MaxUint32 {
		return
	}
	c.clock.now = uint32(now)
	for k := range c.classes {
		for c.juggle(k) == mcJuggleMoves {
		}
	}
	c.runAutomove()
}

// Access looks r up at the request's time. A get that finds a fresh item
// hits and bumps it; a set replaces it; a miss (absent or expired) stores
// the object as the SET after it would.
func (c *memcached) Access(r *trace.Request) bool {
	c.tick(r.Time)
	if i, ok := c.lookup(r); ok {
		if exp := mcExpiry(&c.nodes[i]); exp != 0 && exp <= c.clock.now {
			c.reclaim(i)
		} else if r.Op == trace.OpSet {
			c.set(r)
			return true
		} else {
			c.bump(i)
			return true
		}
	}
	c.set(r)
	return false
}

// Expire drops key's item if it has expired by now (see Expirer), as a
// get that finds it expired does.
func (c *memcached) Expire(key uint64, now int64) bool {
	c.tick(now)
	i, ok := c.lookupKey(key)
	if !ok {
		return false
	}
	if exp := mcExpiry(&c.nodes[i]); exp == 0 || exp > c.clock.now {
		return false
	}
	c.reclaim(i)
	return true
}

// set stores r's object (do_item_alloc, then do_store_item): the new item
// is allocated while an old one of the same key still holds its chunk, then
// replaces it. A write that cannot be stored removes the old item.
func (c *memcached) set(r *trace.Request) {
	total := c.total(r.Key, r.Size)
	k := c.classOf(total)
	if k < 0 || !c.alloc(k, c.chunks(total)) {
		if k >= 0 {
			c.classes[k].outOfMemory++
		}
		c.removeKey(r.Key, c.unlink)
		return
	}
	c.removeKey(r.Key, c.unlink)
	i := c.add(r)
	e := &c.nodes[i]
	var exp uint32
	if ttl := c.ttlOf(r); ttl > 0 {
		exp = uint32(min(int64(c.clock.now)+ttl, math.MaxUint32))
	}
	mcSetTimes(e, c.clock.now, exp)
	lru := mcHot
	if c.o.TempTTL > 0 && exp != 0 && exp-c.clock.now <= c.o.TempTTL {
		lru = mcTemp
	}
	mcPlace(e, k, lru)
	c.link(i)
	c.juggle(k)
}

func (c *memcached) ttlOf(r *trace.Request) int64 {
	if r.TTL > 0 {
		return int64(r.TTL)
	}
	return c.ttl
}

// alloc frees or finds chunks for a new item of class k
// (do_item_alloc_pull): a free chunk or a new page, else evict COLD's tail
// or push HOT's on, up to ten tries a chunk.
func (c *memcached) alloc(k int, chunks int64) bool {
	for try := int64(0); try < mcAllocTries*chunks; try++ {
		if c.take(k, chunks) {
			return true
		}
		if c.pullTail(k, mcCold, 0, 0, true) <= 0 {
			c.pullTail(k, mcHot, 0, 0, false)
		}
	}
	return false
}

// take reports whether class k has the chunks free, taking new pages when
// it has none (slabs_alloc).
func (c *memcached) take(k int, chunks int64) bool {
	cl := &c.classes[k]
	for cl.free() < chunks && c.newPage(k) {
	}
	return cl.free() >= chunks
}

// newPage gives class k a page from the global pool or memory, unless the
// pages reach the limit and the class already has one (do_slabs_newslab).
func (c *memcached) newPage(k int) bool {
	cl := &c.classes[k]
	if c.malloced+c.o.Page > c.capacity && cl.pages > 0 && c.pool == 0 {
		return false
	}
	if c.pool > 0 {
		c.pool--
	} else {
		c.malloced += c.o.Page
	}
	cl.pages++
	return true
}

// link puts item i at the head of its LRU and takes its chunks.
func (c *memcached) link(i int32) {
	e := &c.nodes[i]
	cl, l := &c.classes[mcClassOf(e)], mcLRUOf(e)
	total := c.total(e.key, e.size)
	cl.lru[l].pushFront(c.nodes, i)
	cl.bytes[l] += total
	cl.used += c.chunks(total)
}

// unlink takes item i out of its LRU and frees its chunks.
func (c *memcached) unlink(i int32) {
	e := &c.nodes[i]
	cl, l := &c.classes[mcClassOf(e)], mcLRUOf(e)
	total := c.total(e.key, e.size)
	cl.lru[l].remove(c.nodes, i)
	cl.bytes[l] -= total
	cl.used -= c.chunks(total)
}

// move relinks item i at the head of LRU to of its class.
func (c *memcached) move(i int32, to int) {
	c.unlink(i)
	mcSetLRU(&c.nodes[i], to)
	c.link(i)
}

// reclaim removes expired item i.
func (c *memcached) reclaim(i int32) {
	c.unlink(i)
	c.drop(i)
	c.reclaimed++
}

// evictItem evicts item i of class k.
func (c *memcached) evictItem(k int, i int32) {
	c.unlink(i)
	c.evict(i)
	c.classes[k].evicted++
	if c.o.Automove == 2 {
		c.reassignAny(k)
	}
}

// bump registers a hit on item i (do_item_bump): the first marks it
// FETCHED, the next ACTIVE and updates its time; an ACTIVE item in COLD
// moves to WARM (the LRU maintainer's asynchronous bump, done at once).
func (c *memcached) bump(i int32) {
	e := &c.nodes[i]
	switch {
	case mcHas(e, mcActive):
	case !mcHas(e, mcFetched):
		mcMark(e, mcFetched)
	default:
		mcSetTime(e, c.clock.now)
		if mcLRUOf(e) != mcCold {
			mcMark(e, mcActive)
			return
		}
		c.move(i, mcWarm)
	}
}

// pullTail is lru_pull_tail: it looks at the tail of LRU lru of class k,
// reclaiming expired items and going on past them (up to five); at the
// first other item HOT and WARM move an ACTIVE one to WARM (clearing it),
// and move one on to COLD when the LRU holds more than its share of total
// or the item is older than maxAge; COLD evicts (evict) or sends an ACTIVE
// item to WARM. It returns the items moved or removed.
func (c *memcached) pullTail(k, lru int, total int64, maxAge uint32, evict bool) int {
	cl := &c.classes[k]
	removed := 0
	for tries := mcTailTries; tries > 0; tries-- {
		v := cl.lru[lru].tail
		if v == nilIdx {
			break
		}
		e := &c.nodes[v]
		if exp := mcExpiry(e); exp != 0 && exp < c.clock.now {
			c.reclaim(v)
			removed++
			continue
		}
		active := mcHas(e, mcActive)
		switch {
		case lru == mcTemp:
		case lru == mcCold && evict:
			c.evictItem(k, v)
			removed++
		case active:
			mcUnmark(e, mcActive)
			c.move(v, mcWarm)
			removed++
		case lru == mcCold:
		case cl.bytes[lru] > c.shareOf(lru, total) || c.clock.now-mcTime(e) > maxAge:
			c.move(v, mcCold)
			removed++
		}
		break
	}
	return removed
}

// shareOf is the byte limit of HOT or WARM in a class of total bytes
// (HOT's falls back to WARM's when it rounds to nothing, as in memcached).
func (c *memcached) shareOf(lru int, total int64) int64 {
	limit := int64(0)
	if lru == mcHot {
		limit = int64(float64(total) * c.o.Hot)
	}
	if limit == 0 {
		limit = int64(float64(total) * c.o.Warm)
	}
	return limit
}

// juggle is the LRU maintainer's pass over class k
// (lru_maintainer_juggle): TEMP's expired tail, then HOT's, WARM's and
// COLD's tails in turn while any moves, up to 500 times. It returns the
// number of rounds that moved something.
func (c *memcached) juggle(k int) int {
	cl := &c.classes[k]
	if c.o.TempTTL > 0 {
		for i := 0; i < mcJuggleMoves && c.pullTail(k, mcTemp, 0, 0, false) > 0; i++ {
		}
	}
	var coldAge uint32
	if t := cl.lru[mcCold].tail; t != nilIdx {
		coldAge = c.clock.now - mcTime(&c.nodes[t])
	}
	hotAge := uint32(float64(coldAge) * c.o.HotMaxFactor)
	warmAge := uint32(float64(coldAge) * c.o.WarmMaxFactor)
	total := cl.bytes[mcHot] + cl.bytes[mcWarm] + cl.bytes[mcCold]
	moves := 0
	for ; moves < mcJuggleMoves; moves++ {
		more := 0
		if c.pullTail(k, mcHot, total, hotAge, false) > 0 || c.pullTail(k, mcWarm, total, warmAge, false) > 0 {
			more++
		}
		more += c.pullTail(k, mcCold, total, 0, false)
		if more == 0 {
			break
		}
	}
	return moves
}

// Remove drops key's item (memcached's delete), freeing its chunks.
func (c *memcached) Remove(key uint64) bool { return c.removeKey(key, c.unlink) }
