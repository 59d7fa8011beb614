package sim

import (
	"sync"

	"github.com/cachesim/cachesim/traces"
)

// bytesPerObject is what a simulated cache costs per cached object, with
// room to spare: a 32-byte entry, two 16-byte key slots (the index is at most half full), and the
// extra lists, ghosts and sketches of the richer policies.
const bytesPerObject = 128

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
func pointMemory(t *traces.Trace, size int64, bytes bool, meanSize float64) int64 {
	objects := size
	if bytes {
		objects = int64(float64(size) / max(meanSize, 1))
	}
	return min(objects, int64(t.Len())) * bytesPerObject
}

// meanRequestSize returns the mean size of t's requests (1 without sizes).
func meanRequestSize(t *traces.Trace) float64 {
	if t.Sizes == nil || len(t.Sizes) == 0 {
		return 1
	}
	var sum float64
	for _, s := range t.Sizes {
		sum += float64(s)
	}
	return sum / float64(len(t.Sizes))
}
