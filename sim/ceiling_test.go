package sim

import (
	"runtime"
	"testing"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

// TestCeilingByHand: a hand-made trace with sizes and operations.
func TestCeilingByHand(t *testing.T) {
	build := func(write trace.Op) *trace.Trace {
		tr := trace.NewTrace("ops", trace.Fields{Op: true, Size: true})
		for _, r := range []trace.Request{
			{Key: 1, Size: 10, Op: trace.OpGet},    // first request: unavoidable miss (10 B)
			{Key: 1, Size: 10, Op: trace.OpGet},    // hit if the first admitted it
			{Key: 2, Size: 20, Op: write},          // written: cached, not a lookup
			{Key: 2, Size: 20, Op: trace.OpGet},    // hit: the write put it there
			{Key: 1, Size: 10, Op: trace.OpDelete}, // removed, not a lookup
			{Key: 1, Size: 10, Op: trace.OpGet},    // unavoidable miss again (10 B)
			{Key: 3, Size: 40, Op: trace.OpGet},    // first request: miss (40 B)
			{Key: 3, Size: 50, Op: trace.OpGet},    // hit if admitted, counted with its own 50 B
			{Key: 2, Size: 35, Op: write},          // rewritten larger: the footprint takes its last size
		} {
			tr.Append(&r)
		}
		return tr
	}
	// Block writes (reads admit). Lookups: 6 requests, 10+10+20+10+40+50 =
	// 140 bytes; misses 3 (60 bytes). Footprint: keys 1 and 3 at the size
	// their first read admitted (10, 40), key 2 at its last write (35): 85.
	tr := build(trace.OpWrite)
	want := Ceiling{Requests: 6, Bytes: 140, Misses: 3, MissBytes: 60, Objects: 3, ObjectBytes: 85}
	got := CeilingOf(tr, false)
	if got != want {
		t.Fatalf("ceiling %+v, want %+v", got, want)
	}
	if got.HitRatio() != 0.5 || got.ByteHitRatio() != 1-60.0/140 {
		t.Errorf("ratios %g %g, want 0.5 and %g", got.HitRatio(), got.ByteHitRatio(), 1-60.0/140)
	}
	if got.Footprint(false, 62) != 3 || got.Footprint(true, 62) != 85+3*62 {
		t.Errorf("footprint %d objects, %d bytes; want 3 and %d", got.Footprint(false, 62), got.Footprint(true, 62), 85+3*62)
	}
	// Counting writes, every request is a lookup of an unlimited cache:
	// misses are the first request per key (1, 2, 3): 3 of 9 requests;
	// bytes 10+10+20+20+10+10+40+50+35 = 205, missed 10+20+40 = 70; a read
	// does not resize: footprint 70.
	want = Ceiling{Requests: 9, Bytes: 205, Misses: 3, MissBytes: 70, Objects: 3, ObjectBytes: 70}
	if got := CeilingOf(tr, true); got != want {
		t.Errorf("counting writes: %+v, want %+v", got, want)
	}
	// A key-value client's writes (OpSet) mean the same: its reads fill
	// too, as the client's fill after a miss would.
	if got := CeilingOf(build(trace.OpSet), false); got != CeilingOf(tr, false) {
		t.Errorf("client writes: %+v, block writes %+v", got, CeilingOf(tr, false))
	}
	// Numbered (as a sweep numbers its trace), the counter finds objects
	// by number: the same figures.
	tr.NumberKeys()
	if got := CeilingOf(tr, true); got != want {
		t.Errorf("numbered, counting writes: %+v, want %+v", got, want)
	}
	if got, want := CeilingOf(tr, false), (Ceiling{Requests: 6, Bytes: 140, Misses: 3, MissBytes: 60, Objects: 3, ObjectBytes: 85}); got != want {
		t.Errorf("numbered: %+v, want %+v", got, want)
	}
	// An unsized read (a key never sized) misses and stores nothing.
	un := trace.NewTrace("unsized", trace.Fields{Marks: true})
	for range 3 {
		un.Append(&trace.Request{Key: 9, Size: 1, Unsized: true})
	}
	if got := CeilingOf(un, false); got.Misses != 3 || got.Objects != 0 {
		t.Errorf("unsized reads: %+v, want 3 misses and nothing stored", got)
	}
	un.NumberKeys()
	if got := CeilingOf(un, false); got.Misses != 3 || got.Objects != 0 {
		t.Errorf("numbered unsized reads: %+v, want 3 misses and nothing stored", got)
	}
}

// TestCeilingIsUnlimitedLRU: the ceiling is what LRU hits at a capacity
// holding the footprint, and nothing above it does better.
func TestCeilingIsUnlimitedLRU(t *testing.T) {
	tr := load(t, "cloudPhysicsIO.txt", traces.Options{})
	c := CeilingOf(tr, false)
	// Shared traces README: 48,974 cold misses of 113,872 requests.
	if c.Requests != 113872 || c.Misses != 48974 || c.Objects != 48974 {
		t.Fatalf("ceiling %+v, want 48,974 unavoidable misses of 113,872", c)
	}
	points, err := sweepPoints(tr, sweepConfig{Policies: specs(t, "lru", "fifo"), Sizes: Sizes{Values: []int64{48974, 100000}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range points {
		if p.Misses() != c.Misses {
			t.Errorf("%s at %d: %d misses, want the %d unavoidable ones", p.Policy, p.Size, p.Misses(), c.Misses)
		}
	}
}

// TestCeilingScale: a sample's ceiling keeps its ratios; counts and the
// footprint grow by the inverse of the rate.
func TestCeilingScale(t *testing.T) {
	c := Ceiling{Requests: 100, Bytes: 1000, Misses: 40, MissBytes: 300, Objects: 30, ObjectBytes: 250}
	s := c.Scale(1000, 0.1)
	want := Ceiling{Requests: 1000, Bytes: 10000, Misses: 400, MissBytes: 3000, Objects: 300, ObjectBytes: 2500}
	if s != want {
		t.Errorf("scaled %+v, want %+v", s, want)
	}
	if c.Scale(1000, 1) != c {
		t.Error("rate 1 changed the ceiling")
	}
}

// AddObject, keyed by the Summarizer's dense key numbers, counts what Add
// counts, a key first seen in a delete included; and it keeps 8 bytes per
// key (its objects, no key table): 10⁶ keys stay under 20 bytes a key live
// where Add's key table alone (16-byte slots at most half full) costs 33.
func TestCeilingCounterAddObject(t *testing.T) {
	reqs := []trace.Request{
		{Key: 7, Size: 5, Op: trace.OpDelete},
		{Key: 1, Size: 10, Op: trace.OpGet}, {Key: 1, Size: 10, Op: trace.OpGet},
		{Key: 2, Size: 20, Op: trace.OpSet}, {Key: 2, Size: 20, Op: trace.OpGet},
		{Key: 1, Size: 10, Op: trace.OpDelete}, {Key: 1, Size: 10, Op: trace.OpGet},
		{Key: 7, Size: 30, Op: trace.OpGet}, {Key: 7, Size: 30, Op: trace.OpGet},
		{Key: 3, Size: 40, Op: trace.OpGet, Continues: true}, {Key: 2, Size: 35, Op: trace.OpSet},
	}
	byKey, byID := NewCeilingCounter(Semantics{}), NewCeilingCounter(Semantics{})
	z := traces.NewSummarizer("t")
	for i := range reqs {
		byKey.Add(&reqs[i])
		byID.AddObject(&reqs[i], z.Add(&reqs[i]))
	}
	if a, b := byKey.Ceiling(), byID.Ceiling(); a != b || a.Objects != 4 {
		t.Fatalf("AddObject counts %+v, Add %+v (want 4 objects)", b, a)
	}

	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cc := NewCeilingCounter(Semantics{})
	r := trace.Request{Size: 1}
	for id := range int32(n) {
		r.Key = uint64(id) * 0x9e3779b97f4a7c15
		cc.AddObject(&r, id)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perKey := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	if c := cc.Ceiling(); c.Objects != n || perKey > 20 {
		t.Fatalf("%d objects: %.1f bytes live per key, want at most 20", c.Objects, perKey)
	}
	runtime.KeepAlive(cc)
}
