package policy

import "math/bits"

// cmSketch is a count-min sketch of 4-bit counters, four rows, with periodic
// halving ("aging"), as Caffeine's FrequencySketch: after sampleSize
// increments every counter is halved, so that the sketch follows a changing
// popularity. Counters saturate at 15.
type cmSketch struct {
	rows       [4][]uint64 // 16 counters per word
	mask       uint64      // counters per row − 1
	additions  int
	sampleSize int
}

// newCMSketch sizes the sketch for about n distinct items (rounded up to a
// power of two counters per row, at least 64) and halves after 10·n additions.
func newCMSketch(n int) cmSketch {
	width := max(64, 1<<bits.Len(uint(max(n, 1)-1)))
	s := cmSketch{mask: uint64(width - 1), sampleSize: 10 * max(n, 1)}
	for r := range s.rows {
		s.rows[r] = make([]uint64, width/16)
	}
	return s
}

var sketchSeeds = [4]uint64{0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f, 0xcbf29ce484222325}

// slot returns the word and shift of key's counter in row r.
func (s *cmSketch) slot(key uint64, r int) (int, uint) {
	h := (key + sketchSeeds[r]) * 0x9e3779b97f4a7c15
	h ^= h >> 29
	c := h & s.mask
	return int(c >> 4), uint(c&15) * 4
}

// increment counts one more occurrence of key.
func (s *cmSketch) increment(key uint64) {
	added := false
	for r := range s.rows {
		w, sh := s.slot(key, r)
		if (s.rows[r][w]>>sh)&15 < 15 {
			s.rows[r][w] += 1 << sh
			added = true
		}
	}
	if added {
		if s.additions++; s.additions >= s.sampleSize {
			s.halve()
		}
	}
}

// estimate returns key's estimated count (the minimum over the rows).
func (s *cmSketch) estimate(key uint64) uint64 {
	m := uint64(15)
	for r := range s.rows {
		w, sh := s.slot(key, r)
		m = min(m, (s.rows[r][w]>>sh)&15)
	}
	return m
}

// halve divides every counter by two.
func (s *cmSketch) halve() {
	for r := range s.rows {
		for i, w := range s.rows[r] {
			s.rows[r][i] = (w >> 1) & 0x7777777777777777
		}
	}
	s.additions /= 2
}
