package report

import (
	"testing"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// The 99th percentile of 200 windows by nearest rank is the 198th
// smallest (ceil(0.99 × 200) = 198); of 3 windows, the largest.
func TestNearestRank(t *testing.T) {
	vs := make([]float64, 200)
	for i := range vs {
		vs[i] = float64(200 - i) // 200 … 1, unsorted
	}
	if got := nearestRank(vs, 0.99); got != 198 {
		t.Errorf("p99 of 1…200: %g, want 198", got)
	}
	if got := nearestRank([]float64{3, 9, 1}, 0.99); got != 9 {
		t.Errorf("p99 of three: %g, want 9", got)
	}
}

// Calls saved per second are over the trace's time, writes included: 10
// records at 2 a second last 5 s; 3 hits among 4 reads save 3 calls, 0.6
// a second (not 3/4 of 2 a second: the writes are not lookups).
func TestLoadSavedPerSecond(t *testing.T) {
	calls, keys := Load{Rate: 2, Rows: 10}.savedPerS(sim.Stats{Requests: 4, Hits: 3})
	if calls == nil || keys == nil || !near(*calls, 0.6) || !near(*keys, 0.6) {
		t.Errorf("saved %v calls/s, %v keys/s; want 0.6 each", calls, keys)
	}
	if calls, _ := (Load{Rows: 10}).savedPerS(sim.Stats{Requests: 4, Hits: 3}); calls != nil {
		t.Errorf("without a rate: %g calls/s, want none", *calls)
	}
}

// A last window the trace covers less than half of is drawn nowhere and
// counts in no figure: requests at 0, 1, 2, 3 and 4 s in windows of 2 s
// leave [4 s, 6 s) covered by a nanosecond. The two full windows have 2
// requests each, 1 a second; the one at 4 s alone would read 0.5.
func TestPeakLeavesOutAPartialLastWindow(t *testing.T) {
	tr := trace.NewTrace("five", trace.Fields{Time: true})
	for i := range 5 {
		tr.Append(&trace.Request{Key: uint64(i), Size: 1, Time: int64(i) * 1e9})
	}
	plan, err := sim.PeakWindows(tr, sim.Window{Duration: 2e9})
	if err != nil {
		t.Fatal(err)
	}
	st := sim.Replay(tr, newCache(t, 10), sim.Options{Objects: true, Window: plan})
	p := NewPeak("lru", sim.Size{N: 10}, plan, st, sim.BatchParallel, tr.Origin)
	if len(p.Windows) != 3 || !p.LastLeftOut || p.Client.Mean != 1 || p.Client.P99 != 1 || p.With.Peak != 1 {
		t.Errorf("%d windows, left out %v, client %+v, with %+v; want 3, the last left out, 1 a second", len(p.Windows), p.LastLeftOut, p.Client, p.With)
	}
	c := Timeline{Title: "five", Plan: plan, Windows: st.Windows, Peak: p}.TimelineChart(RequestHitRatio)
	if c.Lower == nil || len(c.Lower.Series[0].X) != 2 || c.Lower.Series[0].Name != "client requests/s" ||
		c.Lower.Series[1].Name != "backend calls/s, lru at 10" || c.Lower.YLabel != "per second" {
		t.Errorf("rate panel %+v, want client and backend rates in the two full windows", c.Lower)
	}
}
