package keymap

import (
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"testing"
)

// The Map behaves exactly like a Go map under a random mix of inserts,
// lookups and deletes, including keys that collide on their home slot, in
// a small table that grows and in a big one (whose consecutive keys hash
// to consecutive slots).
func TestMatchesGoMap(t *testing.T) {
	small, big := New(), NewSized(600000)
	if small.groupMask != 0 || big.groupMask == 0 || len(big.slots)%group != 0 {
		t.Fatalf("tables of %d and %d slots: want a small ungrouped one and a big grouped one", len(small.slots), len(big.slots))
	}
	matchesGoMap(t, &small)
	matchesGoMap(t, &big)
}

func matchesGoMap(t *testing.T, tb *Map) {
	rng := rand.New(rand.NewPCG(9, 9))
	ref := map[uint64]int32{}
	keyspace := []uint64{0, 1, 2, 1 << 63, ^uint64(0)}
	for i := 0; i < 5000; i++ {
		keyspace = append(keyspace, rng.Uint64N(20000), rng.Uint64())
	}
	for step := 0; step < 300000; step++ {
		k := keyspace[rng.IntN(len(keyspace))]
		v, ok := tb.Get(k)
		rv, rok := ref[k]
		if ok != rok || (ok && v != rv) {
			t.Fatalf("step %d: get(%d) = %d,%v; map has %d,%v", step, k, v, ok, rv, rok)
		}
		switch {
		case !ok && rng.IntN(3) > 0:
			nv := int32(rng.IntN(1 << 30))
			if rng.IntN(2) == 0 {
				tb.Put(k, nv)
			} else if !tb.Add(k, nv) {
				t.Fatalf("step %d: Add(%d) found it present", step, k)
			}
			ref[k] = nv
		case ok && rng.IntN(4) == 0:
			if tb.Add(k, 1) {
				t.Fatalf("step %d: Add(%d) stored a present key", step, k)
			}
		case ok && rng.IntN(2) == 0:
			tb.Del(k)
			delete(ref, k)
		}
		if tb.Len() != len(ref) {
			t.Fatalf("step %d: %d entries, map has %d", step, tb.n, len(ref))
		}
	}
	for k, v := range ref {
		if got, ok := tb.Get(k); !ok || got != v {
			t.Fatalf("final: get(%d) = %d,%v; want %d", k, got, ok, v)
		}
	}
	tb.Del(12345678901) // absent: no-op
	if tb.Len() != len(ref) {
		t.Fatal("deleting an absent key changed the count")
	}
}

// A sized map holds its keys without growing and behaves the same, with a
// table that is not a power of two.
func TestSized(t *testing.T) {
	m := NewSized(1000)
	size := len(m.slots)
	if size&(size-1) == 0 {
		t.Fatalf("table of %d slots: the test wants one that is not a power of two", size)
	}
	for k := uint64(0); k < 1000; k++ {
		m.Put(k*k, int32(k))
	}
	if len(m.slots) != size {
		t.Fatalf("grew from %d to %d slots with 1000 keys", size, len(m.slots))
	}
	for k := uint64(0); k < 1000; k += 2 {
		m.Del(k * k)
	}
	for k := uint64(0); k < 1000; k++ {
		v, ok := m.Get(k * k)
		if ok != (k%2 == 1) || (ok && v != int32(k)) {
			t.Fatalf("Get(%d) = %d, %v", k*k, v, ok)
		}
	}
}

// Set inserts a key or replaces its value.
func TestSet(t *testing.T) {
	m := New()
	for k := uint64(0); k < 1000; k++ {
		m.Set(k, int32(k))
	}
	for k := uint64(0); k < 1000; k += 2 {
		m.Set(k, 7)
	}
	for k := uint64(0); k < 1000; k++ {
		want := int32(k)
		if k%2 == 0 {
			want = 7
		}
		if v, ok := m.Get(k); !ok || v != want || m.Len() != 1000 {
			t.Fatalf("key %d: %d %v (len %d), want %d", k, v, ok, m.Len(), want)
		}
	}
}

// A Map grown from empty past 2²⁰ slots grows by half, so it has at most 3
// slots a key (doubling from 2²¹ slots, which 1.1·10⁶ keys fill past
// half, gives 3.8).
func TestBigMapGrowsByHalf(t *testing.T) {
	const n = 1_100_000
	m := New()
	for k := uint64(1); k <= n; k++ {
		m.Put(k*0x9e3779b97f4a7c15, 0)
	}
	if len(m.slots) > 3*n+group {
		t.Fatalf("%d keys in a table of %d slots: more than 3 a key", n, len(m.slots))
	}
}

// A KeySet grown from empty to 2.2·10⁶ keys holds, from the OS, no more
// than its last table (8 bytes a slot) and a little slack: the tables it
// grew out of are handed back, not kept for a reuse that never comes.
func TestKeySetGrowReleasesOldTables(t *testing.T) {
	const n = 2_200_000
	var before, after runtime.MemStats
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&before)
	var s KeySet
	for k := uint64(1); k <= n; k++ {
		s.Add(k * 0x9e3779b97f4a7c15)
	}
	runtime.ReadMemStats(&after)
	held := int64(after.HeapSys-after.HeapReleased) - int64(before.HeapSys-before.HeapReleased)
	table := int64(len(s.slots)) * 8
	if held > table+table/8 {
		t.Fatalf("%d keys in a table of %d MiB hold %d MiB of heap from the OS; want at most the table and 1/8 more",
			n, table>>20, held>>20)
	}
	runtime.KeepAlive(&s)
}

// SizedBytes is the memory of the table NewSized builds, small or big.
func TestSizedBytes(t *testing.T) {
	for _, n := range []int{0, 5, 1000, 600_000, 762_543} {
		m := NewSized(n)
		if got, want := SizedBytes(n), int64(len(m.slots))*16; got != want || m.Bytes() != want {
			t.Errorf("n=%d: SizedBytes %d, Bytes %d, want %d", n, got, m.Bytes(), want)
		}
	}
}
