package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

type ends int64

func (e ends) Ends() int64 { return int64(e) }

// EndHeap pops in order of end time whatever the order of pushes.
func TestEndHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h EndHeap[ends]
	var want []int64
	for i := 0; i < 500; i++ {
		v := rng.Int64N(100)
		h.Push(ends(v))
		want = append(want, v)
	}
	slices.Sort(want)
	for i, w := range want {
		if !h.Due(w) || h.Due(w-1) && i == 0 && w > 0 {
			t.Fatalf("pop %d: Due(%d) wrong", i, w)
		}
		if got := int64(h.Pop()); got != w {
			t.Fatalf("pop %d: %d, want %d", i, got, w)
		}
	}
	if h.Due(1 << 62) {
		t.Error("an empty heap has something due")
	}
}
