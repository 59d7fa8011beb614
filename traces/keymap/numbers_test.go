package keymap

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces/huge"
)

// numbering numbers keys in the order given, as a trace's numbering does,
// with a Numbers and with a Go map, and checks every lookup against the
// map: each key's number, the keys by number, and absent keys absent.
func numbering(t *testing.T, tab *Numbers, keys []uint64) {
	t.Helper()
	want := map[uint64]uint32{}
	var keyOf []uint64
	for i, k := range keys {
		got, ok := tab.Get(k, keyOf)
		w, known := want[k]
		if ok != known || got != w {
			t.Fatalf("request %d, key %d: Get = %d, %v; want %d, %v", i, k, got, ok, w, known)
		}
		if !known {
			want[k] = uint32(len(keyOf) + 1)
			keyOf = append(keyOf, k)
			tab.Put(k, want[k])
		}
	}
	if tab.Len() != len(want) {
		t.Fatalf("Len %d, want %d", tab.Len(), len(want))
	}
	for k, w := range want {
		if got, ok := tab.Get(k, keyOf); !ok || got != w {
			t.Fatalf("key %d: Get = %d, %v after all; want %d", k, got, ok, w)
		}
		if _, ok := tab.Get(k^1<<40, keyOf); ok != (want[k^1<<40] != 0) {
			t.Fatalf("key %d, never numbered, found", k^1<<40)
		}
	}
}

// A Numbers numbers like a Go map, from empty (growing from 16 slots)
// and presized, through the growth into a table big enough to group
// consecutive keys: runs of consecutive keys (which share a code's
// hash), scattered keys, and the keys at both ends of the range.
func TestNumbersMatchesGoMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var keys []uint64
	for len(keys) < 1_200_000 {
		start, n := rng.Uint64N(1<<40), 1+rng.IntN(64)
		if rng.IntN(2) == 0 {
			for i := range uint64(n) {
				keys = append(keys, start+i)
			}
		} else {
			for range n {
				keys = append(keys, rng.Uint64N(1<<20)) // often again
			}
		}
	}
	keys = append(keys, 0, math.MaxUint64, 7, math.MaxUint64-7, 0)
	var grown Numbers
	numbering(t, &grown, keys)
	if !grown.grouped || len(grown.slots)%numbersGroup != 0 {
		t.Fatalf("%d keys: %d slots, grouped %v; want a grouped table", grown.Len(), len(grown.slots), grown.grouped)
	}
	presized := NewNumbersSized(2000)
	numbering(t, &presized, keys[:5000])
}

// Hand-computed sizes: a table grows at 3/4 full, so 12 keys fit its
// first 16 slots and the 13th doubles them; one presized for n keys holds
// them without growing.
func TestNumbersLoad(t *testing.T) {
	var tab Numbers
	for k := range uint64(12) {
		tab.Put(k*7919, uint32(k+1))
	}
	if len(tab.slots) != 16 {
		t.Fatalf("12 keys: %d slots, want 16", len(tab.slots))
	}
	tab.Put(12*7919, 13)
	if len(tab.slots) != 32 || tab.Bytes() != 32*8 {
		t.Fatalf("13 keys: %d slots, %d bytes; want 32 and 256", len(tab.slots), tab.Bytes())
	}
	sized := NewNumbersSized(3000)
	before := len(sized.slots)
	for k := range uint64(3000) {
		sized.Put(k, uint32(k+1))
	}
	if len(sized.slots) != before {
		t.Fatalf("a table sized for 3000 keys grew from %d to %d slots", before, len(sized.slots))
	}
	// NumbersPerPage keys: 2 MiB / 8 = 262,144 slots, of which 3/4 are
	// 196,608 keys; sized for them it is within one huge page, and holds
	// them without growing.
	page := NewNumbersSized(NumbersPerPage)
	if page.Bytes() > huge.Page || NumbersPerPage < 196_000 {
		t.Fatalf("a table sized for %d keys holds %d bytes, over a page of %d", NumbersPerPage, page.Bytes(), huge.Page)
	}
	for k := range uint64(NumbersPerPage) {
		page.Put(k, uint32(k+1))
	}
	if page.Bytes() > huge.Page {
		t.Fatalf("a table sized for %d keys grew to %d bytes", NumbersPerPage, page.Bytes())
	}
}

// Two keys with the same code are told apart by the keys by number: the
// pair is found by search among random multiples of 8 (29 bits of hash:
// a pair expected in some 30,000 keys; consecutive ones, spread evenly by
// the hash, would take far more).
func TestNumbersCodeCollision(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[uint32]uint64{}
	var a, b uint64
	for {
		k := rng.Uint64() &^ 7
		if other, ok := seen[numberCode(k)]; ok {
			a, b = other, k
			break
		}
		seen[numberCode(k)] = k
	}
	var tab Numbers
	keyOf := []uint64{a}
	tab.Put(a, 1)
	if ref, ok := tab.Get(b, keyOf); ok {
		t.Fatalf("key %d, sharing key %d's code, found as number %d", b, a, ref)
	}
	keyOf = append(keyOf, b)
	tab.Put(b, 2)
	if ra, _ := tab.Get(a, keyOf); ra != 1 {
		t.Fatalf("key %d: number %d, want 1", a, ra)
	}
	if rb, _ := tab.Get(b, keyOf); rb != 2 {
		t.Fatalf("key %d: number %d, want 2", b, rb)
	}
}
