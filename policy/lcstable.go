package policy

import "math/bits"

// This file holds what the policies that sample as libCacheSim does share:
// its random number generator and a model of its hash table, whose layout
// decides which object a random draw returns. With both, a sampled policy
// draws the same objects as libCacheSim from the same seed.

// lcsRand is libCacheSim's random number generator (next_rand): Lemire's
// lehmer64, a 128-bit state multiplied by 0xda942042e4dd58b5 at each draw,
// which returns the state's high 64 bits. set_rand_seed(s) sets the state
// to s, and libCacheSim's simulator seeds every cache with 1.
type lcsRand struct{ hi, lo uint64 }

// newLCSRand returns the generator seeded with seed. A state of 0 would
// draw only zeros, so seed 0 gives libCacheSim's state before any seeding,
// 0xdeadbeef.
func newLCSRand(seed uint64) lcsRand {
	if seed == 0 {
		seed = 0xdeadbeef
	}
	return lcsRand{lo: seed}
}

// next returns the next draw.
func (r *lcsRand) next() uint64 {
	const m = 0xda942042e4dd58b5
	hi, lo := bits.Mul64(r.lo, m)
	r.hi, r.lo = hi+r.hi*m, lo
	return r.hi
}

// xxh3Of8 is XXH3-64 (seed 0, default secret) of the 8-byte little-endian
// encoding of key, libCacheSim's hash of an object id: the 4-to-8-byte case
// of the XXH3 specification, whose secret bytes 8 to 23 enter as a bit flip.
func xxh3Of8(key uint64) uint64 {
	const bitflip = 0x1cad21f72c81017c ^ 0xdb979083e96dd4de // secret[8:16] ^ secret[16:24], little-endian
	lo, hi := uint32(key), uint32(key>>32)                  // the first and the last 4 bytes
	h := (uint64(hi) | uint64(lo)<<32) ^ bitflip
	h ^= bits.RotateLeft64(h, 49) ^ bits.RotateLeft64(h, 24)
	h *= 0x9fb21c651e98df25
	h ^= (h >> 35) + 8
	h *= 0x9fb21c651e98df25
	return h ^ h>>28
}

// lcsTable models the chained hash table of libCacheSim (chainedHashTableV2)
// over a store's entries: 2^power buckets, each a chain of entries with the
// newest at its head; it doubles before an insert that finds more entries
// than buckets, and a random draw (libCacheSim's hashtable_rand_obj) picks a
// random non-empty bucket, halving the table after more than 32 empty
// tries, and then a random entry of its chain. Rehashing walks the old
// buckets in order and each chain from its head, prepending to the new
// chains, as libCacheSim does.
type lcsTable struct {
	power   uint
	buckets []int32  // chain heads, nilIdx when empty
	spare   []int32  // the other bucket array, reused when rehashing
	chain   []int32  // next entry in the chain, by entry index
	hash    []uint64 // xxh3Of8 of the key, by entry index
	n       int
}

func newLCSTable(power uint) lcsTable {
	t := lcsTable{power: power, buckets: make([]int32, 1<<power)}
	for i := range t.buckets {
		t.buckets[i] = nilIdx
	}
	return t
}

// insert adds entry i, whose key is key.
func (t *lcsTable) insert(i int32, key uint64) {
	if t.n > len(t.buckets) {
		t.rehash(t.power + 1)
	}
	if int(i) >= len(t.chain) {
		grow := int(i) + 1 - len(t.chain)
		t.chain = append(t.chain, make([]int32, grow)...)
		t.hash = append(t.hash, make([]uint64, grow)...)
	}
	t.hash[i] = xxh3Of8(key)
	t.prepend(i)
	t.n++
}

// prepend links entry i at the head of its bucket's chain.
func (t *lcsTable) prepend(i int32) {
	b := t.hash[i] & (1<<t.power - 1)
	t.chain[i] = t.buckets[b]
	t.buckets[b] = i
}

// remove unlinks entry i.
func (t *lcsTable) remove(i int32) {
	p := &t.buckets[t.hash[i]&(1<<t.power-1)]
	for *p != i {
		p = &t.chain[*p]
	}
	*p = t.chain[i]
	t.n--
}

// sample returns a random entry as libCacheSim's hashtable_rand_obj does,
// drawing from rng; the table must not be empty.
func (t *lcsTable) sample(rng *lcsRand) int32 {
	pos := rng.next() & (1<<t.power - 1)
	for tries := 1; t.buckets[pos] == nilIdx; tries++ {
		if tries > 32 {
			t.rehash(t.power - 1)
		}
		pos = rng.next() & (1<<t.power - 1)
	}
	n := uint64(0)
	for v := t.buckets[pos]; v != nilIdx; v = t.chain[v] {
		n++
	}
	v := t.buckets[pos]
	if draw := rng.next(); n > 1 {
		for k := draw % n; k > 0; k-- {
			v = t.chain[v]
		}
	}
	return v
}

// rehash moves every entry to a table of 2^power buckets.
func (t *lcsTable) rehash(power uint) {
	old := t.buckets
	size := 1 << power
	if cap(t.spare) < size {
		t.spare = make([]int32, size, max(size, cap(old)))
	}
	t.buckets, t.spare, t.power = t.spare[:size], old, power
	for i := range t.buckets {
		t.buckets[i] = nilIdx
	}
	for _, head := range old {
		for v := head; v != nilIdx; {
			next := t.chain[v]
			t.prepend(v)
			v = next
		}
	}
}
