// Package keymap is a hash map from uint64 keys to int32 values, built for
// the simulator's hot loops.
package keymap

import (
	"math/bits"
	"unsafe"

	"github.com/cachesim/cachesim/traces/huge"
)

// Map maps keys to int32 values: open addressing with linear probing and
// backward-shift deletion, so a lookup usually touches one cache line and
// nothing is ever a tombstone. The table is at most half full: a cache's
// index stays full once warm, and at 3/4 load the probe runs that a delete
// walks (rehashing every member it passes) made Del a quarter of a replay;
// at 1/2 they are short (BenchmarkMix: 15-48% faster than 3/4 on the
// shared traces, and faster than Go's map). Each slot is 16 bytes, so a
// full index costs 32 bytes per key. The table need not be a power of two,
// so a map sized for its contents (NewSized) wastes little. The zero Map is
// not usable: call New or NewSized.
type Map struct {
	slots []slot
	n     int
	// groupMask is group-1 in tables too large for the CPU cache, else 0
	// (see home).
	groupMask uint64
}

// slot holds a key and its value plus one; 0 marks an empty slot.
type slot struct {
	key uint64
	val int32
}

const (
	// group consecutive keys hash to consecutive slots (one 64-byte cache
	// line of 16-byte slots) in tables of bigSlots slots (16 MiB) or more.
	group        = 4
	bigSlots     = 1 << 20
	minTableSize = 16
	// maxLoad is the fill (in quarters) past which the table grows.
	maxLoadQuarters = 2
)

// over reports whether one more key would fill the table past its load.
func (t *Map) over() bool { return 4*(t.n+1) > maxLoadQuarters*len(t.slots) }

// New returns an empty Map.
func New() Map { return newMap(minTableSize) }

// NewSized returns an empty Map that holds n keys without growing.
func NewSized(n int) Map {
	return newMap(max(minTableSize, n*4/maxLoadQuarters+1))
}

// SizedBytes returns the memory of NewSized(n) without building it.
func SizedBytes(n int) int64 {
	size := max(minTableSize, n*4/maxLoadQuarters+1)
	if size >= bigSlots {
		size = (size + group - 1) &^ (group - 1)
	}
	return int64(size) * int64(unsafe.Sizeof(slot{}))
}

// Len returns the number of keys.
func (t *Map) Len() int { return t.n }

// Bytes returns the memory the table holds.
func (t *Map) Bytes() int64 { return int64(len(t.slots)) * int64(unsafe.Sizeof(slot{})) }

// newMap returns an empty Map of about size slots (rounded up to a whole
// group in big tables).
func newMap(size int) Map {
	if size < bigSlots {
		return Map{slots: huge.Make[slot](size, size)}
	}
	size = (size + group - 1) &^ (group - 1)
	return Map{slots: huge.Make[slot](size, size), groupMask: group - 1}
}

// home is the slot a key hashes to: a multiplicative (Fibonacci) hash, which
// spreads the sequential block numbers of many traces well, mapped onto the
// table by its high bits (Lemire's multiply-shift range reduction).
//
// In a table too large for the CPU cache, where nearly every lookup is a
// cache miss, groups of four consecutive keys hash to four consecutive
// slots, one cache line: the runs of consecutive block numbers of block
// traces (p3, oltp) then miss once per line instead of once per key (the
// exact p3 curve, 763 k keys: 30% less CPU; BenchmarkMix at 600 k keys:
// 20% faster). The probe runs get longer (whole groups collide), which costs
// more than it saves in tables that the CPU caches hold (BenchmarkMix at
// 100 k keys, a 3 MiB table: 24-80% slower), so those hash every key on
// its own.
func (t *Map) home(key uint64) int {
	hi, _ := bits.Mul64((key&^t.groupMask)*0x9e3779b97f4a7c15, uint64(len(t.slots)))
	return int(hi)&^int(t.groupMask) | int(key&t.groupMask)
}

// next is the slot after i, wrapping around.
func (t *Map) next(i int) int {
	if i++; i == len(t.slots) {
		return 0
	}
	return i
}

// Get returns the value stored for key.
func (t *Map) Get(key uint64) (int32, bool) {
	for i := t.home(key); ; i = t.next(i) {
		s := &t.slots[i]
		if s.val == 0 {
			return 0, false
		}
		if s.key == key {
			return s.val - 1, true
		}
	}
}

// Put stores key → v; key must not be present.
func (t *Map) Put(key uint64, v int32) {
	if t.over() {
		t.grow()
	}
	i := t.home(key)
	for t.slots[i].val != 0 {
		i = t.next(i)
	}
	t.slots[i] = slot{key: key, val: v + 1}
	t.n++
}

// Set stores key → v (v >= 0, as for Put), replacing key's value if it is present.
func (t *Map) Set(key uint64, v int32) {
	if t.over() {
		t.grow()
	}
	i := t.home(key)
	for ; t.slots[i].val != 0; i = t.next(i) {
		if t.slots[i].key == key {
			t.slots[i].val = v + 1
			return
		}
	}
	t.slots[i] = slot{key: key, val: v + 1}
	t.n++
}

// Add stores key → v unless key is present, and reports whether it did:
// a Get and a Put in one probe.
func (t *Map) Add(key uint64, v int32) bool {
	if t.over() {
		t.grow()
	}
	i := t.home(key)
	for ; t.slots[i].val != 0; i = t.next(i) {
		if t.slots[i].key == key {
			return false
		}
	}
	t.slots[i] = slot{key: key, val: v + 1}
	t.n++
	return true
}

// Del removes key, shifting later members of its probe run back so that
// lookups never need tombstones.
func (t *Map) Del(key uint64) {
	i := t.home(key)
	for t.slots[i].key != key || t.slots[i].val == 0 {
		if t.slots[i].val == 0 {
			return
		}
		i = t.next(i)
	}
	j := i
	for {
		j = t.next(j)
		if t.slots[j].val == 0 {
			break
		}
		// The slot at j may move to i only if its home is not in (i, j],
		// the probe run between them (which may wrap around the end).
		h := t.home(t.slots[j].key)
		if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = slot{}
	t.n--
}

func (t *Map) grow() {
	old, n := t.slots, t.n
	*t = newMap(grown(len(old)))
	t.n = n
	for _, s := range old {
		if s.val != 0 {
			i := t.home(s.key)
			for t.slots[i].val != 0 {
				i = t.next(i)
			}
			t.slots[i] = s
		}
	}
}

// grown is the size a full table of size slots grows to: twice as large,
// but only half as large again once it is big, where the memory it holds
// matters more than rehashing a little more often (a table just past a
// doubling holds 4 slots a key, just past a growth by half 3; while it
// grows, the old and new tables hold 5 slots a key instead of 6).
func grown(size int) int {
	if size >= bigSlots {
		return size + size/2
	}
	return 2 * size
}
