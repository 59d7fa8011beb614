package sim

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
)

// Options say how to replay and what to record besides the counts.
type Options struct {
	// Objects makes the cache see every object as size 1 (object-count
	// capacity, libCacheSim's --ignore-obj-size) while the byte counts still
	// use each request's own size.
	Objects bool
	// CountWrites replays and counts every request as a lookup, whatever its
	// operation, as libCacheSim does (e.g. for block traces, whose writes
	// allocate in the cache like reads).
	CountWrites bool
	// Overhead is added to every object's size as the cache sees it in
	// byte-capacity replays (a server's per-key memory, see
	// cachesim replay --target); the byte counts keep each request's own size.
	Overhead uint32
	// Latency, when set, records every request's latency in Stats.Latency.
	Latency *Latencies
	// Window, when set (see PlanWindows), records counts per window in Stats.Windows.
	Window *WindowPlan
}

// Replay runs every request of t through c with Options{Objects: objects}.
func Replay(t *traces.Trace, c policy.Cache, objects bool) Stats {
	return ReplayWith(t, c, Options{Objects: objects})
}

// ReplayWith runs every request of t through c and returns the counts and
// whatever else opt asks for. The extra records cost one predictable branch
// per request when off, and no allocation per request when on.
//
// Operations (unless opt.CountWrites): a get is a lookup, counted in the
// requests, hits and bytes; a set writes the object, inserting it or
// refreshing it as an access would (like a hit, it does not change a cached
// object's size), and is counted only in Stats.Sets; a delete removes the
// object (policy.Cache.Remove) and is counted only in Stats.Deletes. Traces
// without operations are all gets.
//
// For an offline policy (policy.NeedsFuture) it first fills t's next-access
// column if missing (Sweep does so before sharing t between goroutines).
func ReplayWith(t *traces.Trace, c policy.Cache, opt Options) Stats {
	PrepareFuture(t, c)
	var st Stats
	var r traces.Request
	n := t.Len()
	perOp := t.Ops != nil && !opt.CountWrites
	lat := opt.Latency
	if lat != nil {
		st.Latency = lat.NewHistogram()
	}
	var win *Windower
	if opt.Window != nil {
		win = opt.Window.Start()
	}
	for i := 0; i < n; i++ {
		t.At(i, &r)
		size := uint64(r.Size)
		if opt.Objects {
			r.Size = 1
		} else {
			r.Size += opt.Overhead
		}
		if perOp && r.Op != traces.OpGet {
			if r.Op == traces.OpSet {
				st.Sets++
				c.Access(&r)
			} else {
				st.Deletes++
				c.Remove(r.Key)
			}
			continue
		}
		st.Requests++
		st.Bytes += size
		hit := c.Access(&r)
		if hit {
			st.Hits++
			st.ByteHits += size
		} else if lat != nil {
			lat.recordMiss(st.Latency, i)
		}
		if win != nil {
			win.Add(int64(i), r.Time, hit, size)
		}
	}
	st.Evictions = c.Evictions()
	if h, ok := c.(policy.MemoryHolder); ok {
		st.Memory = h.HeldMemory()
	}
	if a, ok := c.(policy.Admitter); ok {
		st.Admitted, st.Rejected = a.Admissions()
	}
	if lat != nil {
		st.Latency.AddN(lat.Hit, st.Hits)
	}
	if win != nil {
		st.Windows = win.Windows()
	}
	return st
}
