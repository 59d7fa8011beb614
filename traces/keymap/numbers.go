package keymap

import (
	"math/bits"
	"unsafe"

	"github.com/cachesim/cachesim/traces/huge"
)

// Numbers finds the number (1…) a numbering gave each key, in half the
// memory of a Map: an 8-byte slot holds the number and a 32-bit code
// from the key's hash, and a lookup whose code matches checks the key
// itself in the numbering's keys by number (keyOf, which its owner keeps
// anyway). Keys are added, never deleted, so no delete walks the longer
// probe runs of a table that grows at 3/4 full, not 1/2 as a Map: 11 to
// 21 bytes a key, where a Map holds 32 to 64. A numbering's table is touched
// once per distinct key and read at random; half the memory is half the
// page faults and cache misses. The zero Numbers is empty and usable.
type Numbers struct {
	slots   []uint64 // code<<32 | number; 0: empty
	n       int
	grouped bool // see home
}

const (
	// numbersGroup consecutive keys share a code's hash in grouped
	// tables and sit in consecutive slots: one 64-byte cache line.
	numbersGroup = 8
	// numbersBig is the size from which a table is grouped: 8 MiB, too
	// large for the CPU cache (Map's bigSlots, by slot count).
	numbersBig = 1 << 20
)

// NumbersPerPage is the most keys NewNumbersSized can be asked room for
// in one huge page (huge.Page) of slots.
const NumbersPerPage = (huge.Page/8 - 1) * 3 / 4

// NewNumbersSized returns an empty Numbers with room for n keys before it grows.
func NewNumbersSized(n int) Numbers {
	return newNumbers(n*4/3 + 1)
}

func newNumbers(size int) Numbers {
	size = max(size, minTableSize)
	if size < numbersBig {
		return Numbers{slots: huge.MakeTable[uint64](size, size)}
	}
	size = (size + numbersGroup - 1) &^ (numbersGroup - 1)
	return Numbers{slots: huge.MakeTable[uint64](size, size), grouped: true}
}

// numberCode is key's code: the high bits of a multiplicative hash of its
// group (the key without its low bits), and those low bits.
func numberCode(key uint64) uint32 {
	h := (key &^ (numbersGroup - 1)) * 0x9e3779b97f4a7c15
	return uint32(h>>32)&^(numbersGroup-1) | uint32(key&(numbersGroup-1))
}

// home is the slot of a key with code c. Like Map's (see Map.home), a
// grouped table puts the keys of a group of consecutive keys in
// consecutive slots, so that block traces' runs of consecutive keys miss
// the CPU cache once per line, and a smaller one hashes each key on its
// own (here by hashing the code again), as collisions of whole groups
// cost more there than they save.
func (t *Numbers) home(c uint32) int {
	if t.grouped {
		hi, _ := bits.Mul64(uint64(c)&^(numbersGroup-1)<<32, uint64(len(t.slots)/numbersGroup))
		return int(hi)*numbersGroup + int(c&(numbersGroup-1))
	}
	hi, _ := bits.Mul64(uint64(c)*0x9e3779b97f4a7c15, uint64(len(t.slots)))
	return int(hi)
}

// next is the slot after i, wrapping around.
func (t *Numbers) next(i int) int {
	if i++; i == len(t.slots) {
		return 0
	}
	return i
}

// Len returns the number of keys.
func (t *Numbers) Len() int { return t.n }

// Bytes returns the memory the table holds.
func (t *Numbers) Bytes() int64 { return int64(len(t.slots)) * int64(unsafe.Sizeof(uint64(0))) }

// Get returns key's number; keyOf holds the keys by number − 1.
func (t *Numbers) Get(key uint64, keyOf []uint64) (uint32, bool) {
	if t.n == 0 {
		return 0, false
	}
	c := numberCode(key)
	for i := t.home(c); ; i = t.next(i) {
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if uint32(s>>32) == c && keyOf[uint32(s)-1] == key {
			return uint32(s), true
		}
	}
}

// Put adds key with number ref (1 or more); key must not be present.
func (t *Numbers) Put(key uint64, ref uint32) {
	if 4*(t.n+1) > 3*len(t.slots) {
		t.grow()
	}
	t.place(uint64(numberCode(key))<<32 | uint64(ref))
	t.n++
}

// place puts slot value s in the first empty slot from its home.
func (t *Numbers) place(s uint64) {
	i := t.home(uint32(s >> 32))
	for t.slots[i] != 0 {
		i = t.next(i)
	}
	t.slots[i] = s
}

// grow doubles the table. A slot's code gives its home, so the keys need
// not be looked at.
func (t *Numbers) grow() {
	old, n := t.slots, t.n
	*t = newNumbers(2 * len(old))
	t.n = n
	for _, s := range old {
		if s != 0 {
			t.place(s)
		}
	}
}
