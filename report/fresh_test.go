package report

import (
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim"
)

// freshPoint is a TTL point of 1000 reads, 800 hits, stale of them, whose
// hits all served values of age seconds.
func freshPoint(ttl time.Duration, stale uint64, age float64) sim.FreshPoint {
	p := sim.FreshPoint{Size: sim.Size{N: 100}, TTL: ttl, Push: ttl == 0}
	p.Requests, p.Hits, p.Stale = 1000, 800, stale
	p.Age.AddN(age, 800)
	return p
}

// The recommended TTL is the longest up to which every TTL keeps to the
// budget: 5 and 9 stale reads of 1000 keep to 1%, 15 does not, and the
// 4h after it (8 stale) is not recommended though it keeps to it.
func TestFreshRecommendation(t *testing.T) {
	pts := []sim.FreshPoint{freshPoint(time.Minute, 5, 30), freshPoint(time.Hour, 9, 1800), freshPoint(2*time.Hour, 15, 3600),
		freshPoint(4*time.Hour, 8, 7200), freshPoint(0, 0, 100)}
	f := NewFresh("w", "ttl", pts, FreshBudget{MaxStale: 0.01}, nil)
	if len(f.Recommendations) != 1 {
		t.Fatalf("%d recommendations, want 1", len(f.Recommendations))
	}
	r := f.Recommendations[0]
	if !r.Found || r.TTL.TTL != time.Hour || r.Push != &f.Points[4] {
		t.Errorf("recommended %+v, want 1h with the push row", r)
	}
	// The age budget alone: p99 age 30 min keeps to 45m, 1 h does not.
	f = NewFresh("w", "ttl", pts, FreshBudget{MaxStale: -1, MaxAge: 45 * time.Minute}, nil)
	if r := f.Recommendations[0]; !r.Found || r.TTL.TTL != time.Hour {
		t.Errorf("age budget: recommended %+v, want 1h (p99 age 30m)", r.TTL)
	}
	f = NewFresh("w", "ttl", pts, FreshBudget{MaxStale: 0.001}, nil)
	var b strings.Builder
	if err := f.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if r := f.Recommendations[0]; r.Found || !strings.Contains(b.String(), "none of the swept TTLs keeps stale reads <= 0.10%") {
		t.Errorf("a budget no TTL keeps: %+v\n%s", r, b.String())
	}
}

// TestFreshChartText: the freshness chart labels every swept TTL on its
// axis, puts no text on the plot area (checkTextApart), and names the
// recommendation's rule in the legend under "recommended TTL:" (stale
// reads 2i of 1000 at the i-th TTL: 31m, the sixth, keeps 10, 1.00%).
func TestFreshChartText(t *testing.T) {
	var pts []sim.FreshPoint
	ttls := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute,
		31 * time.Minute, time.Hour, 2 * time.Hour}
	for i, ttl := range ttls {
		pts = append(pts, freshPoint(ttl, uint64(2*i), 30))
	}
	pts = append(pts, freshPoint(0, 0, 100))
	c := NewFresh("w", "ttl", pts, FreshBudget{MaxStale: 0.01}, nil).Chart()
	drawn := map[string]bool{}
	for _, tx := range checkTextApart(t, "fresh", c) {
		drawn[tx.text] = true
	}
	for _, want := range []string{"1m", "2m", "4m", "8m", "15m", "31m", "1h", "2h", "recommended TTL:",
		"longest TTL with stale reads <= 1.00%: 31m"} {
		if !drawn[want] {
			t.Errorf("no text %q drawn; drawn: %v", want, drawn)
		}
	}
}
