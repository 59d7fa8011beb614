package sim

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
)

// Options says how to replay and what to record besides the counts.
type Options struct {
	// Objects makes the cache see every object as size 1 (object-count
	// capacity, libCacheSim's --ignore-obj-size); the byte counts still use
	// each request's own size.
	Objects bool
	// Latency, when set, records every request's latency in Stats.Latency.
	Latency *Latencies
	// Window, when set (see PlanWindows), records counts per window in Stats.Windows.
	Window *WindowPlan
}

// Replay runs every request of t through c and returns the counts. With
// objects set, the cache sees every object as size 1 (object-count
// capacity) while the byte counts still use each request's own size.
func Replay(t *traces.Trace, c policy.Cache, objects bool) Stats {
	return ReplayWith(t, c, Options{Objects: objects})
}

// ReplayWith runs every request of t through c and returns the counts and
// whatever else opt asks for. The extra records cost one predictable branch
// per request when off, and no allocation per request when on.
func ReplayWith(t *traces.Trace, c policy.Cache, opt Options) Stats {
	var st Stats
	var r traces.Request
	n := t.Len()
	lat := opt.Latency
	if lat != nil {
		st.Latency = lat.newHistogram()
	}
	var win *windower
	if opt.Window != nil {
		win = opt.Window.start()
	}
	for i := 0; i < n; i++ {
		t.At(i, &r)
		size := uint64(r.Size)
		if opt.Objects {
			r.Size = 1
		}
		st.Bytes += size
		hit := c.Access(&r)
		if hit {
			st.Hits++
			st.ByteHits += size
		} else if lat != nil {
			lat.recordMiss(st.Latency, i)
		}
		if win != nil {
			win.add(int64(i), r.Time, hit, size)
		}
	}
	st.Requests = uint64(n)
	st.Evictions = c.Evictions()
	if lat != nil {
		st.Latency.AddN(lat.Hit, st.Hits)
	}
	if win != nil {
		st.Windows = win.windows
	}
	return st
}
