package policy

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// TestRemove checks, for LRU, FIFO, LFU and TTL by hand, that Remove drops
// exactly the named object, frees its space, is not an eviction, and that
// the policy keeps working afterwards (TestRemoveRandomized covers every
// policy).
func TestRemove(t *testing.T) {
	for _, name := range []string{"lru", "fifo", "lfu", "ttl"} {
		t.Run(name, func(t *testing.T) {
			c, err := New(Spec{Name: name}, Config{Capacity: 10})
			if err != nil {
				t.Fatal(err)
			}
			for k := uint64(1); k <= 3; k++ {
				c.Access(&trace.Request{Key: k, Size: 3})
			}
			c.Access(&trace.Request{Key: 2, Size: 3}) // a hit, so LFU has two buckets
			if !c.Remove(2) || c.Remove(2) || c.Remove(99) {
				t.Fatal("Remove must report true once for a cached key and false otherwise")
			}
			if c.Len() != 2 || c.Used() != 6 || c.Evictions() != 0 {
				t.Fatalf("after Remove: len %d used %d evictions %d; want 2, 6, 0", c.Len(), c.Used(), c.Evictions())
			}
			if c.Access(&trace.Request{Key: 2, Size: 3}) {
				t.Error("a removed key hit")
			}
			// 1, 3, 2 cached (9 of 10): one more object forces one eviction.
			c.Access(&trace.Request{Key: 4, Size: 3})
			if c.Len() != 3 || c.Used() != 9 || c.Evictions() != 1 {
				t.Errorf("after refill: len %d used %d evictions %d; want 3, 9, 1", c.Len(), c.Used(), c.Evictions())
			}
			for k := uint64(1); k <= 4; k++ {
				c.Remove(k)
			}
			if c.Len() != 0 || c.Used() != 0 {
				t.Errorf("after removing everything: len %d used %d", c.Len(), c.Used())
			}
			if c.Access(&trace.Request{Key: 5, Size: 3}) || c.Len() != 1 {
				t.Error("an emptied cache does not admit again")
			}
		})
	}
}

// TestRemoveSegmented checks Remove on the policies with several queues,
// hands or random choice, at a capacity where they all admit: removed keys
// free their space and miss, other keys stay, removals are not evictions,
// and the policy keeps working through churn until emptied.
func TestRemoveSegmented(t *testing.T) {
	for _, name := range []string{"clock", "sieve", "random", "s3fifo", "twoq", "slru", "arc", "wtinylfu"} {
		t.Run(name, func(t *testing.T) {
			c, err := New(Spec{Name: name}, Config{Capacity: 1000, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			for round := 0; round < 3; round++ {
				for k := uint64(1); k <= 50; k++ {
					c.Access(&trace.Request{Key: k, Size: 10})
				}
			}
			if c.Len() != 50 || c.Used() != 500 || c.Evictions() != 0 {
				t.Fatalf("after filling: len %d used %d evictions %d; want 50, 500, 0", c.Len(), c.Used(), c.Evictions())
			}
			for k := uint64(3); k <= 50; k += 3 {
				if !c.Remove(k) || c.Remove(k) {
					t.Fatalf("Remove(%d) must report true once", k)
				}
			}
			if c.Len() != 34 || c.Used() != 340 || c.Evictions() != 0 {
				t.Fatalf("after removing 16: len %d used %d evictions %d; want 34, 340, 0", c.Len(), c.Used(), c.Evictions())
			}
			for k := uint64(1); k <= 50; k++ {
				if hit := c.Access(&trace.Request{Key: k, Size: 10}); hit != (k%3 != 0) {
					t.Fatalf("key %d: hit %v after removing every third key", k, hit)
				}
			}
			// Churn well past the capacity, removing as we go.
			for k := uint64(100); k < 3000; k++ {
				c.Access(&trace.Request{Key: k, Size: 10})
				if k%5 == 0 {
					c.Remove(k - 7)
				}
				if c.Used() > 1000 || c.Used() != 10*int64(c.Len()) {
					t.Fatalf("at key %d: used %d, len %d", k, c.Used(), c.Len())
				}
			}
			for k := uint64(1); k < 3000; k++ {
				c.Remove(k)
			}
			if c.Len() != 0 || c.Used() != 0 {
				t.Errorf("after removing everything: len %d used %d", c.Len(), c.Used())
			}
		})
	}
}

// removeOp is one operation of a randomized trace: a get or a delete.
type removeOp struct {
	r   trace.Request
	del bool
}

// removeTrace returns n random gets and deletes over keys below kmax, with
// timestamps, fixed per-key sizes up to maxSize (1 when maxSize is 1) and,
// for every third key, a TTL longer than the trace (so nothing expires but
// redis-ttl has both volatile and persistent keys). Next is filled as
// sim.Replay fills it, counting deletes as requests. A delete is often
// followed by a get of the same key, and a get by a delete of it.
func removeTrace(seed uint64, n, kmax int, maxSize uint32) []removeOp {
	rng := rand.New(rand.NewPCG(seed, 7))
	tr := trace.NewTrace("removes", trace.Fields{Time: true, Size: true, TTL: true, Op: true})
	var now int64
	prev := trace.Request{Op: trace.OpGet}
	for i := 0; i < n; i++ {
		r := trace.Request{Key: uint64(rng.IntN(1 + rng.IntN(kmax))), Op: trace.OpGet}
		switch p := rng.Float64(); {
		case prev.Op == trace.OpDelete && p < 0.5:
			r.Key = prev.Key // the deleted key again: must miss
		case prev.Op == trace.OpGet && p < 0.15:
			r.Key, r.Op = prev.Key, trace.OpDelete // a delete of a key just requested
		case p < 0.35:
			r.Op = trace.OpDelete
		}
		now += int64(rng.IntN(40)) * 1e9
		r.Time = now
		r.Size = 1
		if maxSize > 1 {
			r.Size = 1 + uint32(r.Key*2654435761%uint64(maxSize))
		}
		if r.Key%3 == 0 {
			r.TTL = 1 << 30
		}
		tr.Append(&r)
		prev = r
	}
	tr.NextAccess()
	ops := make([]removeOp, n)
	for i := range ops {
		tr.At(i, &ops[i].r)
		ops[i].del = ops[i].r.Op == trace.OpDelete
	}
	return ops
}

// applyOps replays ops through c, deletes through Remove.
func applyOps(c Cache, ops []removeOp) {
	for i := range ops {
		if ops[i].del {
			c.Remove(ops[i].r.Key)
		} else {
			c.Access(&ops[i].r)
		}
	}
}

// remembers reports whether c keeps anything about key: an entry in the
// key index (cached, or the ghosts of ARC, LIRS, CAR, SR-LRU, LeCaR,
// S3-FIFO, 2Q…) or in CACHEUS's ghost FIFOs.
func remembers(c Cache, key uint64) bool {
	if x, ok := c.(interface{ lookupKey(uint64) (int32, bool) }); ok {
		if _, ok := x.lookupKey(key); ok {
			return true
		}
	}
	if x, ok := c.(*cacheus); ok {
		for _, g := range x.hist {
			if _, ok := g.s.lookupKey(key); ok {
				return true
			}
		}
	}
	return false
}

// TestRemoveRandomized replays random gets and deletes through every
// policy (and the variants with their own code paths) at several object and
// byte capacities and checks after every operation that the accounting
// holds (used within capacity, Len == Used in object mode) and that a
// Remove is exact: true iff the key was cached, which an identical twin
// cache replayed to the same point and then asked for the key tells
// independently; when true, Len drops by one and Used by the object's size,
// when false nothing changes; never an eviction; nothing about the key is
// kept afterwards (ghosts forgotten); and a get right after it misses.
func TestRemoveRandomized(t *testing.T) {
	tracestest.SkipUnderRace(t)
	specs := append(Names(), "belady(bypass=true)", "belady-size(score=distance)", "s3fifo(small=0.3,threshold=1)",
		"slru(segments=2)", "lirs(hir=0.3)", "wtinylfu(window=0.3)", "wtinylfu(climber=caffeine,doorkeeper=true)", "wtinylfu(climber=density)",
		"wtinylfu(climber=adam)", "otter(initial-capacity=true)", "redis-lfu(decay-time=0)")
	type mode struct {
		objects    bool
		capacities []int64
	}
	modes := []mode{{true, []int64{1, 4, 30}}, {false, []int64{50, 600, 5000}}}
	const n = 1000
	for _, s := range specs {
		spec, err := ParseSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		if spec.Name == "memcached" {
			spec, _ = ParseSpec("memcached(page=256,chunk=16)") // small pages, so that small caches get some
		}
		for _, m := range modes {
			if m.objects && spec.Name == "memcached" {
				continue // its capacity is slab pages of bytes, not objects
			}
			for ci, capacity := range m.capacities {
				size, kmax := uint32(1), int(4*capacity)
				if !m.objects {
					size, kmax = 200, max(8, int(4*capacity/100))
				}
				ops := removeTrace(uint64(100*ci+len(s)), n, kmax, size)
				name := fmt.Sprintf("%s/objects=%v/%d", spec, m.objects, capacity)
				checkRemoves(t, name, spec, Config{Capacity: capacity, Seed: 1}, ops, m.objects)
			}
		}
	}
}

// checkRemoves is TestRemoveRandomized for one cache; it stops at the first failure.
func checkRemoves(t *testing.T, name string, spec Spec, cfg Config, ops []removeOp, objects bool) {
	t.Helper()
	newCache := func() Cache {
		c, err := New(spec, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := newCache()
	removed, probes := 0, 0
	for j := range ops {
		r := &ops[j].r
		len0, used0, ev0 := c.Len(), c.Used(), c.Evictions()
		if !ops[j].del {
			hit := c.Access(r)
			if hit && j > 0 && ops[j-1].del && ops[j-1].r.Key == r.Key {
				t.Errorf("%s: op %d: key %d hit right after its delete", name, j, r.Key)
				return
			}
		} else {
			// The twin oracle costs a replay of the prefix: ask it for one
			// delete in ten, and one in four right after a get of the key.
			var cached, probed bool
			afterGet := j > 0 && !ops[j-1].del && ops[j-1].r.Key == r.Key
			if removed%10 == 0 || (afterGet && removed%4 == 0) {
				twin := newCache()
				applyOps(twin, ops[:j])
				probe := *r
				probe.Op = trace.OpGet
				cached, probed = twin.Access(&probe), true
				probes++
			}
			removed++
			got := c.Remove(r.Key)
			switch {
			case probed && got != cached:
				t.Errorf("%s: op %d: Remove(%d) = %v, but the key was cached: %v", name, j, r.Key, got, cached)
				return
			case got && (c.Len() != len0-1 || c.Used() != used0-int64(r.Size)):
				t.Errorf("%s: op %d: Remove(%d) of size %d took len %d→%d, used %d→%d", name, j, r.Key, r.Size, len0, c.Len(), used0, c.Used())
				return
			case !got && (c.Len() != len0 || c.Used() != used0):
				t.Errorf("%s: op %d: Remove(%d) = false but len %d→%d, used %d→%d", name, j, r.Key, len0, c.Len(), used0, c.Used())
				return
			case c.Evictions() != ev0:
				t.Errorf("%s: op %d: Remove counted as an eviction", name, j)
				return
			case remembers(c, r.Key):
				t.Errorf("%s: op %d: key %d still remembered after Remove", name, j, r.Key)
				return
			}
		}
		limit := c.Capacity()
		if m, ok := c.(*memcached); ok {
			limit = max(limit, m.SlabMemory()) // every class that stores anything has a page, even beyond the limit
		}
		if c.Used() > limit || c.Used() < 0 || c.Len() < 0 {
			t.Errorf("%s: op %d: used %d, len %d, capacity %d", name, j, c.Used(), c.Len(), c.Capacity())
			return
		}
		if err := auxConsistent(c); err != nil {
			t.Errorf("%s: op %d: %v", name, j, err)
			return
		}
		if objects && int64(c.Len()) != c.Used() {
			t.Errorf("%s: op %d: Len %d but Used %d (every object has size 1)", name, j, c.Len(), c.Used())
			return
		}
	}
	if probes < 10 {
		t.Errorf("%s: only %d deletes checked against the twin", name, probes)
	}
}

// auxConsistent checks that a policy's own structures agree with the
// store: the sizes its segments, sets and heaps account for add up to Used
// and Len. Policies it does not know pass.
func auxConsistent(c Cache) error {
	segsUsed := func(segs ...segment) (u int64) {
		for _, s := range segs {
			u += s.used
		}
		return u
	}
	var used int64 = -1 // what the policy's structures account for
	members := -1       // how many cached objects they hold
	switch x := c.(type) {
	case *arc:
		used = segsUsed(x.l[arcT1], x.l[arcT2])
		if g := x.ghosts; g < 0 || int64(g) > x.l[arcB1].used+x.l[arcB2].used {
			return fmt.Errorf("%d ghosts, B1+B2 hold %d", g, x.l[arcB1].used+x.l[arcB2].used)
		}
	case *s3fifo:
		used = segsUsed(x.small, x.main)
	case *twoQ:
		used = segsUsed(x.in, x.am)
	case *slru:
		used = segsUsed(x.segs...)
	case *wtinylfu:
		used = segsUsed(x.seg[:]...)
	case *lirs:
		used = x.lirUsed + x.hirUsed
	case *random:
		members = x.dense.len()
		if err := x.denseValid(&x.dense); err != nil {
			return err
		}
	case *beladySize:
		members = x.dense.len()
		if err := x.denseValid(&x.dense); err != nil {
			return err
		}
	case *belady:
		members = x.far.len()
	case *redis:
		if x.mode != redisTTL {
			members = x.keys.len()
		}
		if err := x.denseValid(&x.keys); err != nil {
			return err
		}
	case *memcached:
		var err error
		if used, members, err = x.structures(); err != nil {
			return err
		}
	default:
		var err error
		if used, members, err = libCacheSimAux(c); err != nil {
			return err
		}
	}
	return sizesAgree(c, used, members)
}

// sizesAgree compares what a policy's structures hold (-1: not known) with its Used and Len.
func sizesAgree(c Cache, used int64, members int) error {
	if used >= 0 && used != c.Used() {
		return fmt.Errorf("structures hold %d, Used %d", used, c.Used())
	}
	if members >= 0 && members != c.Len() {
		return fmt.Errorf("structures hold %d objects, Len %d", members, c.Len())
	}
	return nil
}

// A delete forgets the key's ghost, so its next request is a new object,
// not a ghost hit. Each case was worked by hand; lists are written head
// (newest) first.
func TestRemoveForgetsGhosts(t *testing.T) {
	t.Run("arc", func(t *testing.T) {
		// 2 slots, 1 1 2 3: 1 moves to T2; 3 finds T1+B1 = 1 object, so
		// REPLACE demotes T1's 2 into B1 (p = 0): T1 [3], T2 [1], B1 [2].
		c := newARC(2)
		if got := run(c, keys(1, 1, 2, 3)); got != "mhmm" {
			t.Fatalf("setup: got %s, want mhmm", got)
		}
		if c.Remove(2) || remembers(c, 2) {
			t.Fatal("Remove of a B1 ghost must report false and forget it")
		}
		if c.Len() != 2 || c.Used() != 2 {
			t.Fatalf("forgetting a ghost changed len %d used %d", c.Len(), c.Used())
		}
		// 2 is new: it enters T1 and p stays 0, so REPLACE demotes T1's 3
		// into B1: T1 [2], T2 [1], B1 [3]. Then 1 hits in T2 and 3 is a
		// ghost hit (a miss). Had B1 remembered 2, its return would have
		// raised p to 1 and demoted T2's 1 instead: 1 would miss, 3 hit.
		if got := run(c, keys(2)); got != "m" {
			t.Fatalf("2 after its delete: got %s, want m", got)
		}
		if i, _ := c.lookupKey(2); segmentOf(c.nodes, i) != arcT1 || c.p != 0 {
			t.Errorf("2 returned to list %d with p %v; want T1 (%d) and p 0", segmentOf(c.nodes, i), c.p, arcT1)
		}
		if got := run(c, keys(1, 3)); got != "hm" {
			t.Errorf("1 3: got %s, want hm", got)
		}
	})
	t.Run("s3fifo", func(t *testing.T) {
		// Small 1, main 3, ghost 4, threshold 2: 1 enters small; 2 3 4 go to
		// main (small full before any eviction); 5 evicts 1 from small into
		// the ghost. Small [5], main [4 3 2], ghost [1].
		c := newS3FIFO(4, s3fifoOptions{Small: 0.25, Ghost: 1, Threshold: 2})
		if got := run(c, keys(1, 2, 3, 4, 5)); got != "mmmmm" {
			t.Fatalf("setup: got %s, want mmmmm", got)
		}
		if c.Remove(1) || remembers(c, 1) {
			t.Fatal("Remove of a ghost key must report false and forget it")
		}
		// 1 is new: it evicts 5 from small (into the ghost) and enters
		// small, not main. 6 then evicts 1 from small (main is not over),
		// so 1 misses again. Had the ghost remembered 1, it would have gone
		// to main, 6 would have evicted main's unhit tail 2, and 1 would hit.
		if got := run(c, keys(1)); got != "m" {
			t.Fatalf("1 after its delete: got %s, want m", got)
		}
		if i, _ := c.lookupKey(1); queueOf(c.nodes, i) != inSmall {
			t.Error("1 returned to main: its ghost was not forgotten")
		}
		if got := run(c, keys(6, 1, 2)); got != "mmh" {
			t.Errorf("6 1 2: got %s, want mmh", got)
		}
	})
	t.Run("twoq", func(t *testing.T) {
		// A1in 1, Am 3, A1out 2: 1 2 3 4 fill A1in; 5 sends 1 to A1out.
		c := newTwoQ(4, twoQOptions{In: 0.25, Out: 0.5})
		run(c, keys(1, 2, 3, 4, 5))
		if c.Remove(1) || remembers(c, 1) {
			t.Fatal("Remove of an A1out key must report false and forget it")
		}
		run(c, keys(1))
		if i, ok := c.lookupKey(1); !ok || queueOf(c.nodes, i) != inSmall {
			t.Error("1 after its delete must enter A1in, not Am")
		}
	})
	t.Run("lirs", func(t *testing.T) {
		// 3 slots (2 LIR, 1 HIR): 1 2 become LIR, 3 resident HIR; 4 evicts
		// 3, which stays in S as non-resident HIR.
		c := newLIRS(3, lirsOptions{HIR: 0.01})
		run(c, keys(1, 2, 3, 4))
		if c.Remove(3) || remembers(c, 3) {
			t.Fatal("Remove of a non-resident HIR block must report false and forget it")
		}
		// 3 is new: it becomes resident HIR, not LIR as a block returning
		// from S would.
		run(c, keys(3))
		if i, ok := c.lookupKey(3); !ok || c.has(i, lirsLIR) || !c.has(i, lirsResident) {
			t.Error("3 after its delete must be a resident HIR block")
		}
	})
}

// denseValid checks that every member of d is a cached entry at the
// position densePos records.
func (s *store) denseValid(d *denseSet) error {
	for p, i := range d.items {
		if j, ok := s.lookupKey(s.nodes[i].key); !ok || j != i || densePos(s.nodes, i) != int32(p) {
			return fmt.Errorf("dense set member %d (key %d) is stale", i, s.nodes[i].key)
		}
	}
	return nil
}

// After a delete takes the LIR block at the bottom of S, S is pruned so
// that its bottom is LIR again (the paper's stack pruning): 3 slots (2 LIR,
// 1 HIR), 1 2 are LIR, 3 resident HIR, and the hit on 2 leaves S = [2 3 1].
// Deleting 1 prunes 3 out of S (it stays resident in Q), so its next hit
// is that of a resident HIR block outside S: it stays HIR instead of
// becoming LIR.
func TestLIRSRemovePrunes(t *testing.T) {
	c := newLIRS(3, lirsOptions{HIR: 0.01})
	if got := run(c, keys(1, 2, 3, 2)); got != "mmmh" {
		t.Fatalf("setup: got %s, want mmmh", got)
	}
	if !c.Remove(1) {
		t.Fatal("Remove(1) of an LIR block reported false")
	}
	i, _ := c.lookupKey(3)
	if c.has(i, lirsInS) || !c.has(i, lirsInQ) || c.s.tail != c.s.head {
		t.Fatal("S was not pruned down to its LIR block 2, or 3 left Q")
	}
	if got := run(c, keys(3)); got != "h" || c.has(i, lirsLIR) || c.lirUsed != 1 || c.hirUsed != 1 {
		t.Errorf("3: got %s, LIR %v, lirUsed %d, hirUsed %d; want a hit that stays HIR (1, 1)", got, c.has(i, lirsLIR), c.lirUsed, c.hirUsed)
	}
}

// BeladySize counts a delete as a request, so that its request index stays
// the trace index that next-access values refer to. Byte capacity 5: A (1
// byte, next at 14) and B (4 bytes, next at 6) are cached when C (1 byte)
// arrives at index 4, after two deletes of an uncached key. Scores size ×
// (next − 4): A 10, B 8, so A is evicted and B hits at 6. Had the deletes
// not been counted (now = 2), the scores would be A 12, B 16 and B would go.
// Keys 10..17 are requested once, so they are never admitted.
func TestBeladySizeCountsDeletes(t *testing.T) {
	const a, b, x, cc = 1, 2, 3, 4
	tr := trace.NewTrace("deletes", trace.Fields{Size: true, Op: true})
	add := func(key uint64, size uint32, op trace.Op) { tr.Append(&trace.Request{Key: key, Size: size, Op: op}) }
	add(a, 1, trace.OpGet)
	add(b, 4, trace.OpGet)
	add(x, 1, trace.OpDelete)
	add(x, 1, trace.OpDelete)
	add(cc, 1, trace.OpGet) // index 4
	add(10, 1, trace.OpGet)
	add(b, 4, trace.OpGet) // index 6
	for k := uint64(11); k <= 17; k++ {
		add(k, 1, trace.OpGet)
	}
	add(a, 1, trace.OpGet)  // index 14
	add(cc, 1, trace.OpGet) // index 15
	tr.NextAccess()
	c := newBeladySize(5, 64, 1)
	var got []byte
	var r trace.Request
	for i := 0; i < tr.Len(); i++ {
		tr.At(i, &r)
		switch {
		case r.Op == trace.OpDelete:
			c.Remove(r.Key)
		case c.Access(&r):
			got = append(got, 'h')
		default:
			got = append(got, 'm')
		}
	}
	if want := "mmmmhmmmmmmmmh"; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// Deletes are in the hot loop of a replay: once a cache is warm, removing
// an object and admitting it again allocates nothing.
func TestRemoveDoesNotAllocate(t *testing.T) {
	for _, name := range Names() {
		c, err := New(Spec{Name: name}, Config{Capacity: 1 << 20, TTL: 1 << 40})
		if err != nil {
			t.Fatal(err)
		}
		r := trace.Request{Size: 1, Next: 1 << 40}
		for k := uint64(0); k < 1000; k++ {
			r.Key = k
			c.Access(&r)
		}
		if a := testing.AllocsPerRun(500, func() {
			r.Key = (r.Key + 1) % 1000
			c.Remove(r.Key)
			c.Access(&r)
		}); a != 0 {
			t.Errorf("%s: %.2f allocations per Remove and Access", name, a)
		}
	}
}
