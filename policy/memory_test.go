package policy

import (
	"runtime"
	"testing"

	"github.com/cachesim/cachesim/traces/huge"
	"github.com/cachesim/cachesim/traces/trace"
)

// bytesPerObject measures the heap a full cache of n objects holds, per object.
func bytesPerObject(t *testing.T, name string, n int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := New(Spec{Name: name}, Config{Capacity: int64(n), SizeHint: n})
	if err != nil {
		t.Fatal(err)
	}
	r := trace.Request{Size: 1}
	for k := 0; k < n; k++ {
		r.Key = uint64(k) * 7919
		c.Access(&r)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(c)
	if c.Len() != n {
		t.Fatalf("%s holds %d objects, want %d", name, c.Len(), n)
	}
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// LRU, FIFO and LFU keep at most 72 bytes of metadata per cached object
// (a 32-byte entry, two 16-byte key slots since the index is at most half
// full, LFU's buckets) when sized for their capacity, as sweeps in object
// mode do. Their two big tables (entries and index) of 4 MiB or more
// start on a huge page (traces/huge), each in an allocation up to one
// huge page larger whose head is never touched: the heap counts it, the
// machine's memory does not, so it is not counted here.
func TestMetadataPerObject(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a few hundred MB")
	}
	for _, name := range []string{"lru", "fifo", "lfu"} {
		for _, n := range []int{100_000, 300_000} {
			b := bytesPerObject(t, name, n)
			if int64(n)*32 >= huge.MinBytes { // the entries, and the index (twice as large)
				b -= 2 * float64(huge.Page) / float64(n)
			}
			t.Logf("%s with %d objects: %.1f bytes per object", name, n, b)
			if b > 72 {
				t.Errorf("%s with %d objects: %.1f bytes per object > 72", name, n, b)
			}
		}
	}
}
