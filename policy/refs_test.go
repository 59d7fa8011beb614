package policy

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// TestKeyRefsSameResults replays random gets, writes and deletes through
// every policy (and admission filters, which wrap one) twice, once hashing
// the keys and once finding entries by the trace's key numbers
// (Config.Keys), and checks that the two caches agree after every request:
// the hit or the Remove's answer, Len, Used, Evictions, and at the end
// Contains for every key. The numbered cache also gets requests without a
// number (Ref 0, found through the numbering) and keys the trace does not
// hold (hashed), and the Pinners get pins, so that every path of the index
// runs.
func TestKeyRefsSameResults(t *testing.T) {
	tracestest.SkipUnderRace(t)
	specs := append(Names(), "belady(bypass=true)", "s3fifo(small=0.3,threshold=1)", "slru(segments=2)", "lirs(hir=0.3)",
		"wtinylfu(climber=caffeine,doorkeeper=true)", "lru+tinylfu", "s3fifo+bloom", "lru+adaptsize", "fifo+prob")
	for _, s := range specs {
		spec, err := ParseSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		if spec.Name == "memcached" {
			spec, _ = ParseSpec("memcached(page=256,chunk=16)")
		}
		for _, objects := range []bool{true, false} {
			if objects && spec.Name == "memcached" {
				continue // its capacity is slab pages of bytes
			}
			capacity, maxSize := int64(40), uint32(1)
			if !objects {
				capacity, maxSize = 4000, 300
			}
			tr := refsTrace(uint64(len(s)), 3000, 160, maxSize)
			checkSameWithRefs(t, fmt.Sprintf("%s/objects=%v", spec, objects), spec,
				Config{Capacity: capacity, Seed: 3, Objects: objects, SizeHint: int(capacity)}, tr)
		}
	}
}

// refsTrace returns a numbered trace of n random gets, writes and deletes
// over keys below kmax (a few of them with TTLs).
func refsTrace(seed uint64, n, kmax int, maxSize uint32) *trace.Trace {
	rng := rand.New(rand.NewPCG(seed, 11))
	tr := trace.NewTrace("refs", trace.Fields{Time: true, Size: true, TTL: true, Op: true})
	for i := range n {
		r := trace.Request{Key: uint64(rng.IntN(1+rng.IntN(kmax))) * 1e9, Time: int64(i) * 1e9, Size: 1, Op: trace.OpGet}
		switch p := rng.Float64(); {
		case p < 0.1:
			r.Op = trace.OpDelete
		case p < 0.2:
			r.Op = trace.OpSet
		}
		if maxSize > 1 {
			r.Size = 1 + uint32(r.Key/1e9*2654435761%uint64(maxSize))
		}
		if r.Key%3 == 0 {
			r.TTL = 200
		}
		tr.Append(&r)
	}
	tr.NextAccess()
	tr.NumberKeys()
	return tr
}

// checkSameWithRefs is TestKeyRefsSameResults for one cache.
func checkSameWithRefs(t *testing.T, name string, spec Spec, cfg Config, tr *trace.Trace) {
	t.Helper()
	hashed, err := New(spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Keys = tr.KeyRefs
	numbered, err := New(spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var r trace.Request
	for i := range tr.Len() {
		tr.At(i, &r)
		if r.Ref == 0 {
			t.Fatalf("request %d has no key number", i)
		}
		switch i % 7 {
		case 3:
			r.Ref = 0 // known to the numbering, but not told
		case 5:
			r.Key, r.Ref, r.Next = r.Key+1, 0, trace.NoNext // not in the trace
		}
		var a, b bool
		if r.Op == trace.OpDelete {
			a, b = hashed.Remove(r.Key), numbered.Remove(r.Key)
		} else {
			a, b = hashed.Access(&r), numbered.Access(&r)
		}
		if p, ok := hashed.(Pinner); ok && i%11 == 0 {
			q := numbered.(Pinner)
			if a, b := p.Pin(r.Key), q.Pin(r.Key); a != b {
				t.Fatalf("%s: request %d: Pin %v with numbers, %v without", name, i, b, a)
			}
			p.Unpin([]uint64{r.Key})
			q.Unpin([]uint64{r.Key})
		}
		if a != b || hashed.Len() != numbered.Len() || hashed.Used() != numbered.Used() || hashed.Evictions() != numbered.Evictions() {
			t.Fatalf("%s: request %d (%v key %d): with numbers %v len %d used %d evictions %d, without %v %d %d %d", name, i, r.Op, r.Key,
				b, numbered.Len(), numbered.Used(), numbered.Evictions(), a, hashed.Len(), hashed.Used(), hashed.Evictions())
		}
	}
	for _, k := range tr.Keys {
		if hashed.Contains(k) != numbered.Contains(k) {
			t.Fatalf("%s: Contains(%d) differs at the end", name, k)
		}
	}
}
