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
// runs. A third cache numbers the keys as a stream does (UseKeys on a
// trace.NewKeyRefs, each key numbered just before its request, its table
// growing) and must agree too.
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
	streamed, err := New(spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	live := trace.NewKeyRefs(0)
	UseKeys(streamed, live)
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
		s := r // the stream's request, numbered as read
		s.Ref, _ = live.Number(r.Key)
		switch i % 7 {
		case 3:
			r.Ref, s.Ref = 0, 0 // known to the numbering, but not told
		case 5:
			r.Key, r.Ref, r.Next = r.Key+1, 0, trace.NoNext // not in the trace
			s.Key, s.Ref, s.Next = r.Key, 0, trace.NoNext
		}
		var a, b, c bool
		if r.Op == trace.OpDelete {
			a, b, c = hashed.Remove(r.Key), numbered.Remove(r.Key), streamed.Remove(s.Key)
		} else {
			a, b, c = hashed.Access(&r), numbered.Access(&r), streamed.Access(&s)
		}
		if p, ok := hashed.(Pinner); ok && i%11 == 0 {
			q, o := numbered.(Pinner), streamed.(Pinner)
			if a, b, c := p.Pin(r.Key), q.Pin(r.Key), o.Pin(r.Key); a != b || a != c {
				t.Fatalf("%s: request %d: Pin %v with numbers, %v streamed, %v without", name, i, b, c, a)
			}
			p.Unpin([]uint64{r.Key})
			q.Unpin([]uint64{r.Key})
			o.Unpin([]uint64{r.Key})
		}
		for _, x := range []struct {
			how string
			hit bool
			c   Cache
		}{{"with numbers", b, numbered}, {"streamed", c, streamed}} {
			if a != x.hit || hashed.Len() != x.c.Len() || hashed.Used() != x.c.Used() || hashed.Evictions() != x.c.Evictions() {
				t.Fatalf("%s: request %d (%v key %d): %s %v len %d used %d evictions %d, without %v %d %d %d", name, i, r.Op, r.Key,
					x.how, x.hit, x.c.Len(), x.c.Used(), x.c.Evictions(), a, hashed.Len(), hashed.Used(), hashed.Evictions())
			}
		}
	}
	for _, k := range tr.Keys {
		if hashed.Contains(k) != numbered.Contains(k) || hashed.Contains(k) != streamed.Contains(k) {
			t.Fatalf("%s: Contains(%d) differs at the end", name, k)
		}
	}
}
