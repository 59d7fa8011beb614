package sim

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
)

// ReplayOptions say how a replay treats sizes and operations.
type ReplayOptions struct {
	// Objects makes the cache see every object as size 1 (object-count
	// capacity, libCacheSim's --ignore-obj-size) while the byte counts still
	// use each request's own size.
	Objects bool
	// CountWrites replays and counts every request as a lookup, whatever its
	// operation, as libCacheSim does (e.g. for block traces, whose writes
	// allocate in the cache like reads).
	CountWrites bool
}

// Replay runs every request of t through c with ReplayOptions{Objects: objects}.
func Replay(t *traces.Trace, c policy.Cache, objects bool) Stats {
	return ReplayWith(t, c, ReplayOptions{Objects: objects})
}

// ReplayWith runs every request of t through c and returns the counts.
//
// Operations (unless opt.CountWrites): a get is a lookup, counted in the
// requests, hits and bytes; a set writes the object, inserting it or
// refreshing it as an access would (like a hit, it does not change a cached
// object's size), and is counted only in Stats.Sets; a delete removes the
// object through policy.Remover (policies without it ignore deletes) and is
// counted only in Stats.Deletes. Traces without operations are all gets.
func ReplayWith(t *traces.Trace, c policy.Cache, opt ReplayOptions) Stats {
	var st Stats
	var r traces.Request
	n := t.Len()
	perOp := t.Ops != nil && !opt.CountWrites
	rm, _ := c.(policy.Remover)
	for i := 0; i < n; i++ {
		t.At(i, &r)
		size := uint64(r.Size)
		if opt.Objects {
			r.Size = 1
		}
		if perOp && r.Op != traces.OpGet {
			if r.Op == traces.OpSet {
				st.Sets++
				c.Access(&r)
			} else {
				st.Deletes++
				if rm != nil {
					rm.Remove(r.Key)
				}
			}
			continue
		}
		st.Requests++
		st.Bytes += size
		if c.Access(&r) {
			st.Hits++
			st.ByteHits += size
		}
	}
	st.Evictions = c.Evictions()
	return st
}
