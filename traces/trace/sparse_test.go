package trace

import (
	"slices"
	"testing"
)

// AppendSparse keeps a column only once a request carries something other
// than its default, filled with the default before that request; a
// column the source does not declare is never kept, and one it declares
// but never uses stays nil.
func TestAppendSparseStartsColumnsAtFirstUse(t *testing.T) {
	var tr Trace
	f := Fields{Size: true, Time: true, Op: true}
	reqs := []Request{
		{Key: 1, Size: 1},
		{Key: 2, Size: 1, TTL: 30},   // TTL undeclared: dropped
		{Key: 3, Size: 100},          // sizes start here
		{Key: 4, Size: 1, Op: OpSet}, // ops start here
		{Key: 5, Size: 7, Op: OpGet},
	}
	for i := range reqs {
		tr.AppendSparse(&reqs[i], f)
	}
	if want := []uint64{1, 2, 3, 4, 5}; !slices.Equal(tr.Keys, want) {
		t.Errorf("keys %v, want %v", tr.Keys, want)
	}
	if want := []uint32{1, 1, 100, 1, 7}; !slices.Equal(tr.Sizes, want) {
		t.Errorf("sizes %v, want %v", tr.Sizes, want)
	}
	if want := []Op{OpGet, OpGet, OpGet, OpSet, OpGet}; !slices.Equal(tr.Ops, want) {
		t.Errorf("ops %v, want %v", tr.Ops, want)
	}
	if tr.Times != nil || tr.TTLs != nil || tr.Latencies != nil || tr.Marks != nil || tr.Tenants != nil || tr.Tokens != nil {
		t.Errorf("columns kept that carry nothing or were not declared: %+v", tr.Fields())
	}
}
