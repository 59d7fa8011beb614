package traces

import (
	"runtime"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// The Counter that replay streams through keeps its distinct keys in a
// keymap.KeySet: an 8-byte slot per key at most half full, so 10⁶ keys
// (a table of 2,359,296 slots, 18.9 bytes a key) stay under 20 bytes a
// key live; a table with values (16-byte slots) costs twice that.
func TestCounterBytesPerKey(t *testing.T) {
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var c trace.Counter
	r := trace.Request{Size: 1}
	for k := range uint64(n) {
		r.Key = k * 0x9e3779b97f4a7c15
		c.Add(&r)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perKey := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	if c.Distinct != n || perKey > 20 {
		t.Fatalf("%d distinct keys: %.1f bytes live per key, want at most 20", c.Distinct, perKey)
	}
	runtime.KeepAlive(&c)
}
