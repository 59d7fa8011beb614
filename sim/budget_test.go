package sim

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
