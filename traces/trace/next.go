package trace

import "math"

// NoNext is Request.Next for a request whose key is never requested again.
const NoNext = math.MaxInt64

// NextAccess fills t.Next, the index of the next request for the same key
// (NoNext when there is none), in one backward pass. It is what offline
// policies such as Belady's MIN need; it writes to t, so call it before
// sharing t between goroutines. A second call does nothing.
//
// A delete ends its object: the requests before it have no next access
// (NoNext) unless the key is requested again before the delete, so that an
// offline policy never keeps an object only to see it deleted. A change of
// the truth (OpChange) is no request: it is nobody's next access.
func (t *Trace) NextAccess() {
	if t.Next != nil {
		return
	}
	next := make([]int64, len(t.Keys))
	seen := make(map[uint64]int64, len(t.Keys)/4)
	for i := len(t.Keys) - 1; i >= 0; i-- {
		k := t.Keys[i]
		if t.Ops != nil && t.Ops[i] == OpChange {
			next[i] = NoNext // no request: the cache never sees it
			continue
		}
		if j, ok := seen[k]; ok {
			next[i] = j
		} else {
			next[i] = NoNext
		}
		if t.Ops != nil && t.Ops[i] == OpDelete {
			seen[k] = NoNext
		} else {
			seen[k] = int64(i)
		}
	}
	t.Next = next
}
