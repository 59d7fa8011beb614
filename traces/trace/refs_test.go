package trace

import (
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
