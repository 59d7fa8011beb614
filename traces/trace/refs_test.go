package trace

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNumberKeys checks the numbering of a small trace by hand: keys
// numbered from 1 in the order first requested, the numbers reaching the
// requests through Fill and At, kept by Slice and dropped by Filter.
func TestNumberKeys(t *testing.T) {
	tr := &Trace{Keys: []uint64{70, 30, 70, 90, 30, 5}}
	tr.NumberKeys()
	if want := []uint32{1, 2, 1, 3, 2, 4}; !slices.Equal(tr.Refs, want) {
		t.Fatalf("Refs = %v, want %v", tr.Refs, want)
	}
	if tr.KeyRefs.Len() != 4 || tr.KeyRefs.Of(90) != 3 || tr.KeyRefs.Of(5) != 4 || tr.KeyRefs.Of(31) != 0 {
		t.Fatalf("Len %d, Of(90) %d, Of(5) %d, Of(31) %d; want 4, 3, 4, 0",
			tr.KeyRefs.Len(), tr.KeyRefs.Of(90), tr.KeyRefs.Of(5), tr.KeyRefs.Of(31))
	}
	b := make([]Request, 3)
	tr.Fill(2, b)
	var r Request
	tr.At(4, &r)
	if b[0].Ref != 1 || b[1].Ref != 3 || b[2].Ref != 2 || r.Ref != 2 {
		t.Fatalf("Fill gave refs %d %d %d, At %d; want 1 3 2, 2", b[0].Ref, b[1].Ref, b[2].Ref, r.Ref)
	}
	if s := tr.Slice(3, 5); !slices.Equal(s.Refs, []uint32{3, 2}) || s.KeyRefs != tr.KeyRefs {
		t.Fatalf("Slice(3, 5) refs %v, want [3 2] of the same numbering", s.Refs)
	}
	keys := tr.KeyRefs
	tr.NumberKeys() // a second call does nothing
	if tr.KeyRefs != keys {
		t.Fatal("a second NumberKeys renumbered")
	}
	tr.Filter(func(k uint64) bool { return k != 70 })
	if tr.Refs != nil || tr.KeyRefs != nil {
		t.Fatal("Filter kept the key numbers")
	}
	tr.At(0, &r)
	if r.Ref != 0 {
		t.Fatalf("a request of an unnumbered trace has Ref %d, want 0", r.Ref)
	}
}

// TestKeyRefsNumberStream checks a stream's numbering by hand: keys
// numbered from 1 as first given, isNew only then, Of and Len following;
// and that Of and Len may run on another goroutine while Number grows the
// table (go test -race checks the locking).
func TestKeyRefsNumberStream(t *testing.T) {
	k := NewKeyRefs(0)
	var got []uint32
	var fresh []bool
	for _, key := range []uint64{70, 30, 70, 0, 30, 5} {
		ref, isNew := k.Number(key)
		got, fresh = append(got, ref), append(fresh, isNew)
	}
	if want := []uint32{1, 2, 1, 3, 2, 4}; !slices.Equal(got, want) {
		t.Fatalf("numbers %v, want %v", got, want)
	}
	if want := []bool{true, true, false, true, false, true}; !slices.Equal(fresh, want) {
		t.Fatalf("new %v, want %v", fresh, want)
	}
	if k.Len() != 4 || k.Of(0) != 3 || k.Of(5) != 4 || k.Of(31) != 0 {
		t.Fatalf("Len %d, Of(0) %d, Of(5) %d, Of(31) %d; want 4, 3, 4, 0", k.Len(), k.Of(0), k.Of(5), k.Of(31))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range uint64(20000) {
			if ref := k.Of(70); ref != 1 {
				t.Errorf("Of(70) = %d while numbering, want 1", ref)
				return
			}
			if n := k.Len(); n < 4 {
				t.Errorf("Len = %d while numbering, want at least 4", n)
				return
			}
			k.Of(1000 + i)
		}
	}()
	for i := range uint64(100000) {
		k.Number(1000 + i)
	}
	<-done
	if k.Len() != 100004 || k.Of(1000) != 5 || k.Of(100999) != 100004 {
		t.Fatalf("Len %d, Of(1000) %d, Of(100999) %d; want 100004, 5, 100004", k.Len(), k.Of(1000), k.Of(100999))
	}
}

// TestNumberingOfSequentialRuns numbers keys in runs of consecutive
// numbers, read again forwards, backwards, from the middle and shuffled,
// as block traces do, and compares both numberings (a loaded trace's and
// a stream's, which find a run's next key without hashing) with a map's
// numbering in the order of first request, request by request.
func TestNumberingOfSequentialRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var keys []uint64
	for range 400 {
		start, n := uint64(rng.IntN(5000)), 1+rng.IntN(40)
		switch rng.IntN(4) {
		case 0: // forwards
			for i := range uint64(n) {
				keys = append(keys, start+i)
			}
		case 1: // backwards
			for i := range uint64(n) {
				keys = append(keys, start+uint64(n)-1-i)
			}
		case 2: // every other block
			for i := range uint64(n) {
				keys = append(keys, start+2*i)
			}
		default: // scattered
			for range n {
				keys = append(keys, uint64(rng.IntN(6000)))
			}
		}
	}
	keys = append(keys, math.MaxUint64, 0, 1, math.MaxUint64, 0, 1) // the successor of the largest key wraps
	want, fresh := make([]uint32, len(keys)), make([]bool, len(keys))
	first := map[uint64]uint32{}
	for i, k := range keys {
		if _, ok := first[k]; !ok {
			first[k] = uint32(len(first) + 1)
			fresh[i] = true
		}
		want[i] = first[k]
	}
	tr := &Trace{Keys: keys}
	tr.NumberKeys()
	// The same numbering in steps of every length, as a load numbers
	// what it has read so far, with a table that grows.
	stepped := &Trace{Keys: keys}
	nb := NewNumbering(len(keys), 0)
	for from, step := 0, 1; from < len(keys); from, step = from+step, step*3%97+1 {
		nb.Add(keys[from:min(from+step, len(keys))])
	}
	nb.Finish(stepped)
	if !slices.Equal(stepped.Refs, want) || stepped.KeyRefs.Len() != len(first) {
		t.Fatalf("Numbering in steps: %d keys numbered, refs equal to the map's: %v", stepped.KeyRefs.Len(), slices.Equal(stepped.Refs, want))
	}
	stream := NewKeyRefs(0)
	for i, k := range keys {
		if tr.Refs[i] != want[i] {
			t.Fatalf("request %d (key %d): NumberKeys gave %d, want %d", i, k, tr.Refs[i], want[i])
		}
		ref, isNew := stream.Number(k)
		if ref != want[i] || isNew != fresh[i] {
			t.Fatalf("request %d (key %d): Number gave %d (new %v), want %d", i, k, ref, isNew, want[i])
		}
	}
	if stream.Len() != len(first) || tr.KeyRefs.Len() != len(first) {
		t.Fatalf("%d and %d keys numbered, want %d", stream.Len(), tr.KeyRefs.Len(), len(first))
	}
}

// A numbering told how many requests it may number keeps its keys by
// number in place as it grows (no copy, no garbage), and one not told
// moves them; both number alike.
func TestKeyRefsRoomForRequests(t *testing.T) {
	told, untold := NewKeyRefs(5000), NewKeyRefs(0)
	told.Number(9)
	untold.Number(9)
	at, untoldAt := &told.run.keyOf[0], &untold.run.keyOf[0]
	for i := range uint64(5000) {
		a, _ := told.Number(i * 3)
		b, _ := untold.Number(i * 3)
		if a != b {
			t.Fatalf("key %d: numbered %d and %d", i*3, a, b)
		}
	}
	if &told.run.keyOf[0] != at {
		t.Error("the keys by number moved in a numbering told its requests")
	}
	if &untold.run.keyOf[0] == untoldAt {
		t.Error("the keys by number never moved in one not told: the test shows nothing")
	}
}
