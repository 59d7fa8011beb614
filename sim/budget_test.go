package sim

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
)

// The budget never lets more than its amount be held at once, and a request
// larger than the whole budget still runs (alone).
func TestBudget(t *testing.T) {
	b := newBudget(100)
	var held, peak atomic.Int64
	var wg sync.WaitGroup
	for _, n := range []int64{60, 30, 30, 50, 500, 10, 90} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := b.acquire(n)
			now := held.Add(got)
			for {
				p := peak.Load()
				if now <= p || peak.CompareAndSwap(p, now) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			held.Add(-got)
			b.release(got)
		}()
	}
	wg.Wait()
	if peak.Load() > 100 {
		t.Fatalf("peak %d held above the budget of 100", peak.Load())
	}
	if b.free != 100 {
		t.Fatalf("%d free at the end, want 100", b.free)
	}
}

// A sweep that cannot fit its memory bound says so before it starts, with
// what it needs; the plan's parts bound what the sweep then holds (its
// live heap once built): the trace's columns exactly, the LRU curve's stack
// distances and the largest cache from above.
func TestSweepMemoryPlan(t *testing.T) {
	w, err := workload.Parse("zipf:keys=25000,requests=150000,alpha=0.8")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := w.Reader()
	tr, err := traces.ReadAll("zipf", r)
	if err != nil {
		t.Fatal(err)
	}
	specs := []policy.Spec{{Name: "lru"}, {Name: "lfu"}, {Name: "arc"}, {Name: "lirs"}, {Name: "s3fifo"}, {Name: "twoq"}, {Name: "wtinylfu"}}
	cfg := sweepConfig{Policies: specs, Sizes: Sizes{Values: []int64{1000, 12_000}}}
	plan := planMemory(tr, cfg, 1)
	distinct := tr.DistinctKeys()
	// The keys, and their numbers (12 replays) with the numbering's table.
	if want := int64(8*tr.Len() + 4*tr.Len() + 64*distinct); plan.Trace != want {
		t.Errorf("trace %d bytes, want %d (keys and key numbers)", plan.Trace, want)
	}
	curve := heldBy(func() any {
		d := newStackDistancesOf(cfg.Sizes)
		var req trace.Request
		for i := range tr.Len() {
			tr.At(i, &req)
			d.Add(&req)
		}
		return d
	})
	if curve > plan.Curve {
		t.Errorf("the LRU curve holds %d bytes, more than the planned %d", curve, plan.Curve)
	}
	numbered := *tr
	numbered.NumberKeys()
	if held := 4*int64(tr.Len()) + numbered.KeyRefs.TableBytes(); held > plan.Trace-int64(8*tr.Len()) {
		t.Errorf("the key numbers hold %d bytes, more than the planned %d", held, plan.Trace-int64(8*tr.Len()))
	}
	for _, spec := range specs[1:] {
		for _, keys := range []*trace.KeyRefs{nil, numbered.KeyRefs} {
			cache := heldBy(func() any {
				c, _ := policy.New(spec, policy.Config{Capacity: 12_000, SizeHint: 12_000, Keys: keys})
				Replay(&numbered, c, Options{Objects: true})
				return c
			})
			t.Logf("%s at 12,000 objects (numbered %v) holds %d bytes", spec.Name, keys != nil, cache)
			if cache > plan.LargestPoint {
				t.Errorf("%s at 12,000 (numbered %v) holds %d bytes, more than the planned %d", spec.Name, keys != nil, cache, plan.LargestPoint)
			}
		}
	}
	t.Logf("plan %+v: the curve holds %d", plan, curve)
	calls := 0
	cfg.Progress = func() { calls++ }
	cfg.MaxMemory = plan.Total() - 1
	_, err = sweepPoints(tr, cfg)
	var me *ErrMemory
	if !errors.As(err, &me) || me.Plan != plan || calls != 0 {
		t.Fatalf("bound %d below the plan's %d: error %v after %d points, want ErrMemory before any", cfg.MaxMemory, plan.Total(), err, calls)
	}
	cfg.MaxMemory = plan.Total()
	if _, err := sweepPoints(tr, cfg); err != nil || calls != 14 {
		t.Fatalf("bound = plan: %v after %d of 14 points", err, calls)
	}
}

// heldBy returns the heap that what build returns holds once built.
func heldBy(build func() any) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}
