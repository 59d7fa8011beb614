package keymap

import (
	"math/bits"
	"runtime/debug"
	"unsafe"
)

// KeySet is a set of uint64 keys: the Map's table without values, so a
// slot is the 8-byte key alone and the set costs 16 to 32 bytes per key
// (half to a quarter full) where a Map costs 32 to 64. Key 0 marks an
// empty slot and is kept aside. The zero KeySet is ready to use.
type KeySet struct {
	slots     []uint64
	n         int
	zero      bool
	groupMask uint64
}

// Len returns the number of keys.
func (s *KeySet) Len() int {
	if s.zero {
		return s.n + 1
	}
	return s.n
}

// home is the slot a key hashes to, as Map.home.
func (s *KeySet) home(key uint64) int {
	hi, _ := bits.Mul64((key&^s.groupMask)*0x9e3779b97f4a7c15, uint64(len(s.slots)))
	return int(hi)&^int(s.groupMask) | int(key&s.groupMask)
}

// Has reports whether key is in the set.
func (s *KeySet) Has(key uint64) bool {
	if key == 0 {
		return s.zero
	}
	if len(s.slots) == 0 {
		return false
	}
	for i := s.home(key); ; {
		switch s.slots[i] {
		case 0:
			return false
		case key:
			return true
		}
		if i++; i == len(s.slots) {
			i = 0
		}
	}
}

// Add puts key in the set and reports whether it was absent.
func (s *KeySet) Add(key uint64) bool {
	if key == 0 {
		added := !s.zero
		s.zero = true
		return added
	}
	if 4*(s.n+1) > maxLoadQuarters*len(s.slots) {
		s.grow()
	}
	i := s.home(key)
	for s.slots[i] != 0 {
		if s.slots[i] == key {
			return false
		}
		if i++; i == len(s.slots) {
			i = 0
		}
	}
	s.slots[i] = key
	s.n++
	return true
}

func (s *KeySet) grow() {
	old := s.slots
	size := max(minTableSize, grown(len(old)))
	s.groupMask = 0
	if size >= bigSlots {
		size = (size + group - 1) &^ (group - 1)
		s.groupMask = group - 1
	}
	s.slots = make([]uint64, size)
	for _, k := range old {
		if k != 0 {
			i := s.home(k)
			for s.slots[i] != 0 {
				if i++; i == len(s.slots) {
					i = 0
				}
			}
			s.slots[i] = k
		}
	}
	releaseOld(len(old) * int(unsafe.Sizeof(uint64(0))))
}

// releaseOld hands the table a growth left behind back to the OS once it
// is big (16 MiB or more). The runtime keeps a freed span for reuse, but
// the next table is larger and seldom fits in it, so without this a
// process that grows a set from empty holds every table it ever had
// (replay --size 1000 of 8.65 M distinct keys: 433 MB peak RSS, 254 MB
// with this; of 10⁷: 643 MB, 373 MB, in the same time). It forces a
// collection and returns every free page, which is cheap when the set is
// most of the heap, as in a streamed replay; the Map does not do it, since
// in mrc and inspect, whose other per-key arrays grow beside their tables,
// it cost a third more time (mrc of 10⁷ keys: 21 s against 16) for a
// tenth less memory.
func releaseOld(bytes int) {
	if bytes >= bigSlots*16 {
		debug.FreeOSMemory()
	}
}
