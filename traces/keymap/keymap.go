// Package keymap is a hash map from uint64 keys to int32 values, built for
// the simulator's hot loops.
package keymap

// Map maps keys to int32 values: open addressing with linear probing and
// backward-shift deletion, so a lookup usually touches one cache line and
// nothing is ever a tombstone. It is faster than a Go map for the simulator's
// lookup/insert/delete mix, and holds 16 bytes per slot. The zero Map is
// not usable: call New.
type Map struct {
	slots []slot
	mask  uint64
	shift uint8
	n     int
}

// slot holds a key and its value plus one; 0 marks an empty slot.
type slot struct {
	key uint64
	val int32
}

const minTableSize = 16

// New returns an empty Map.
func New() Map {
	return Map{slots: make([]slot, minTableSize), mask: minTableSize - 1, shift: 64 - 4}
}

// Len returns the number of keys.
func (t *Map) Len() int { return t.n }

// home is the slot a key hashes to (Fibonacci hashing: trace keys are often
// sequential block numbers, which a multiplicative hash spreads well).
func (t *Map) home(key uint64) uint64 { return (key * 0x9e3779b97f4a7c15) >> t.shift }

// Get returns the value stored for key.
func (t *Map) Get(key uint64) (int32, bool) {
	for i := t.home(key); ; i = (i + 1) & t.mask {
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
	if 4*(t.n+1) > 3*len(t.slots) {
		t.grow()
	}
	i := t.home(key)
	for t.slots[i].val != 0 {
		i = (i + 1) & t.mask
	}
	t.slots[i] = slot{key: key, val: v + 1}
	t.n++
}

// Del removes key, shifting later members of its probe run back so that
// lookups never need tombstones.
func (t *Map) Del(key uint64) {
	i := t.home(key)
	for t.slots[i].key != key || t.slots[i].val == 0 {
		if t.slots[i].val == 0 {
			return
		}
		i = (i + 1) & t.mask
	}
	j := i
	for {
		j = (j + 1) & t.mask
		if t.slots[j].val == 0 {
			break
		}
		// The slot at j may move to i only if its home is not in (i, j].
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
	old := t.slots
	t.slots = make([]slot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	t.shift--
	for _, s := range old {
		if s.val != 0 {
			i := t.home(s.key)
			for t.slots[i].val != 0 {
				i = (i + 1) & t.mask
			}
			t.slots[i] = s
		}
	}
}
