package policy

import "github.com/cachesim/cachesim/traces/keymap"

// This file holds the building blocks every policy shares: a slab of entries
// addressed by int32 index (no pointers for the garbage collector to chase),
// the key index, and the capacity accounting.

// nilIdx marks the absence of an entry in links.
const nilIdx int32 = -1

// entry is one cached object. 32 bytes.
type entry struct {
	key  uint64
	when int64 // a time or priority for policies that order by one (e.g. TTL expiry); heap key
	size uint32
	aux  int32 // policy-specific: LFU bucket, heap position, …
	prev int32
	next int32
}

// store owns the entries, the key index and the capacity accounting.
type store struct {
	nodes     []entry
	free      []int32
	index     keymap.Map
	capacity  int64
	used      int64
	evictions uint64
}

func newStore(capacity int64) store {
	return store{index: keymap.New(), capacity: capacity}
}

// Len returns the number of cached objects.
func (s *store) Len() int { return s.index.Len() }

// Used returns the sum of the sizes of the cached objects.
func (s *store) Used() int64 { return s.used }

// Capacity returns the capacity.
func (s *store) Capacity() int64 { return s.capacity }

// Evictions returns how many objects were evicted.
func (s *store) Evictions() uint64 { return s.evictions }

// lookup returns the entry of key, if cached.
func (s *store) lookup(key uint64) (int32, bool) { return s.index.Get(key) }

// fits reports whether an object of this size can ever be cached.
func (s *store) fits(size uint32) bool { return int64(size) <= s.capacity }

// full reports whether an object of this size needs an eviction first.
func (s *store) full(size uint32) bool { return s.used+int64(size) > s.capacity }

// add creates an unlinked entry for key and indexes it.
func (s *store) add(key uint64, size uint32) int32 {
	var i int32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		i = int32(len(s.nodes))
		s.nodes = append(s.nodes, entry{})
	}
	s.nodes[i] = entry{key: key, size: size, prev: nilIdx, next: nilIdx}
	s.index.Put(key, i)
	s.used += int64(size)
	return i
}

// drop removes an entry, already unlinked from the policy's structures.
func (s *store) drop(i int32) {
	s.index.Del(s.nodes[i].key)
	s.used -= int64(s.nodes[i].size)
	s.free = append(s.free, i)
}

// removeKey drops key's entry after unlink has taken it out of the policy's
// own structures; it reports whether key was cached. Policies implement
// Remover with it.
func (s *store) removeKey(key uint64, unlink func(i int32)) bool {
	i, ok := s.lookup(key)
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
		s.drop(v)
		s.evictions++
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
