package traces

import (
	"slices"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

func TestNextAccess(t *testing.T) {
	tr := trace.NewTrace("t", trace.Fields{})
	for _, k := range []uint64{7, 8, 7, 9, 8, 7} {
		tr.Append(&trace.Request{Key: k})
	}
	tr.NextAccess()
	// Worked by hand: 7 recurs at 2 then 5; 8 at 4; 9 never.
	want := []int64{2, 4, 5, trace.NoNext, trace.NoNext, trace.NoNext}
	if !slices.Equal(tr.Next, want) {
		t.Fatalf("Next = %v, want %v", tr.Next, want)
	}
	var r trace.Request
	tr.At(1, &r)
	if r.Next != 4 {
		t.Fatalf("At(1).Next = %d, want 4", r.Next)
	}
}
