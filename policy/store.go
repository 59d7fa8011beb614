package policy

import (
	"github.com/cachesim/cachesim/traces/huge"
	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/trace"
)

// This file holds the building blocks every policy shares: a slab of entries
// addressed by int32 index (no pointers for the garbage collector to chase),
// the key index, and the capacity accounting.

// nilIdx marks the absence of an entry in links.
const nilIdx int32 = -1

// entry is one cached object: 32 bytes, which speed and memory depend on,
// so it must not grow.
//
// Besides what every policy shares (the key, the size and the links of one
// list), an entry holds two words whose meaning is its policy's: word64 and
// word32. An LFU bucket, a heap position, an expiry time, a reference bit:
// each policy names them with one-line accessors in its own file
// (lfu.bucketOf, ttl.expiresAt, …), and so do the structures that several
// policies share and that keep their bookkeeping there, beside their own
// code (the heaps' heapPos and priorityOf, segmentOf, queueOf, denseSet).
// Only those accessors use the two fields by these names
// (TestEntryWordsOnlyInAccessors); a store zeroes both in add.
type entry struct {
	key    uint64
	word64 int64 // the policy's: see its accessors
	size   uint32
	word32 int32 // the policy's: see its accessors
	prev   int32
	next   int32
}

// store owns the entries, the key index and the capacity accounting.
type store struct {
	nodes     []entry
	free      []int32
	index     keyIndex
	capacity  int64
	used      int64
	evictions uint64
	ghosts    int                           // entries indexed for history only (toGhost)
	ghostBits []uint64                      // bit i: entry i is a ghost; nil until the first
	onEvict   func(key uint64, size uint32) // see EvictionObserver
	history   bool                          // up to as many ghosts as residents (newHistoryStore)
}

func newStore(capacity int64) store {
	return store{index: keyIndex{hash: keymap.New()}, capacity: capacity}
}

// newHistoryStore is newStore for a policy that keeps up to as many ghosts
// (toGhost) as resident objects, as ARC's B1 and B2 do: reserve
// makes room for both.
func newHistoryStore(capacity int64) store {
	s := newStore(capacity)
	s.history = true
	return s
}

// reserver is implemented by every cache built on store.
type reserver interface{ reserve(n int) }

// reserve sizes an empty store's tables for n objects (and as many
// ghosts, for a history store), but no more than its numbering's keys.
func (s *store) reserve(n int) {
	if s.history {
		n *= 2
	}
	if k := s.index.refs; k.Len() > 0 {
		n = min(n, k.Len())
	}
	if s.index.len() == 0 && len(s.nodes) == 0 {
		if s.index.refs == nil {
			s.index.hash = keymap.NewSized(n)
		} else {
			s.index.numberOf = huge.Make[uint32](0, n)
		}
		s.nodes = huge.Make[entry](0, n)
	}
}

// numberer is implemented by every cache built on store: useRefs makes an
// empty cache find its entries by the key numbers of one trace (see
// Config.Keys). A cache with several stores (a ghost history) numbers
// them all.
type numberer interface{ useRefs(k *trace.KeyRefs) }

// useRefs makes an empty store index its entries by k's key numbers (a
// stream's numbering may grow as the store is used).
func (s *store) useRefs(k *trace.KeyRefs) {
	if s.index.len() == 0 && len(s.nodes) == 0 {
		s.index.refs, s.index.entryOf = k, huge.Make[int32](k.Len()+1, k.Len()+1)
		s.index.held = make([]uint64, heldWords(len(s.index.entryOf)))
		s.index.hash = keymap.New() // for keys without a number, if any
	}
}

// Len returns the number of cached objects.
func (s *store) Len() int { return s.index.len() - s.ghosts }

// Used returns the sum of the sizes of the cached objects.
func (s *store) Used() int64 { return s.used }

// Capacity returns the capacity.
func (s *store) Capacity() int64 { return s.capacity }

// Evictions returns how many objects were evicted.
func (s *store) Evictions() uint64 { return s.evictions }

// lookup returns the entry of r's key, if indexed (a ghost's too).
func (s *store) lookup(r *trace.Request) (int32, bool) { return s.index.get(r.Key, r.Ref) }

// lookupKey returns the entry of key, if indexed, for callers that hold a
// key but no request (Remove, Contains, a pin, a parent's key).
func (s *store) lookupKey(key uint64) (int32, bool) { return s.index.get(key, 0) }

// refOf returns the key number of entry i's key, 0 if it has none.
func (s *store) refOf(i int32) uint32 { return s.index.ref(i) }

// fits reports whether an object of this size can ever be cached.
func (s *store) fits(size uint32) bool { return int64(size) <= s.capacity }

// full reports whether an object of this size needs an eviction first.
func (s *store) full(size uint32) bool { return s.used+int64(size) > s.capacity }

// add creates an unlinked entry for r's key at r's size and indexes it.
func (s *store) add(r *trace.Request) int32 { return s.addKey(r.Key, r.Ref, r.Size) }

// addKey creates an unlinked entry for key, whose number is ref (0:
// unknown), and indexes it.
func (s *store) addKey(key uint64, ref uint32, size uint32) int32 {
	var i int32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		i = int32(len(s.nodes))
		s.nodes = append(s.nodes, entry{})
	}
	s.nodes[i] = entry{key: key, size: size, prev: nilIdx, next: nilIdx}
	s.index.put(key, ref, i)
	s.used += int64(size)
	return i
}

// drop removes an entry, already unlinked from the policy's structures.
func (s *store) drop(i int32) {
	s.index.del(s.nodes[i].key, i)
	s.used -= int64(s.nodes[i].size)
	s.free = append(s.free, i)
}

// removeKey drops key's entry after unlink has taken it out of the policy's
// own structures; it reports whether key was cached. Policies implement
// Cache.Remove with it.
func (s *store) removeKey(key uint64, unlink func(i int32)) bool {
	i, ok := s.lookupKey(key)
	if !ok {
		return false
	}
	unlink(i)
	s.drop(i)
	return true
}

// evictTail evicts from the tail of q until an object of this size fits.
func (s *store) evictTail(q *list, size uint32) {
	for s.full(size) {
		v := q.tail
		q.remove(s.nodes, v)
		s.evict(v)
	}
}

// list is a doubly linked list threaded through the entries' prev/next
// fields: head is the most recent end, tail the oldest.
type list struct{ head, tail int32 }

func newList() list { return list{nilIdx, nilIdx} }

func (l *list) empty() bool { return l.head == nilIdx }

// pushFront links entry i at the head.
func (l *list) pushFront(n []entry, i int32) {
	n[i].prev, n[i].next = nilIdx, l.head
	if l.head != nilIdx {
		n[l.head].prev = i
	} else {
		l.tail = i
	}
	l.head = i
}

// remove unlinks entry i.
func (l *list) remove(n []entry, i int32) {
	p, x := n[i].prev, n[i].next
	if p != nilIdx {
		n[p].next = x
	} else {
		l.head = x
	}
	if x != nilIdx {
		n[x].prev = p
	} else {
		l.tail = p
	}
	n[i].prev, n[i].next = nilIdx, nilIdx
}

// moveToFront makes entry i the head.
func (l *list) moveToFront(n []entry, i int32) {
	if l.head == i {
		return
	}
	l.remove(n, i)
	l.pushFront(n, i)
}

// evict drops entry i, already unlinked, counting it as an eviction.
func (s *store) evict(i int32) {
	s.evicted(i)
	s.drop(i)
}

// evicted counts entry i's eviction and tells the observer, if any.
func (s *store) evicted(i int32) {
	s.evictions++
	if s.onEvict != nil {
		s.onEvict(s.nodes[i].key, s.nodes[i].size)
	}
}

// OnEvict implements EvictionObserver.
func (s *store) OnEvict(f func(key uint64, size uint32)) { s.onEvict = f }

// toGhost evicts entry i's data but keeps its key indexed, as policies with
// history (ARC's B1/B2, LIRS's non-resident HIR blocks) do: the entry no
// longer counts towards used. forget removes such an entry for good.
func (s *store) toGhost(i int32) {
	s.used -= int64(s.nodes[i].size)
	s.evicted(i)
	s.ghosts++
	s.markGhost(i, true)
}

// forget removes a ghost entry (see toGhost), already unlinked.
func (s *store) forget(i int32) {
	s.ghosts--
	s.markGhost(i, false)
	s.index.del(s.nodes[i].key, i)
	s.free = append(s.free, i)
}

// revive makes a ghost entry resident again.
func (s *store) revive(i int32) {
	s.used += int64(s.nodes[i].size)
	s.ghosts--
	s.markGhost(i, false)
}

// markGhost records whether entry i is a ghost.
func (s *store) markGhost(i int32, ghost bool) {
	w, bit := int(i>>6), uint64(1)<<(i&63)
	if ghost {
		for len(s.ghostBits) <= w {
			s.ghostBits = append(s.ghostBits, 0)
		}
		s.ghostBits[w] |= bit
	} else if w < len(s.ghostBits) {
		s.ghostBits[w] &^= bit
	}
}

// isGhost reports whether entry i is a ghost.
func (s *store) isGhost(i int32) bool {
	w := int(i >> 6)
	return w < len(s.ghostBits) && s.ghostBits[w]&(uint64(1)<<(i&63)) != 0
}

// Contains reports whether key's object is cached (see Cache): indexed,
// and not a ghost.
func (s *store) Contains(key uint64) bool {
	i, ok := s.lookupKey(key)
	return ok && !s.isGhost(i)
}

// ghostFIFO remembers the keys of recently evicted objects, oldest forgotten
// first, up to a total size, in a store of its own: a key can be
// remembered while its object is cached, or by several ghostFIFOs
// (CACHEUS's two histories). A cache whose ghosts are only of objects it
// no longer holds keeps them in its own store instead (ghostQueue).
type ghostFIFO struct {
	s store
	q list
}

func newGhostFIFO(capacity int64) ghostFIFO {
	return ghostFIFO{s: newStore(capacity), q: newList()}
}

// remember records key, whose number is ref (0: unknown), unless it is
// already remembered (a FIFO: no reordering).
func (g *ghostFIFO) remember(key uint64, ref uint32, size uint32) {
	if _, ok := g.s.index.get(key, ref); ok || !g.s.fits(size) {
		return
	}
	g.s.evictTail(&g.q, size)
	g.q.pushFront(g.s.nodes, g.s.addKey(key, ref, size))
}

// forget removes key, whose number is ref (0: unknown), and reports
// whether it was remembered.
func (g *ghostFIFO) forget(key uint64, ref uint32) bool {
	i, ok := g.s.index.get(key, ref)
	if ok {
		g.q.remove(g.s.nodes, i)
		g.s.drop(i)
	}
	return ok
}

// ghostQueue remembers recently evicted objects as ghost entries of the
// cache's own store (store.toGhost), oldest forgotten first, up to a total
// size: S3-FIFO's ghost queue, 2Q's A1out, QD-LP-FIFO's ghost. A ghost
// stays in the cache's key index, so one lookup finds an object or its
// ghost; its queueOf is inGhost. Its store should be a history store
// (newHistoryStore), to reserve room for the ghosts.
type ghostQueue struct{ segment }

func newGhostQueue(capacity int64) ghostQueue { return ghostQueue{newSegment(capacity)} }

// remember makes entry i of s, unlinked from the cache's queues and
// leaving the cache, a ghost at the queue's head, forgetting the oldest
// ghosts to make room. An object larger than the whole queue leaves no
// ghost. Either way the object counts as evicted.
func (g *ghostQueue) remember(s *store, i int32) {
	size := int64(s.nodes[i].size)
	if size > g.capacity {
		s.evict(i)
		return
	}
	for g.used+size > g.capacity {
		v := g.tail
		g.take(s.nodes, v)
		s.forget(v)
	}
	s.toGhost(i)
	setQueue(s.nodes, i, inGhost)
	g.push(s.nodes, i)
}

// forget removes entry i of s, a ghost of the queue (a miss that the
// queue remembered, or a removed key).
func (g *ghostQueue) forget(s *store, i int32) {
	g.take(s.nodes, i)
	s.forget(i)
}

// segment is a list with its own size accounting, for policies that split
// the cache into queues of bounded size (S3-FIFO, 2Q, SLRU, W-TinyLFU).
type segment struct {
	list
	used, capacity int64
}

func newSegment(capacity int64) segment { return segment{list: newList(), capacity: capacity} }

// push links entry i at the head and counts its size.
func (g *segment) push(n []entry, i int32) {
	g.pushFront(n, i)
	g.used += int64(n[i].size)
}

// take unlinks entry i and uncounts its size.
func (g *segment) take(n []entry, i int32) {
	g.remove(n, i)
	g.used -= int64(n[i].size)
}

// over reports whether the segment holds more than its capacity.
func (g *segment) over() bool { return g.used > g.capacity }

// Policies that split the cache into segments (ARC's and CAR's lists,
// SLRU's segments, SR-LRU's lists, W-TinyLFU's window, probation and
// protected) keep the segment each entry is in, an index into their array
// of segments, in its word32.

// segmentOf returns the segment entry i is in.
func segmentOf(n []entry, i int32) int32 { return n[i].word32 }

// setSegment records that entry i is in segment s.
func setSegment(n []entry, i, s int32) { n[i].word32 = s }

// pushTo links entry i, in no segment, at the head of segs[s].
func pushTo(segs []segment, n []entry, i, s int32) {
	setSegment(n, i, s)
	segs[s].push(n, i)
}

// takeSegment unlinks entry i from its segment.
func takeSegment(segs []segment, n []entry, i int32) { segs[n[i].word32].take(n, i) }

// moveTo relinks entry i from its segment to the head of segs[to].
func moveTo(segs []segment, n []entry, i, to int32) {
	takeSegment(segs, n, i)
	pushTo(segs, n, i, to)
}

// Policies with a small and a main queue and a ghost queue (S3-FIFO, 2Q,
// QD-LP-FIFO) keep the queue each entry is in in its word64: inSmall,
// inMain or inGhost (ghostQueue).
const (
	inSmall = 0
	inMain  = 1
	inGhost = 2
)

// queueOf returns the queue entry i is in: inSmall, inMain or inGhost.
func queueOf(n []entry, i int32) int64 { return n[i].word64 }

// setQueue records that entry i is in queue q.
func setQueue(n []entry, i int32, q int64) { n[i].word64 = q }

// denseSet holds entry indices in an array so that a uniformly random
// member can be drawn in O(1) (Random, BeladySize, Redis, …); each
// member's position in the array is in its word32 (densePos).
type denseSet struct{ items []int32 }

// densePos returns the position of entry i, a member, in its denseSet.
func densePos(n []entry, i int32) int32 { return n[i].word32 }

// setDensePos records the position of entry i in its denseSet.
func setDensePos(n []entry, i, p int32) { n[i].word32 = p }

func (d *denseSet) len() int { return len(d.items) }

// add appends entry i.
func (d *denseSet) add(n []entry, i int32) {
	setDensePos(n, i, int32(len(d.items)))
	d.items = append(d.items, i)
}

// remove takes entry i out, moving the last member into its place.
func (d *denseSet) remove(n []entry, i int32) {
	p := densePos(n, i)
	last := d.items[len(d.items)-1]
	d.items[p] = last
	setDensePos(n, last, p)
	d.items = d.items[:len(d.items)-1]
}

// pick returns a uniformly random member.
func (d *denseSet) pick(rng interface{ IntN(int) int }) int32 { return d.items[rng.IntN(len(d.items))] }

// keyIndex finds an entry by its key: by the key's number in the trace
// being replayed, a slice lookup, in a store that uses a numbering
// (store.useRefs), else by hashing the key. A key the numbering does not
// hold (one no request of the trace has) is hashed in either case.
type keyIndex struct {
	hash     keymap.Map     // key → entry, for the keys without a number
	refs     *trace.KeyRefs // the numbering; nil: every key is hashed
	entryOf  []int32        // entry + 1 by key number, 0: none
	numberOf []uint32       // key number by entry, 0: hashed (nil without refs)
	n        int            // entries indexed by number
	// held has bit r set when entryOf[r] is not 0. It is 32 times smaller
	// than entryOf, so it stays in the L1 or L2 cache where entryOf does
	// not: a miss, most lookups of a cache much smaller than the trace's
	// keys, reads only the bit.
	held []uint64
}

// heldWords is the length of held beside an entryOf of n numbers.
func heldWords(n int) int { return n/64 + 1 }

// has reports whether key number ref is indexed.
func (x *keyIndex) has(ref uint32) bool { return x.held[ref>>6]&(1<<(ref&63)) != 0 }

// numbered returns key's number, ref if known, 0 if it has none.
func (x *keyIndex) numbered(key uint64, ref uint32) uint32 {
	if ref == 0 && x.refs != nil {
		return x.refs.Of(key)
	}
	return ref
}

// get returns key's entry; ref is its number, 0 when unknown.
func (x *keyIndex) get(key uint64, ref uint32) (int32, bool) {
	if x.refs != nil {
		if ref = x.numbered(key, ref); ref != 0 {
			if int(ref) >= len(x.entryOf) || !x.has(ref) { // a stream's numbering grows
				return -1, false
			}
			return x.entryOf[ref] - 1, true
		}
	}
	return x.hash.Get(key)
}

// put indexes entry i under key, which must not be indexed; ref is its
// number, 0 when unknown.
func (x *keyIndex) put(key uint64, ref uint32, i int32) {
	if x.refs == nil {
		x.hash.Put(key, i)
		return
	}
	for int(i) >= len(x.numberOf) {
		x.numberOf = append(x.numberOf, 0)
	}
	if ref = x.numbered(key, ref); ref != 0 {
		if int(ref) >= len(x.entryOf) { // a stream's numbering grows
			x.entryOf = append(x.entryOf, make([]int32, int(ref)+1-len(x.entryOf))...)
			x.held = append(x.held, make([]uint64, heldWords(len(x.entryOf))-len(x.held))...)
		}
		x.entryOf[ref] = i + 1
		x.held[ref>>6] |= 1 << (ref & 63)
		x.n++
	} else {
		x.hash.Put(key, i)
	}
	x.numberOf[i] = ref
}

// del removes entry i, indexed under key.
func (x *keyIndex) del(key uint64, i int32) {
	if ref := x.ref(i); ref != 0 {
		x.entryOf[ref] = 0
		x.held[ref>>6] &^= 1 << (ref & 63)
		x.n--
		return
	}
	x.hash.Del(key)
}

// ref returns the number entry i is indexed by, 0 if it is hashed.
func (x *keyIndex) ref(i int32) uint32 {
	if x.refs == nil {
		return 0
	}
	return x.numberOf[i]
}

// len returns the number of entries indexed.
func (x *keyIndex) len() int { return x.hash.Len() + x.n }
