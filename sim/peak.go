package sim

import (
	"errors"
	"fmt"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// Backend calls and the peak.
//
// A client request is what the client sends: a multi-key request counts
// once, however many keys it looks up. A backend call is what the backend
// serves: one per missed lookup (a trace of single keys, or multi-key
// requests under BatchParallel), or one per multi-key request with any
// miss (BatchSingle). Without a cache every lookup misses, so every client
// request calls the backend (once, or once per key). Writes and deletes
// are not counted: they are not lookups.

// Calls counts a run, or one window of it, as its clients and its backend
// see it.
type Calls struct {
	// Requests are the client requests (a multi-key request once) and
	// Lookups the keys they looked up (the same count in a trace of
	// single keys).
	Requests uint64 `json:"client_requests"`
	Lookups  uint64 `json:"key_lookups"`
	// Without and With are the backend calls without a cache and with it.
	Without uint64 `json:"backend_calls_without_cache"`
	With    uint64 `json:"backend_calls"`
}

// Saved returns the backend calls the cache saved.
func (c Calls) Saved() uint64 { return c.Without - c.With }

// CallsOf counts the calls of a run: b says how the misses of a multi-key
// request reach the backend (it does not matter for a trace of single
// keys, whose Stats.Batch is nil).
func CallsOf(st Stats, b BatchBackend) Calls {
	if st.Batch == nil {
		return singleCalls(st.Requests, st.Hits)
	}
	return batchCalls(st.Requests, st.Hits, st.Batch.Requests, st.Batch.Hits, b)
}

// WindowCalls counts the calls of window w of a run; batched says that
// the run had multi-key requests (its Stats.Batch is not nil).
func WindowCalls(w WindowStats, batched bool, b BatchBackend) Calls {
	if !batched {
		return singleCalls(w.Requests, w.Hits)
	}
	return batchCalls(w.Requests, w.Hits, w.Batches, w.BatchHits, b)
}

func singleCalls(lookups, hits uint64) Calls {
	return Calls{Requests: lookups, Lookups: lookups, Without: lookups, With: lookups - hits}
}

func batchCalls(lookups, hits, requests, served uint64, b BatchBackend) Calls {
	c := Calls{Requests: requests, Lookups: lookups, Without: lookups, With: lookups - hits}
	if b == BatchSingle {
		c.Without, c.With = requests, requests-served
	}
	return c
}

// CallUnit says what one backend call is in a run with or without
// multi-key requests, for reports.
func CallUnit(batched bool, b BatchBackend) string {
	switch {
	case batched && b == BatchSingle:
		return "a backend call per multi-key request with a miss, --batch-backend single"
	case batched:
		return "a backend call per key fetched, --batch-backend parallel"
	}
	return "a backend call per miss"
}

// ErrNoTimestamps says that a peak needs a trace with timestamps.
var ErrNoTimestamps = errors.New("the peak needs timestamps")

// PeakWindows cuts t into windows of width w for a peak report, which
// counts per second: w is a duration, or zero for the default (a minute
// when t spans an hour or more, else about 100 windows of a round width).
// A trace without timestamps gives ErrNoTimestamps.
func PeakWindows(t *trace.Trace, w Window) (*WindowPlan, error) {
	if w.Requests > 0 {
		return nil, fmt.Errorf("%s: the peak is a rate per second, so its windows are durations (1m, 10s), not request counts", w)
	}
	lo, hi, timed := timeSpan(t)
	if !timed {
		return nil, fmt.Errorf("%s has no timestamps: %w", t.Name, ErrNoTimestamps)
	}
	if hi == lo {
		return nil, fmt.Errorf("every request of %s has the same timestamp: %w that span some time", t.Name, ErrNoTimestamps)
	}
	if w == (Window{}) && time.Duration(hi-lo) >= time.Hour {
		w.Duration = time.Minute
	}
	return PlanWindows(t, w)
}

// LastCovered returns the share of the last window that the trace covers:
// from its start to the last request (1 for a window of requests that
// holds its count).
func (p *WindowPlan) LastCovered() float64 {
	start := p.base + int64(p.count-1)*p.width
	return min(float64(p.last-start+1)/float64(p.width), 1)
}

// Rerun replays spec at size on the plan's trace as Sweep replays a point
// (the same span, TTL, seed, counting, overhead and dedup), recording the
// windows of w, planned on the span's window: to see over time what a
// point of the sweep does. Only the windows after a warm-up come back.
func (plan *Plan) Rerun(spec policy.Spec, size Size, w *WindowPlan) (Stats, error) {
	t, warm := plan.Trace, 0
	if !plan.Span.IsZero() {
		e, err := plan.Span.Resolve(t)
		if err != nil {
			return Stats{}, err
		}
		t, warm = e.Cut(t), e.Warmup()
	}
	cfg := plan.settings(nil, Sizes{Values: []int64{size.N}, Bytes: size.Bytes()})
	cfg.Warmup = warm
	c, err := cfg.newCache(t, spec, 0)
	if err != nil {
		return Stats{}, err
	}
	opt := cfg.options()
	opt.Window = w
	st := Replay(t, c, opt)
	st.Windows = w.From(st.Windows, t, warm)
	return st, nil
}
