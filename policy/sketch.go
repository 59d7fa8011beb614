package policy

import (
	"math/bits"

	"github.com/cachesim/cachesim/traces/trace"
)

// freqSketch is TinyLFU's popularity estimate as Caffeine's FrequencySketch
// (and otter v2's sketch) keeps it: a count-min sketch of 4-bit counters,
// four per key, all four in one 64-byte block of the table so that a lookup
// touches one cache line. After sampleSize increments every counter is
// halved ("periodic reset"), so that the estimate follows a changing
// popularity; the count of increments then drops by half, less the
// truncation the halving of odd counters lost. Counters saturate at 15.
//
// The table has a word per expected item (rounded up to a power of two, at
// least 8), 16 counters a word; sampleSize is ten times the expected items.
// An uninitialised sketch (no table) counts nothing and estimates 0, as
// Caffeine's before the cache is half full.
type freqSketch struct {
	table      []uint64
	blockMask  uint64
	size       uint64 // increments since the last reset, less the reset's correction
	sampleSize uint64
	seed       uint64
}

const (
	sketchResetMask = 0x7777777777777777 // clears each counter's top bit after a shift
	sketchOneMask   = 0x1111111111111111 // each counter's low bit
)

// initialised reports whether the sketch has a table.
func (s *freqSketch) initialised() bool { return s.table != nil }

// ensureCapacity sizes the table for n expected items, unless it is already
// as large: a new table starts empty (Caffeine's ensureCapacity). It
// reports whether it made a new table.
func (s *freqSketch) ensureCapacity(n uint64) bool {
	if uint64(len(s.table)) >= n && s.table != nil {
		return false
	}
	size := max(uint64(8), uint64(1)<<bits.Len64(max(n, 1)-1))
	s.table = make([]uint64, size)
	s.blockMask = size/8 - 1
	s.sampleSize = 10 * max(n, 1)
	s.size = 0
	return true
}

// locate returns the first word of key's block and the hash that picks its
// four counters. The counter hash is derived from the block hash by one
// multiplication and shift, as in Caffeine and otter (their "rehash"), not
// hashed afresh: its low bytes then depend mostly on the block hash's low
// bits, so keys that share a block also tend to share counters. The model
// keeps that, because it is what sets the estimates' error.
func (s *freqSketch) locate(key uint64) (block, counters uint64) {
	h := mix64(key ^ s.seed)
	c := h * 0x31848bab
	return (h & s.blockMask) << 3, c ^ c>>14
}

// counter returns the word and the shift of key's counter in row r (0..3):
// row r takes the r-th byte of the counter hash, whose low bit picks one of
// the row's two words and the next four bits one of its 16 counters.
func counter(block, counters uint64, r uint) (uint64, uint) {
	h := counters >> (8 * r)
	return block + h&1 + 2*uint64(r), uint((h>>1)&15) * 4
}

// frequency returns key's estimated count: the least of its four counters.
func (s *freqSketch) frequency(key uint64) uint64 {
	if s.table == nil {
		return 0
	}
	block, hc := s.locate(key)
	f := uint64(15)
	for r := range uint(4) {
		w, sh := counter(block, hc, r)
		f = min(f, (s.table[w]>>sh)&15)
	}
	return f
}

// increment counts one more occurrence of key in each of its counters that
// is not saturated, and resets the sketch after sampleSize increments; it
// reports whether it reset.
func (s *freqSketch) increment(key uint64) bool {
	if s.table == nil {
		return false
	}
	block, hc := s.locate(key)
	added := false
	for r := range uint(4) {
		w, sh := counter(block, hc, r)
		if (s.table[w]>>sh)&15 != 15 {
			s.table[w] += 1 << sh
			added = true
		}
	}
	if added {
		if s.size++; s.size == s.sampleSize {
			s.reset()
			return true
		}
	}
	return false
}

// reset halves every counter.
func (s *freqSketch) reset() {
	odd := 0
	for i, w := range s.table {
		odd += bits.OnesCount64(w & sketchOneMask)
		s.table[i] = (w >> 1) & sketchResetMask
	}
	s.size = (s.size - uint64(odd)/4) / 2
}

// mix64 spreads a key over 64 bits (trace.SpatialHash, a murmur3
// finaliser): sequential keys land in unrelated blocks.
func mix64(x uint64) uint64 { return trace.SpatialHash(x) }
