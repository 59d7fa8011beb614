package sim

import (
	"container/list"
	"fmt"
	"math"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

func load(t *testing.T, name string, opt traces.Options) *trace.Trace {
	t.Helper()
	tr, _, err := traces.Load(tracestest.Path(t, name), opt)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func specs(t *testing.T, names ...string) []policy.Spec {
	var s []policy.Spec
	for _, n := range names {
		sp, err := policy.ParseSpec(n)
		if err != nil {
			t.Fatal(err)
		}
		s = append(s, sp)
	}
	return s
}

// TestReplayOperations replays a hand-made trace with operations; the
// expected counts are worked out by hand in the comments.
func TestReplayOperations(t *testing.T) {
	build := func(write trace.Op) *trace.Trace {
		tr := trace.NewTrace("ops", trace.Fields{Op: true})
		for _, r := range []trace.Request{
			{Key: 1, Op: trace.OpGet},    // miss
			{Key: 2, Op: write},          // written: not counted
			{Key: 2, Op: trace.OpGet},    // hit (written before)
			{Key: 2, Op: trace.OpDelete}, // removed: not counted
			{Key: 2, Op: trace.OpGet},    // miss (deleted)
			{Key: 1, Op: trace.OpGet},    // hit: the first get admitted key 1
		} {
			r.Size = 1
			tr.Append(&r)
		}
		return tr
	}
	// A key-value client's write (OpSet) and a block write (OpWrite) mean
	// the same to a replay.
	for _, op := range []trace.Op{trace.OpSet, trace.OpWrite} {
		st := Replay(build(op), policy.NewLRU(10), Options{Objects: true})
		if st.Requests != 4 || st.Hits != 2 || st.Sets != 1 || st.Deletes != 1 || st.Bytes != 4 {
			t.Errorf("%s: %+v; want 4 requests, 2 hits, 1 set, 1 delete, 4 bytes", op, st)
		}
	}
	tr := build(trace.OpSet)
	// Counting writes, libCacheSim's way: every request is a lookup.
	// 1 miss, 2 miss, 2 hit, 2 hit, 2 hit, 1 hit.
	st := Replay(tr, policy.NewLRU(10), Options{Objects: true, CountWrites: true})
	if st.Requests != 6 || st.Hits != 4 || st.Sets != 0 || st.Deletes != 0 {
		t.Errorf("--count-writes replay: %+v; want 6 requests, 4 hits", st)
	}
}

// TestCloudPhysicsFormatsSweep sweeps the four encodings of cloudPhysicsIO
// in object-count mode, counting every request as libCacheSim does, and
// checks that they agree with each other and with libCacheSim's published
// miss counts (../shared/traces/README.md).
func TestCloudPhysicsFormatsSweep(t *testing.T) {
	want := map[string][]uint64{ // misses at 100, 1000, 10000, 25000
		"lru":  {100215, 94823, 79438, 70832},
		"fifo": {101495, 95520, 79210, 72137},
		"lfu":  {100973, 95562, 81059, 64375},
	}
	csv := traces.Options{Line: traces.LineOptions{Columns: traces.Columns{Key: 5, Time: 2, Op: 3, Size: 4}, Header: true}}
	cfg := sweepConfig{Policies: specs(t, "lru", "fifo", "lfu"), Sizes: Sizes{Values: []int64{100, 1000, 10000, 25000}}, CountWrites: true}
	var first []Point
	for _, f := range []struct {
		name string
		opt  traces.Options
	}{{"cloudPhysicsIO.txt", traces.Options{}}, {"cloudPhysicsIO.csv", csv}, {"cloudPhysicsIO.vscsi", traces.Options{}}, {"cloudPhysicsIO.oracleGeneral.bin", traces.Options{}}} {
		points, err := sweepPoints(load(t, f.name, f.opt), cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range points {
			if m := want[p.Policy][i%4]; p.Requests != 113872 || p.Misses() != m {
				t.Errorf("%s %s at %d: %d misses of %d, libCacheSim %d of 113872", f.name, p.Policy, p.Size, p.Misses(), p.Requests, m)
			}
			if first != nil && (p.Hits != first[i].Hits || p.Evictions != first[i].Evictions) {
				t.Errorf("%s %s at %d differs from the text file's sweep", f.name, p.Policy, p.Size)
			}
		}
		if first == nil {
			first = points
		}
	}
	// Without --count-writes the VSCSI writes are sets: counted apart.
	vs := load(t, "cloudPhysicsIO.vscsi", traces.Options{})
	st := Replay(vs, policy.NewLRU(1000), Options{Objects: true})
	if st.Sets == 0 || st.Requests+st.Sets != 113872 {
		t.Errorf("per-op VSCSI replay: %+v; want reads counted and writes apart, 113872 in all", st)
	}
}

// naiveLRU is an obviously correct LRU in object counts over container/list,
// independent of the policy package.
func naiveLRUHits(keys []uint64, capacity int) int {
	l := list.New()
	at := map[uint64]*list.Element{}
	hits := 0
	for _, k := range keys {
		if e, ok := at[k]; ok {
			hits++
			l.MoveToFront(e)
			continue
		}
		if l.Len() == capacity {
			delete(at, l.Remove(l.Back()).(uint64))
		}
		at[k] = l.PushFront(k)
	}
	return hits
}

// TestARCTracesLRUMatchesNaive compares policy LRU through Replay with the
// naive LRU on the ARC traces oltp and p3.
func TestARCTracesLRUMatchesNaive(t *testing.T) {
	tracestest.SkipUnderRace(t)
	for _, c := range []struct {
		file  string
		sizes []int
	}{{"oltp.gz", []int{1000, 10000, 100000}}, {"p3.gz", []int{5000, 50000}}} {
		tr := load(t, c.file, traces.Options{})
		for _, size := range c.sizes {
			t.Run(fmt.Sprintf("%s/%d", c.file, size), func(t *testing.T) {
				want := naiveLRUHits(tr.Keys, size)
				st := Replay(tr, policy.NewLRU(int64(size)), Options{Objects: true})
				if int(st.Hits) != want || st.Requests != uint64(tr.Len()) {
					t.Errorf("policy LRU: %d hits of %d; naive LRU: %d", st.Hits, st.Requests, want)
				}
			})
		}
	}
}

// TestLIRSTracesPublishedLRU checks LRU on gli and loop against the
// published hit ratios in ../shared/traces/README.md.
func TestLIRSTracesPublishedLRU(t *testing.T) {
	gli := load(t, "gli.trace.gz", traces.Options{})
	for size, pct := range map[int64]float64{250: 0.91, 500: 0.95, 750: 1.15, 1000: 11.21, 1250: 21.25, 1500: 36.56, 1750: 45.04, 2000: 57.41} {
		st := Replay(gli, policy.NewLRU(size), Options{Objects: true})
		if got := 100 * st.HitRatio(); math.Abs(got-pct) > 0.005 {
			t.Errorf("gli LRU at %d: %.4f%%, published %.2f%%", size, got, pct)
		}
	}
	loop := load(t, "loop.trace.gz", traces.Options{})
	for size, pct := range map[int64]float64{250: 0, 1000: 0, 1250: 99.8, 1500: 99.8} {
		st := Replay(loop, policy.NewLRU(size), Options{Objects: true})
		if got := 100 * st.HitRatio(); math.Abs(got-pct) > 0.05 {
			t.Errorf("loop LRU at %d: %.4f%%, published %.1f%%", size, got, pct)
		}
	}
}
