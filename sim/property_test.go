package sim_test

import (
	"container/list"
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
)

// randomTrace draws n requests over k keys, skewed so that some keys recur
// often; sizes (1…maxSize, fixed per key) when maxSize > 1.
func randomTrace(rng *rand.Rand, n, k int, maxSize uint32) *trace.Trace {
	tr := trace.NewTrace("random", trace.Fields{Size: maxSize > 1})
	sizes := make([]uint32, k)
	for i := range sizes {
		sizes[i] = 1 + rng.Uint32N(maxSize)
	}
	for i := 0; i < n; i++ {
		key := rng.IntN(1 + rng.IntN(k)) // skewed towards small keys
		tr.Append(&trace.Request{Key: uint64(key), Size: sizes[key]})
	}
	return tr
}

// LRU is a stack algorithm: a larger cache holds everything a smaller one
// does, so its hit count never decreases with the size.
func TestLRUInclusionProperty(t *testing.T) {
	tracestest.SkipUnderRace(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		tr := randomTrace(rng, 2000, 5+rng.IntN(300), 1)
		prev := uint64(0)
		for size := int64(1); size <= 320; size++ {
			st := sim.Replay(tr, policy.NewLRU(size), sim.Options{Objects: true})
			if st.Hits < prev {
				t.Fatalf("trial %d: %d hits at size %d < %d at size %d", trial, st.Hits, size, prev, size-1)
			}
			prev = st.Hits
		}
	}
}

// naiveLRU is an obviously correct byte-capacity LRU over container/list,
// written independently of the policy package to check it.
type naiveLRU struct {
	cap, used int64
	l         *list.List // front = most recent; values are [2]uint64{key, size}
	m         map[uint64]*list.Element
}

func (c *naiveLRU) access(key uint64, size uint32) bool {
	if e, ok := c.m[key]; ok {
		c.l.MoveToFront(e)
		return true
	}
	if int64(size) > c.cap {
		return false
	}
	for c.used+int64(size) > c.cap {
		e := c.l.Back()
		v := e.Value.([2]uint64)
		c.l.Remove(e)
		delete(c.m, v[0])
		c.used -= int64(v[1])
	}
	c.m[key] = c.l.PushFront([2]uint64{key, uint64(size)})
	c.used += int64(size)
	return false
}

func TestLRUMatchesNaiveByteLRU(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 30; trial++ {
		tr := randomTrace(rng, 3000, 10+rng.IntN(200), 100)
		capacity := int64(50 + rng.IntN(3000))
		n := &naiveLRU{cap: capacity, l: list.New(), m: map[uint64]*list.Element{}}
		var want sim.Stats
		for i, k := range tr.Keys {
			want.Requests++
			want.Bytes += uint64(tr.Sizes[i])
			if n.access(k, tr.Sizes[i]) {
				want.Hits++
				want.ByteHits += uint64(tr.Sizes[i])
			}
		}
		got := sim.Replay(tr, policy.NewLRU(capacity), sim.Options{Objects: false})
		got.Evictions = 0
		if !sameCounts(got, want) {
			t.Fatalf("trial %d capacity %d: got %+v, naive %+v", trial, capacity, got, want)
		}
	}
}

// A parallel sweep gives exactly the sequential replays, in order.
func TestSweepEqualsSequentialReplays(t *testing.T) {
	tr := randomTrace(rand.New(rand.NewPCG(5, 6)), 20000, 2000, 1)
	specs := []policy.Spec{{Name: "lru"}, {Name: "fifo"}, {Name: "lfu"}, {Name: "ttl"}}
	sizes := []int64{10, 50, 100, 500, 1000}
	res, err := sim.Sweep(sim.Plan{Trace: tr, Policies: specs, Sizes: sim.Sizes{Values: sizes}, Workers: 3})
	pts := res.Points
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != len(specs)*len(sizes) {
		t.Fatalf("%d points", len(pts))
	}
	for i, p := range pts {
		spec, size := specs[i/len(sizes)], sizes[i%len(sizes)]
		c, _ := policy.New(spec, policy.Config{Capacity: size})
		want := sim.Replay(tr, c, sim.Options{Objects: true})
		if p.Policy != spec.Name || p.Size != size || !sameCounts(p.Stats, want) {
			t.Errorf("point %d: %s/%d %+v, want %s/%d %+v", i, p.Policy, p.Size, p.Stats, spec.Name, size, want)
		}
	}
}

// Byte hit ratio weighs each request by its own size, also in object mode.
func TestByteHitRatioUsesRequestSizes(t *testing.T) {
	tr := trace.NewTrace("t", trace.Fields{Size: true})
	for _, r := range []trace.Request{{Key: 1, Size: 100}, {Key: 1, Size: 300}, {Key: 2, Size: 50}, {Key: 1, Size: 50}} {
		tr.Append(&r)
	}
	st := sim.Replay(tr, policy.NewLRU(2), sim.Options{Objects: true})
	// Hits: the 2nd (300 bytes) and the 4th (50); total 500 bytes.
	if st.Hits != 2 || st.ByteHits != 350 || st.Bytes != 500 || st.ByteHitRatio() != 0.7 {
		t.Fatalf("got %+v (byte hit ratio %g), want 2 hits, 350 of 500 bytes", st, st.ByteHitRatio())
	}
}

// sameCounts compares the counters of two Stats (not their optional
// latency histograms and windows).
func sameCounts(a, b sim.Stats) bool {
	return a.Requests == b.Requests && a.Hits == b.Hits && a.Bytes == b.Bytes &&
		a.ByteHits == b.ByteHits && a.Evictions == b.Evictions
}

// TestEveryPolicyTakesWrites replays a random trace of gets, sets,
// deletes, TTL changes and change rows (most of them sets), of sizes 1 to 100 bytes, through
// every policy at a byte capacity that evicts: none may panic, hold more
// than its capacity, or count other than the trace's reads. (belady-size
// once lost track of the request index on writes and panicked.)
func TestEveryPolicyTakesWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tr := trace.NewTrace("writes", trace.Fields{Op: true, Size: true, TTL: true, Time: true})
	ops := []trace.Op{trace.OpGet, trace.OpGet, trace.OpSet, trace.OpSet, trace.OpSet, trace.OpDelete, trace.OpExpire, trace.OpChange}
	reads := uint64(0)
	for i := 0; i < 20000; i++ {
		op := ops[rng.IntN(len(ops))]
		if op == trace.OpGet {
			reads++
		}
		k := uint64(rng.IntN(500))
		tr.Append(&trace.Request{Key: k, Size: uint32(1 + k%100), Op: op, Time: int64(i) * 1e6, TTL: uint32(rng.IntN(3)) * 5})
	}
	for _, name := range policy.Names() {
		c, err := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: 5000, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		st := sim.Replay(tr, c, sim.Options{})
		// memcached's model holds a slab page per class in use, past any
		// small limit, as the server does.
		if st.Requests != reads || (c.Used() > c.Capacity() && name != "memcached") {
			t.Errorf("%s: %d requests (want %d), %d bytes held of %d", name, st.Requests, reads, c.Used(), c.Capacity())
		}
	}
}
