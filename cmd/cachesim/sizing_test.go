package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

func TestSweepSizingLatencyAndCharts(t *testing.T) {
	dir := t.TempDir()
	mrc, lat := filepath.Join(dir, "mrc.png"), filepath.Join(dir, "latency.svg")
	out, stderr, err := runCLI(t, "sweep", "--policy", "lru,lfu", "--sizes", "10:1000:log8", "-q",
		"--plot", mrc, "--latency-plot", lat, "--miss-latency", "lognormal:median=40ms,p99=250ms",
		"--target-hit-ratio", "0.9", "--memory-cost", "4", "--miss-cost", "0.0001", "--request-rate", "2000",
		"--object-bytes", "4096", "--format", "json")
	if err != nil {
		t.Fatalf("sweep: %v\n%s", err, stderr)
	}
	var doc struct {
		Recommendations []struct {
			Policy, Method string
			Found          bool
		}
		Latency *struct {
			Without struct {
				P99MS float64 `json:"p99_ms"`
			} `json:"without_cache"`
			Points []struct {
				MeanReductionPct float64  `json:"mean_reduction_pct"`
				Avoided          *float64 `json:"backend_calls_saved_per_s"`
			} `json:"points"`
		}
		CostModel *struct {
			ObjectBytes float64 `json:"object_bytes"`
		} `json:"cost_model"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	methods := map[string]int{}
	for _, r := range doc.Recommendations {
		methods[r.Method]++
	}
	for _, m := range []string{"marginal-gain", "kneedle", "target", "cost"} {
		if methods[m] != 2 {
			t.Errorf("%d %s recommendations, want one per policy (%v)", methods[m], m, methods)
		}
	}
	if doc.Latency == nil || len(doc.Latency.Points) != 16 || doc.Latency.Points[0].Avoided == nil ||
		doc.Latency.Points[0].MeanReductionPct <= 0 || doc.Latency.Without.P99MS < 240 || doc.CostModel == nil || doc.CostModel.ObjectBytes != 4096 {
		t.Fatalf("latency %+v cost model %+v: want 16 points with savings", doc.Latency, doc.CostModel)
	}
	f, err := os.Open(mrc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s: %v", mrc, err)
	}
	if b, err := os.ReadFile(lat); err != nil || !bytes.Contains(b, []byte("</svg>")) {
		t.Errorf("%s: not an SVG (%v)", lat, err)
	}
	if !strings.Contains(stderr, "wrote "+mrc) {
		t.Errorf("stderr does not say it wrote the chart: %q", stderr)
	}

	// The same seed draws the same latencies; the CSV carries them.
	csv1, _, err := runCLI(t, "sweep", "--policy", "lru", "--sizes", "100", "--miss-latency", "exp:mean=30ms", "--format", "csv", "-q")
	if err != nil {
		t.Fatal(err)
	}
	csv2, _, _ := runCLI(t, "sweep", "--policy", "lru", "--sizes", "100", "--miss-latency", "exp:mean=30ms", "--format", "csv", "-q")
	csv3, _, _ := runCLI(t, "sweep", "--policy", "lru", "--sizes", "100", "--miss-latency", "exp:mean=30ms", "--format", "csv", "-q", "--seed", "7")
	if csv1 != csv2 || csv1 == csv3 || !strings.Contains(csv1, "uncached_p99_ms") {
		t.Errorf("seeded CSVs: same seed equal %v, other seed differs %v, has latency columns %v",
			csv1 == csv2, csv1 != csv3, strings.Contains(csv1, "uncached_p99_ms"))
	}
}

func TestSweepSizingFlagErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--plot", filepath.Join(dir, "mrc.jpg")}, ".png or .svg"},
		{[]string{"--latency-plot", filepath.Join(dir, "l.gif")}, ".png or .svg"},
		{[]string{"--memory-cost", "4"}, "--miss-cost"},
		{[]string{"--memory-cost", "4", "--miss-cost", "0.001"}, "--request-rate"},
		{[]string{"--memory-cost", "4", "--miss-cost", "0.001", "--request-rate", "10"}, "--object-bytes"},
		{[]string{"--miss-latency", "gamma:k=2"}, "unknown distribution"},
		{[]string{"--miss-latency", "lognormal:median=40ms"}, "p99"},
		{[]string{"--hit-latency", "fast"}, "--hit-latency"},
		{[]string{"--target-hit-ratio", "90"}, "--target-hit-ratio"},
		{[]string{"--metric", "bits"}, "--metric"},
		{[]string{"--x-scale", "lin"}, "--x-scale \"lin\": expected auto, log, linear"},
	}
	for _, c := range cases {
		t.Run(caseName(c.args), func(t *testing.T) {
			args := append([]string{"sweep", "--sizes", "10,100", "-q"}, c.args...)
			_, _, err := runCLI(t, args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed runs left files: %v", entries)
	}
	// --x-scale is a flag of the commands that draw size axes only.
	if _, _, err := runCLI(t, "replay", "--x-scale", "log"); err == nil || !strings.Contains(err.Error(), "x-scale") {
		t.Errorf("replay --x-scale: %v, want an unknown flag", err)
	}
}

func TestReplayTimeline(t *testing.T) {
	dir := t.TempDir()
	tl := filepath.Join(dir, "timeline.png")
	out, stderr, err := runCLI(t, "replay", "--size", "100", "--interval", "1000", "--plot", tl, "--format", "json")
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, stderr)
	}
	var res struct {
		Hits    uint64
		Window  string
		Windows []struct{ Requests, Hits uint64 }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var hits uint64
	for _, w := range res.Windows {
		if w.Requests != 1000 {
			t.Errorf("window of %d requests, want 1000", w.Requests)
		}
		hits += w.Hits
	}
	if len(res.Windows) != 10 || hits != res.Hits || res.Window != "1000 requests" {
		t.Errorf("%d windows (%s) with %d hits in all; want 10 windows of 1000 requests adding up to %d", len(res.Windows), res.Window, hits, res.Hits)
	}
	if _, err := os.Stat(tl); err != nil {
		t.Error(err)
	}
	// A time window on a workload without timestamps falls back to requests, and says so.
	_, stderr, err = runCLI(t, "replay", "--size", "100", "--interval", "1m", "--plot", tl)
	if err != nil || !strings.Contains(stderr, "no timestamps") {
		t.Errorf("--interval 1m without timestamps: %v, stderr %q; want a note", err, stderr)
	}
	if _, _, err := runCLI(t, "replay", "--interval", "soon"); err == nil {
		t.Error("--interval soon: no error")
	}
}

// epochTrace writes a CSV of n requests a second apart from 2023-11-14
// 22:13:20 UTC (Unix time 1700000000), keys cycling over 5.
func epochTrace(t *testing.T, n int) string {
	var b strings.Builder
	b.WriteString("time,key\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d,k%d\n", 1700000000+i, i%5)
	}
	return writeFile(t, "epoch.csv", b.String())
}

// TestSystemTimelineClockAndDrops: the system timeline of a trace with
// clock times is drawn against clock time, names the trace, and marks the
// --invalidate-every drops; with windows of requests, against requests.
func TestSystemTimelineClockAndDrops(t *testing.T) {
	p := epochTrace(t, 60)
	dir := t.TempDir()
	for window, axis := range map[string]string{"10s": "clock time (UTC) on 2023-11-14", "10": "requests"} {
		t.Run("--interval "+window, func(t *testing.T) {
			svg := filepath.Join(dir, "timeline.svg")
			if _, stderr, err := runCLI(t, "system", "replay", p, "--policy", "lru", "--size", "10", "--invalidate-every", "20s",
				"--interval", window, "--plot", svg, "-q"); err != nil {
				t.Fatalf("--interval %s: %v\n%s", window, err, stderr)
			}
			b, err := os.ReadFile(svg)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{axis, "every entry dropped", "epoch.csv, cache=lru:10"} {
				if !bytes.Contains(b, []byte(want)) {
					t.Errorf("--interval %s: the chart lacks %q", window, want)
				}
			}
		})
	}
}

// TestEventsOnWindows: a drop at 20 s falls on request 20 of a trace with a
// request a second (request windows), and stays at 20 s on time windows.
func TestEventsOnWindows(t *testing.T) {
	tr := trace.NewTrace("t", trace.Fields{Time: true})
	for i := 0; i < 60; i++ {
		tr.Append(&trace.Request{Key: uint64(i), Time: int64(i) * int64(time.Second)})
	}
	ev := []report.TimelineEvent{{At: int64(20 * time.Second), Name: "drop"}, {At: int64(20*time.Second + 1), Name: "drop"}}
	got := eventsOnWindows(tr, &sim.WindowPlan{}, ev)
	if got[0].At != 20 || got[1].At != 21 || ev[0].At != int64(20*time.Second) {
		t.Errorf("request windows: %+v, want 20 and 21 (and the input untouched)", got)
	}
	if got := eventsOnWindows(tr, &sim.WindowPlan{ByTime: true}, ev); got[0].At != int64(20*time.Second) {
		t.Errorf("time windows: %+v, want 20 s", got)
	}
}

// TestSweepCeilingAndPlan: 100 keys cycled 10 times: 100 of the 1,000
// requests are first requests, so an unlimited cache hits 90%; every
// object fits in 100. LRU hits 0 at 50 and 90% from 100: the plan is 100.
// The offline optimum added by --optimal gets no recommendation.
func TestSweepCeilingAndPlan(t *testing.T) {
	p := writeFile(t, "loop.txt", loopTrace(100, 10))
	out, _, err := runCLI(t, "sweep", p, "--sizes", "50,100,150", "--optimal", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Ceiling struct {
			Requests uint64 `json:"requests"`
			Misses   uint64 `json:"unavoidable_misses"`
		} `json:"ceiling"`
		Footprint       int64    `json:"footprint"`
		Bounds          []string `json:"bounds"`
		Recommendations []struct {
			Policy, Method string
			Found          bool
		} `json:"recommendations"`
		Plans []struct {
			Policy  string  `json:"policy"`
			Size    int64   `json:"size"`
			HitRate float64 `json:"hit_ratio"`
			Summary string  `json:"summary"`
		} `json:"plans"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Ceiling.Requests != 1000 || doc.Ceiling.Misses != 100 || doc.Footprint != 100 {
		t.Errorf("ceiling %+v footprint %d, want 100 unavoidable misses of 1000 and 100 objects", doc.Ceiling, doc.Footprint)
	}
	if len(doc.Bounds) != 1 || !strings.HasPrefix(doc.Bounds[0], "belady") {
		t.Fatalf("bounds %v, want the offline optimum", doc.Bounds)
	}
	for _, r := range doc.Recommendations {
		if r.Policy == doc.Bounds[0] && (r.Found || r.Method != "bound") {
			t.Errorf("the bound got %+v", r)
		}
	}
	if len(doc.Plans) != 1 || doc.Plans[0].Policy != "lru" || doc.Plans[0].Size != 100 || doc.Plans[0].HitRate != 0.9 ||
		!strings.Contains(doc.Plans[0].Summary, "hit ratio 90.00% (100% of the unlimited cache's 90.00%)") {
		t.Errorf("plans %+v, want lru at 100 hitting 90%%, all the ceiling", doc.Plans)
	}
	table, _, _ := runCLI(t, "sweep", p, "--sizes", "50,100,150")
	if !strings.Contains(table, "unlimited cache: hit ratio 90.00%") || !strings.Contains(table, "every object fits in 100") {
		t.Errorf("the table does not state the ceiling:\n%s", table)
	}
}
