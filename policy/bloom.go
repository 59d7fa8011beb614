package policy

import (
	"math"
	"math/bits"
)

// bloom is a Bloom filter over keys: k bit positions per key in a
// power-of-two bit set, by double hashing. It may say yes for a key never
// put (a false positive), never no for one that was. TinyLFU's doorkeeper
// is one, cleared with each reset of the sketch.
type bloom struct {
	bits []uint64
	mask uint64
	k    int
	seed uint64
}

// newBloom sizes a filter for n keys at a false-positive rate of about p:
// m = −n·ln p / (ln 2)² bits rounded up to a power of two (at least 512),
// k = ⌈(m/n)·ln 2⌉ positions (the textbook optimum, as ristretto's z.Bloom).
func newBloom(n uint64, p float64, seed uint64) bloom {
	n = max(n, 1)
	m := max(uint64(512), uint64(math.Ceil(-float64(n)*math.Log(p)/(math.Ln2*math.Ln2))))
	size := uint64(1) << bits.Len64(m-1)
	k := int(math.Ceil(math.Ln2 * float64(m) / float64(n)))
	return bloom{bits: make([]uint64, size/64), mask: size - 1, k: max(k, 1), seed: seed}
}

// positions returns the two hashes whose combinations h1 + i·h2 are key's bits.
func (b *bloom) positions(key uint64) (h1, h2 uint64) {
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
	h1, h2 := b.positions(key)
	added := false
	for i := range b.k {
		p := (h1 + uint64(i)*h2) & b.mask
		if w := &b.bits[p>>6]; *w&(1<<(p&63)) == 0 {
			*w |= 1 << (p & 63)
			added = true
		}
	}
	return added
}

// clear empties the filter.
func (b *bloom) clear() { clear(b.bits) }
