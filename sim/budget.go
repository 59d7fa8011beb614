package sim

import (
	"fmt"
	"sync"

	"github.com/cachesim/cachesim/traces/trace"
)

// bytesPerObject is what a simulated cache holds per cached object, with
// room to spare: a 32-byte entry and two 16-byte key slots (the index is at
// most half full) per object, and the history of the richer policies (ARC
// holds 127 bytes an object, LIRS, with its non-resident entries, 168).
const bytesPerObject = 192

// budget is a weighted semaphore over an amount of memory: a sweep point
// holds its estimated footprint while it runs, so that no more points run
// at once than fit. A point larger than the whole budget runs alone.
type budget struct {
	mu   sync.Mutex
	cond *sync.Cond
	max  int64
	free int64
}

func newBudget(max int64) *budget {
	b := &budget{max: max, free: max}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *budget) acquire(n int64) int64 {
	if b == nil {
		return 0
	}
	n = min(n, b.max)
	b.mu.Lock()
	for b.free < n {
		b.cond.Wait()
	}
	b.free -= n
	b.mu.Unlock()
	return n
}

func (b *budget) release(n int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.free += n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// pointMemory estimates the memory a cache of this size needs on t: at most
// one entry per request, and per object of the trace's mean request size in
// byte mode.
func pointMemory(t *trace.Trace, size int64, bytes bool, meanSize float64, keys int) int64 {
	objects := size
	if bytes {
		objects = int64(float64(size) / max(meanSize, 1))
	}
	return min(objects, int64(t.Len()))*bytesPerObject + 4*int64(keys)
}

// meanRequestSize returns the mean size of t's requests (1 without sizes).
func meanRequestSize(t *trace.Trace) float64 {
	if len(t.Sizes) == 0 {
		return 1
	}
	var sum float64
	for _, s := range t.Sizes {
		sum += float64(s)
	}
	return sum / float64(len(t.Sizes))
}

// curveBytesPerKey is what the exact LRU curve holds per distinct key: a
// key slot in a table at most half full (up to 64 bytes), the object (8),
// its distance histograms (16) and the stack tree with its scratch arrays
// (up to 40).
const curveBytesPerKey = 128

// numberBytesPerKey is what numbering the keys (trace.NumberKeys) holds
// per distinct key at most, while it numbers them: its slot in a table
// sized for an estimate of the distinct keys, which grows if that was low
// (up to 4 slots of 16 bytes).
const numberBytesPerKey = 64

// MemoryPlan is what a sweep will hold besides its caches: the loaded
// trace and the LRU curve's stack distances, beside the largest cache.
type MemoryPlan struct {
	Trace, Curve, LargestPoint int64
}

// Total is the least the sweep needs at once: everything but the caches,
// and the largest cache.
func (m MemoryPlan) Total() int64 { return m.Trace + m.Curve + m.LargestPoint }

// ErrMemory says that a sweep cannot run within its memory bound.
type ErrMemory struct {
	Plan  MemoryPlan
	Bound int64
}

// Error says what the sweep needs at once, part by part, against the bound.
func (e *ErrMemory) Error() string {
	f := func(n int64) string { return FormatSize(n, true) }
	return fmt.Sprintf("the sweep needs at least %s at once (the loaded trace %s, LRU's stack distances %s, the largest cache %s), more than the memory bound of %s",
		f(e.Plan.Total()), f(e.Plan.Trace), f(e.Plan.Curve), f(e.Plan.LargestPoint), f(e.Bound))
}

// planMemory estimates what a sweep of t holds, curves being the number of
// LRU curves it computes.
func planMemory(t *trace.Trace, cfg sweepConfig, curves int) MemoryPlan {
	m := MemoryPlan{Trace: t.ColumnBytes() - 4*int64(len(t.Refs))} // the key numbers: below, if the sweep uses them
	distinct, keys := 0, 0
	if curves > 0 || numbers(t, cfg) {
		distinct = t.EstimateDistinct()
	}
	if curves > 0 {
		m.Curve = int64(curves) * int64(distinct) * curveBytesPerKey
	}
	if numbers(t, cfg) {
		m.Trace += 4*int64(t.Len()) + numberBytesPerKey*int64(distinct)
		keys = distinct
	}
	mean := 1.0
	if cfg.Sizes.Bytes {
		mean = meanRequestSize(t)
	}
	for _, s := range cfg.Sizes.Values {
		m.LargestPoint = max(m.LargestPoint, pointMemory(t, s, cfg.Sizes.Bytes, mean, keys))
	}
	return m
}
