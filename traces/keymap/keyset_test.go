package keymap

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// A KeySet agrees with a Go map used as a set, key 0 and extreme keys
// included, through growth into a big (grouped) table.
func TestKeySetMatchesGoMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s KeySet
	ref := map[uint64]bool{}
	keys := []uint64{0, 1, 2, 1 << 63, ^uint64(0)}
	for len(keys) < 1_200_000 {
		keys = append(keys, rng.Uint64N(1<<21), rng.Uint64())
	}
	for i, k := range keys {
		if s.Has(k) != ref[k] {
			t.Fatalf("step %d: Has(%d) = %v, map says %v", i, k, s.Has(k), ref[k])
		}
		if s.Add(k) == ref[k] {
			t.Fatalf("step %d: Add(%d) = %v with the key present: %v", i, k, !ref[k], ref[k])
		}
		ref[k] = true
		if s.Len() != len(ref) {
			t.Fatalf("step %d: %d keys, map has %d", i, s.Len(), len(ref))
		}
	}
	if s.groupMask == 0 {
		t.Fatalf("table of %d slots: the test wants it grown into a big one", len(s.slots))
	}
	for k := range ref {
		if !s.Has(k) {
			t.Fatalf("final: %d missing", k)
		}
	}
	if s.Has(12345678901) {
		t.Fatal("an absent key is present")
	}
}

// 10⁶ distinct keys keep at most 32 bytes each live (an 8-byte slot, the
// table at least a quarter full), half what a Map of them costs.
func TestKeySetBytesPerKey(t *testing.T) {
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var s KeySet
	for k := uint64(1); k <= n; k++ {
		s.Add(k * 0x9e3779b97f4a7c15)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perKey := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	if perKey > 32 || s.Len() != n {
		t.Fatalf("%d keys: %.1f bytes live per key, want at most 32", s.Len(), perKey)
	}
	runtime.KeepAlive(&s)
}
