package policy

import (
	"math"
	"math/bits"
)

// bloom is a Bloom filter over keys: k bit positions per key in a
// power-of-two bit set. It may say yes for a key never put (a false
// positive), never no for one that was. TinyLFU's doorkeeper is one,
// cleared with each reset of the sketch.
//
// Positions are h1 + i·h2 for i < k. By default h1 and h2 are hashes of
// the key; a raw filter takes them from the key itself, its high bits and
// its low bits, as ristretto's z.Bloom does with the key hash it is given
// (for integer keys, the integer: so the model meets the same collisions).
type bloom struct {
	bits  []uint64
	mask  uint64
	k     int
	seed  uint64
	raw   bool
	shift uint // raw: 64 − log2(bit count)
}

// newBloom sizes a filter for n keys at a false-positive rate of about p, as
// ristretto's z.NewBloomFilter does: m = −n·ln p / (ln 2)² bits rounded up
// to a power of two (at least 512), k = ⌈(m/n)·ln 2⌉ positions.
func newBloom(n uint64, p float64, seed uint64, raw bool) bloom {
	n = max(n, 1)
	m := -float64(n) * math.Log(p) / (math.Ln2 * math.Ln2)
	k := max(1, int(math.Ceil(math.Ln2*m/float64(n))))
	exp := bits.Len64(max(uint64(512), uint64(m)) - 1)
	return bloom{bits: make([]uint64, (1<<exp)/64), mask: 1<<exp - 1, k: k, seed: seed, raw: raw, shift: uint(64 - exp)}
}

// positions returns the two numbers whose combinations h1 + i·h2 are key's bits.
func (b *bloom) positions(key uint64) (h1, h2 uint64) {
	if b.raw {
		return key >> b.shift, key << b.shift >> b.shift
	}
	h1 = mix64(key ^ b.seed)
	return h1, mix64(h1) | 1
}

// has reports whether key may have been put.
func (b *bloom) has(key uint64) bool {
	h1, h2 := b.positions(key)
	for i := range b.k {
		p := (h1 + uint64(i)*h2) & b.mask
		if b.bits[p>>6]&(1<<(p&63)) == 0 {
			return false
		}
	}
	return true
}

// put adds key and reports whether it was new: whether any of its bits was
// still clear.
func (b *bloom) put(key uint64) bool {
	if b.has(key) {
		return false
	}
	h1, h2 := b.positions(key)
	for i := range b.k {
		p := (h1 + uint64(i)*h2) & b.mask
		b.bits[p>>6] |= 1 << (p & 63)
	}
	return true
}

// clear empties the filter.
func (b *bloom) clear() { clear(b.bits) }
