package sim

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
)

// Replay runs every request of t through c and returns the counts. With
// objects set, the cache sees every object as size 1 (object-count capacity,
// libCacheSim's --ignore-obj-size) while the byte counts still use each
// request's own size. For an offline policy (policy.NeedsFuture) it first
// fills t's next-access column if missing.
func Replay(t *traces.Trace, c policy.Cache, objects bool) Stats {
	prepareFuture(t, c)
	var st Stats
	var r traces.Request
	n := t.Len()
	for i := 0; i < n; i++ {
		t.At(i, &r)
		size := uint64(r.Size)
		if objects {
			r.Size = 1
		}
		st.Bytes += size
		if c.Access(&r) {
			st.Hits++
			st.ByteHits += size
		}
	}
	st.Requests = uint64(n)
	st.Evictions = c.Evictions()
	return st
}
