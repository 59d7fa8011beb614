package policy

import (
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	Register(Info{
		Name: "ristretto",
		Summary: "models the Go cache library ristretto v2 (github.com/dgraph-io/ristretto/v2, checked against v2.4.2) " +
			"with MaxCost the capacity, each object's cost its size (IgnoreInternalCost) and integer keys: sampled LFU " +
			"eviction (the least popular of 5 random objects) behind TinyLFU admission (a new object must be at least " +
			"as popular as that victim), popularity from a 4-row count-min sketch and a Bloom doorkeeper fed by gets " +
			"in batches, both reset every NumCounters increments; no sets dropped",
		Traits: Randomised,
		Params: []Param{
			IntParam("counters", 0, 0, 1<<30, "NumCounters; 0 means 10 × the capacity (the library's advice for "+
				"object counts), at most 10,000,000 (its README's example)"),
			IntParam("buffer", 64, 1, 1<<20, "BufferItems: gets are counted in batches of this many"),
		},
		New: func(c Config) (Cache, error) {
			counters := c.Values.Int("counters")
			if counters == 0 {
				counters = min(10*max(c.Capacity, 1), 10_000_000)
			}
			return newRistretto(c.Capacity, counters, int(c.Values.Int("buffer")), c.Seed), nil
		},
	})
}

// ristrettoSample is how many objects ristretto's sampled LFU compares.
const ristrettoSample = 5

// ristretto models ristretto's policy (policy.go, sketch.go, z/bbloom.go)
// replayed one request at a time, each set waited for (Cache.Wait), so that
// nothing is dropped. A get queues its key; every buffer keys the queue is
// counted: a key the doorkeeper has not seen goes there, others into the
// count-min sketch, and after counters such increments both are reset (the
// doorkeeper cleared, the sketch halved). A miss is set with its size as
// its cost: if it fits, it is added; otherwise, until it fits, the least
// popular of a sample of 5 random cached objects (refilled to 5 after each
// eviction) is evicted, unless the newcomer is less popular than it, which
// rejects the newcomer (objects already evicted for it stay evicted).
// Popularity is the sketch's estimate plus one if the doorkeeper holds the
// key. Hits change nothing but the counts.
//
// The sketch's rows hash a key by XOR with a random seed per row, and the
// doorkeeper takes bit positions from the key's own bits, as the library
// does with an integer key (its hash is the integer). The library's
// randomness (row seeds, Go's map iteration for the sample) is drawn here
// from the seed, so runs repeat.
type ristretto struct {
	store
	keys     denseSet
	rows     [4][]byte // 4-bit counters, two a byte
	seeds    [4]uint64
	mask     uint64
	door     bloom
	incrs    int64
	resetAt  int64
	pending  []uint64 // gets not yet counted
	sample   []int32
	rng      *rand.Rand
	rejected uint64
	admitted uint64
}

// newRistretto returns an empty ristretto model with NumCounters counters,
// gets counted in batches of buffer, choices drawn from seed.
func newRistretto(capacity, counters int64, buffer int, seed uint64) *ristretto {
	counters = max(counters, 1)
	width := int64(1)
	for width < counters {
		width <<= 1
	}
	c := &ristretto{
		store: newStore(capacity), mask: uint64(width - 1), resetAt: counters,
		door:    newBloom(uint64(counters), 0.01, 0, true),
		pending: make([]uint64, 0, buffer), sample: make([]int32, 0, ristrettoSample),
		rng: rand.New(rand.NewPCG(seed, 0x7269737472657474)),
	}
	for r := range c.rows {
		c.seeds[r] = c.rng.Uint64()
		c.rows[r] = make([]byte, max(width/2, 1))
	}
	return c
}

// Admissions reports how many misses were admitted and how many the
// TinyLFU filter rejected.
func (c *ristretto) Admissions() (admitted, rejected uint64) { return c.admitted, c.rejected }

// Access queues r's key for counting and looks it up; a miss is set.
func (c *ristretto) Access(r *trace.Request) bool {
	c.pending = append(c.pending, r.Key)
	if len(c.pending) == cap(c.pending) {
		for _, k := range c.pending {
			c.increment(k)
		}
		c.pending = c.pending[:0]
	}
	if _, ok := c.lookup(r); ok {
		return true
	}
	if c.set(r.Key, r.Ref, r.Size) {
		c.admitted++
	} else if c.fits(r.Size) {
		c.rejected++
	}
	return false
}

// set is the policy's Add: it makes room by sampled LFU eviction, or
// rejects the object, and reports whether it was added.
func (c *ristretto) set(key uint64, ref, size uint32) bool {
	if !c.fits(size) {
		return false
	}
	if c.full(size) {
		pop := c.estimate(key)
		c.sample = c.sample[:0]
		for c.full(size) {
			c.fillSample()
			v, pos := c.leastPopular()
			if pop < c.estimate(c.nodes[v].key) {
				return false
			}
			last := len(c.sample) - 1
			c.sample[pos] = c.sample[last]
			c.sample = c.sample[:last]
			c.keys.remove(c.nodes, v)
			c.evict(v)
		}
	}
	c.keys.add(c.nodes, c.addKey(key, ref, size))
	return true
}

// fillSample tops the sample up to 5 distinct cached objects drawn at random.
func (c *ristretto) fillSample() {
	for len(c.sample) < min(ristrettoSample, c.keys.len()) {
		v := c.keys.pick(c.rng)
		dup := false
		for _, s := range c.sample {
			dup = dup || s == v
		}
		if !dup {
			c.sample = append(c.sample, v)
		}
	}
}

// leastPopular returns the sample's least popular object (the first of
// equals) and its position in the sample.
func (c *ristretto) leastPopular() (int32, int) {
	best, pos := int64(-1), 0
	for p, i := range c.sample {
		if e := c.estimate(c.nodes[i].key); best < 0 || e < best {
			best, pos = e, p
		}
	}
	return c.sample[pos], pos
}

// increment counts one get of key: in the doorkeeper the first time since
// the last reset, in the sketch afterwards.
func (c *ristretto) increment(key uint64) {
	if !c.door.put(key) {
		for r := range c.rows {
			n := (key ^ c.seeds[r]) & c.mask
			b, sh := &c.rows[r][n/2], (n&1)*4
			if (*b>>sh)&15 < 15 {
				*b += 1 << sh
			}
		}
	}
	if c.incrs++; c.incrs >= c.resetAt {
		c.incrs = 0
		c.door.clear()
		for _, row := range c.rows {
			for i, b := range row {
				row[i] = (b >> 1) & 0x77
			}
		}
	}
}

// estimate is key's popularity: the least of its sketch counters, plus one
// if the doorkeeper holds it.
func (c *ristretto) estimate(key uint64) int64 {
	m := byte(15)
	for r := range c.rows {
		n := (key ^ c.seeds[r]) & c.mask
		m = min(m, (c.rows[r][n/2]>>((n&1)*4))&15)
	}
	if c.door.has(key) {
		m++
	}
	return int64(m)
}

// Remove drops key's object (Cache.Del).
func (c *ristretto) Remove(key uint64) bool { return c.removeDense(key, &c.keys) }
